package dev.alloc.agent.cli;

import dev.alloc.agent.AttachState;
import dev.alloc.runtime.Kind;
import dev.alloc.runtime.SiteColumn;
import dev.alloc.runtime.Sizes;
import java.io.IOException;
import java.io.PrintStream;
import javax.management.JMException;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * {@code java -jar alloc.jar status <pid>}: a running agent's numbers, read from its MXBean over
 * the JVM's local management agent (started through the attach API if it is not running: no
 * port, no {@code -Dcom.sun.management} flags). Reads open types only, as any JMX client would.
 */
final class StatusCommand {
    static final String USAGE = "java -jar alloc.jar status <pid> [--top N]";
    /** The MXBean is registered on a background thread at start: wait this long for it. */
    private static final long WAIT_FOR_BEAN_MILLIS = 10_000;
    private static final String OBJECT_NAME = "dev.alloc:type=OffHeap";

    private StatusCommand() {
    }

    static void run(String[] args, PrintStream out) throws CommandError {
        if (args.length != 1 && !(args.length == 3 && args[1].equals("--top"))) {
            throw new CommandError("usage: " + USAGE, 2);
        }
        int top = args.length == 3 ? Arguments.positiveInt("--top", args[2]) : 10;
        String address;
        try (TargetVm target = TargetVm.attach(args[0])) {
            String state = target.property(AttachState.PROPERTY);
            if (state == null || state.startsWith("error: ")) {
                throw new CommandError("no alloc agent in JVM " + args[0] + (state == null ? "" : " (" + state + ")")
                        + "; load one with: " + AttachCommand.USAGE, 1);
            }
            address = target.vm.startLocalManagementAgent();
        } catch (IOException e) {
            throw new CommandError("cannot start the local management agent in JVM " + args[0] + ": " + e.getMessage(), 1);
        }
        try (JMXConnector connector = JMXConnectorFactory.connect(new JMXServiceURL(address))) {
            MBeanServerConnection server = connector.getMBeanServerConnection();
            ObjectName name = new ObjectName(OBJECT_NAME);
            waitForBean(server, name, args[0]);
            print(server, name, args[0], top, out);
        } catch (IOException | JMException e) {
            throw new CommandError("cannot read " + OBJECT_NAME + " from JVM " + args[0] + ": " + e, 1);
        }
    }

    private static void waitForBean(MBeanServerConnection server, ObjectName name, String pid)
            throws IOException, CommandError {
        long deadline = System.nanoTime() + WAIT_FOR_BEAN_MILLIS * 1_000_000;
        while (!server.isRegistered(name)) {
            if (System.nanoTime() > deadline) {
                throw new CommandError("no alloc agent in JVM " + pid + "; load one with: " + AttachCommand.USAGE, 1);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CommandError("interrupted", 1);
            }
        }
    }

    private static void print(MBeanServerConnection server, ObjectName name, String pid, int top, PrintStream out)
            throws IOException, JMException {
        long used = (Long) server.getAttribute(name, "Used");
        long limit = (Long) server.getAttribute(name, "Limit");
        long peak = (Long) server.getAttribute(name, "Peak");
        String strategy = (String) server.getAttribute(name, "Strategy");
        out.println("alloc in JVM " + pid + ": used " + bytes(used) + ", limit "
                + (limit > 0 ? bytes(limit) : "none (tracking only)") + ", peak " + bytes(peak) + ", strategy " + strategy);
        StringBuilder byKind = new StringBuilder("used by kind:");
        TabularData kinds = (TabularData) server.getAttribute(name, "UsedByKind");
        for (int k = 0; k < Kind.COUNT; k++) {
            String kind = Kind.name(k);
            CompositeData row = kinds.get(new Object[] {kind});
            byKind.append(' ').append(kind).append(' ').append(row == null ? 0L : (Long) row.get("value"));
        }
        out.println(byKind);
        CompositeData[] sites = (CompositeData[]) server.getAttribute(name, "TopSites");
        if (sites.length == 0) {
            out.println("no live off-heap memory attributed to a site");
            return;
        }
        SiteColumn[] columns = {SiteColumn.LIVE_BYTES, SiteColumn.LIVE, SiteColumn.LIVE_COUNT, SiteColumn.PEAK_LIVE,
            SiteColumn.KIND, SiteColumn.SITE};
        out.println(SiteColumn.header(columns));
        for (int i = 0; i < sites.length && i < top; i++) {
            CompositeData site = sites[i];
            out.println(SiteColumn.row(columns, site.get("liveBytes"), site.get("liveBytes"), site.get("liveCount"),
                    site.get("peakLiveBytes"), site.get("kind"), site.get("site")));
        }
    }

    private static String bytes(long n) {
        return Sizes.human(n) + " (" + n + " bytes)";
    }
}
