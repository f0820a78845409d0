package dev.alloc.it;

import com.sun.tools.attach.VirtualMachine;
import javax.management.Attribute;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * A JMX client in the test's JVM for a forked JVM, over its local management agent (started
 * through the attach API, no port). It reads open types only, as JConsole or an exporter would.
 */
final class LocalJmx implements AutoCloseable {
    static final String BEAN = "dev.alloc:type=OffHeap";

    private final JMXConnector connector;
    private final MBeanServerConnection server;
    private final ObjectName name;

    private LocalJmx(JMXConnector connector) throws Exception {
        this.connector = connector;
        this.server = connector.getMBeanServerConnection();
        this.name = new ObjectName(BEAN);
    }

    /** Connects and waits until the agent's bean is registered. */
    static LocalJmx connect(long pid) throws Exception {
        return connect(pid, 20_000);
    }

    /** Connects and waits at most {@code waitMillis} (0: not at all) until the agent's bean is registered. */
    static LocalJmx connect(long pid, long waitMillis) throws Exception {
        VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
        String address;
        try {
            address = vm.startLocalManagementAgent();
        } finally {
            vm.detach();
        }
        LocalJmx jmx = new LocalJmx(JMXConnectorFactory.connect(new JMXServiceURL(address)));
        long deadline = System.nanoTime() + waitMillis * 1_000_000L;
        while (!jmx.server.isRegistered(jmx.name)) {
            if (System.nanoTime() > deadline) {
                jmx.close();
                throw new AssertionError(BEAN + " is not registered in JVM " + pid);
            }
            Thread.sleep(50);
        }
        return jmx;
    }

    Object get(String attribute) throws Exception {
        return server.getAttribute(name, attribute);
    }

    void set(String attribute, Object value) throws Exception {
        server.setAttribute(name, new Attribute(attribute, value));
    }

    Object invoke(String operation) throws Exception {
        return server.invoke(name, operation, new Object[0], new String[0]);
    }

    @Override
    public void close() throws Exception {
        connector.close();
    }
}
