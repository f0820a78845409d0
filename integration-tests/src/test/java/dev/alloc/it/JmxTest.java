package dev.alloc.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.alloc.it.programs.Controlled;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;

/** The MXBean {@code dev.alloc:type=OffHeap}, read and written by a JMX client in another JVM (issue 7). */
class JmxTest {
    static final String SITE = "dev.alloc.it.programs.Controlled$Holder.hold(Controlled.java:61)";

    @EveryJdk
    void clientReadsTheNumbersAndLowersTheLimit(Jdk jdk) throws Exception {
        try (ForkedJvm.Running program = ForkedJvm.on(jdk).agent("limit=64m,budget.dev.alloc.it.programs=32m")
                // The JMX connection's socket I/O takes JDK temporary direct buffers; uncached, they are
                // freed after each read or write, so the numbers below are the program's alone.
                .jvmArgs("-Djdk.nio.maxCachedBufferSize=0").main(Controlled.class).start()) {
            program.awaitLine("ready", 0);
            program.send("hold 3000017");
            program.send("hold 3000017");
            program.send("hold 999983");
            program.send("drop");
            program.awaitLine("ok 2", 1);
            try (LocalJmx jmx = LocalJmx.connect(program.pid())) {
                assertEquals(64L << 20, jmx.get("Limit"));
                assertEquals(6_000_034L, jmx.get("Used"));
                assertEquals(7_000_017L, jmx.get("Peak"));
                assertEquals("system", jmx.get("Strategy"));
                TabularData byKind = (TabularData) jmx.get("UsedByKind");
                assertEquals(6_000_034L, byKind.get(new Object[] {"direct"}).get("value"));
                assertEquals(0L, byKind.get(new Object[] {"unsafe"}).get("value"));
                TabularData byBudget = (TabularData) jmx.get("UsedByBudget");
                assertEquals(6_000_034L, byBudget.get(new Object[] {"dev.alloc.it.programs"}).get("value"));
                CompositeData[] top = (CompositeData[]) jmx.get("TopSites");
                assertEquals(1, top.length, program.toString());
                assertEquals(SITE, top[0].get("site"));
                assertEquals("direct", top[0].get("kind"));
                assertEquals(6_000_034L, top[0].get("liveBytes"));
                assertEquals(2L, top[0].get("liveCount"));
                assertEquals(7_000_017L, top[0].get("peakLiveBytes"));

                jmx.invoke("resetPeak"); // to what is used, counting a JMX socket buffer live during the call
                long peak = (Long) jmx.get("Peak");
                assertTrue(peak >= 6_000_034L && peak <= 6_000_034L + 65_536, "peak after reset " + peak);

                // Lowered with room left only for the JMX connection's own transient socket buffers.
                jmx.set("Limit", 6_050_000L);
                assertEquals(6_050_000L, jmx.get("Limit"));
                program.send("hold 999983");
                assertEquals("error dev.alloc.OffHeapLimitExceededError: Off-heap limit exceeded: cannot allocate 999983 "
                        + "bytes of direct memory at " + SITE + "; used 6000034 of 6050000 bytes; top holders: " + SITE
                        + " 6000034 (2)", program.awaitLine("error", 0));
                assertEquals(6_000_034L, jmx.get("Used"));

                jmx.set("Limit", 0L); // none: track only
                program.send("hold 4097");
                program.awaitLine("ok 3", 1); // the first "ok 3" came before the drop
                assertEquals(6_004_131L, jmx.get("Used"));
            }
            // Below what is used (set by a client inside the program, as socket I/O would itself fail):
            // nothing already allocated is touched, every new allocation fails.
            program.send("limit 5000000");
            program.awaitLine("ok 3", 2);
            program.send("hold 4097");
            assertEquals("error dev.alloc.OffHeapLimitExceededError: Off-heap limit exceeded: cannot allocate 4097 "
                    + "bytes of direct memory at " + SITE + "; used 6004131 of 5000000 bytes; top holders: " + SITE
                    + " 6004131 (3)", program.awaitLine("error", 1));
            ForkedJvm.Result result = program.finish();
            assertEquals(0, result.exitCode(), result.toString());
            assertTrue(result.stderr().contains("alloc: limit set through JMX to 5.8 MiB; used 5.7 MiB"), result.toString());
            assertTrue(result.stderr().contains("alloc: limit set through JMX to none (tracking only)"), result.toString());
            assertTrue(result.stderr().contains("alloc: limit set through JMX to 4.8 MiB; used 5.7 MiB"), result.toString());
        }
    }
}
