package dev.alloc.runtime.jmx;

import dev.alloc.runtime.OffHeap;
import dev.alloc.runtime.SiteContext;
import dev.alloc.runtime.report.Log;
import java.lang.management.ManagementFactory;
import javax.management.InstanceAlreadyExistsException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Registers the {@link OffHeapMXBean} with the platform MBean server when that server comes
 * into existence for another reason, never creating it for the agent's sake: creating it costs
 * 150-300 ms of start-up and a few MiB (hundreds of classes) in a JVM nobody connects to.
 *
 * <p>The agent weaves a call to {@link #platformServerReady} before every return of
 * {@code ManagementFactory.getPlatformMBeanServer()}, through which every JMX entry point reaches
 * the server (a JMX agent, the local management agent an attaching JConsole or
 * {@code jcmd ManagementAgent.start} starts, application code): the bean is registered before
 * the first caller gets the server, so a client always finds it. When the agent is loaded into
 * a JVM whose {@code ManagementFactory} is already in use, {@link #registerInBackground} does it.
 */
public final class JmxRegistration {
    private static volatile boolean registered;

    private JmxRegistration() {
    }

    /** Woven into {@code ManagementFactory.getPlatformMBeanServer()}: registers the bean once. Never throws. */
    public static void platformServerReady(Object server) {
        if (registered || !(server instanceof MBeanServer) || OffHeap.settings() == null) {
            return;
        }
        SiteContext context = SiteContext.current();
        boolean wasInAgent = context.enterAgent(); // this thread's own native memory is not the application's
        try {
            register((MBeanServer) server);
        } catch (Throwable e) {
            Log.warn("cannot register the MXBean " + OffHeapMXBean.OBJECT_NAME + ": " + e);
        } finally {
            context.exitAgent(wasInAgent);
        }
    }

    /**
     * Registers the bean from a daemon thread, creating the platform server if need be: for an
     * agent loaded into a running JVM whose {@code ManagementFactory} was in use before the hook.
     */
    public static void registerInBackground() {
        Thread thread = new Thread(new Runnable() {
            @Override
            public void run() {
                SiteContext.current().enterAgent();
                platformServerReady(ManagementFactory.getPlatformMBeanServer());
            }
        }, "alloc-jmx-registration");
        thread.setDaemon(true);
        thread.start();
    }

    private static synchronized void register(MBeanServer server) throws Exception {
        if (registered) {
            return;
        }
        registered = true; // first: registering must not come back here through the server
        long start = System.nanoTime();
        OffHeapMonitor bean = new OffHeapMonitor(OffHeap.limiter(), OffHeap.sites(), OffHeap.strategy());
        try {
            server.registerMBean(bean, new ObjectName(OffHeapMXBean.OBJECT_NAME));
            Log.debug("registered the MXBean " + OffHeapMXBean.OBJECT_NAME + " in "
                    + (System.nanoTime() - start) / 1_000_000 + " ms");
        } catch (InstanceAlreadyExistsException e) {
            Log.debug("the MXBean " + OffHeapMXBean.OBJECT_NAME + " is already registered");
        }
    }
}
