package dev.alloc.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.alloc.it.programs.LimitStorm;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One reclaim at a time at the limit (issue 10, point 3): many threads pushed past
 * {@code limit=64m} at once all get their error after a handful of {@code System.gc()}
 * collections, not one per thread, 64 platform threads within 2 s of the first error.
 *
 * <p>{@code -XX:MaxDirectMemorySize=32g}: a direct buffer's constructor reserves its capacity in
 * the JDK's own count ({@code java.nio.Bits}) before it takes the memory from the agent, and
 * holds that reservation while the agent waits for the round. 20,000 threads waiting with 1 MiB
 * each pass the JDK's default maximum (the heap size), and the JDK then runs its own patience
 * loop, one {@code System.gc()} per thread: a storm the agent cannot see or stop.
 *
 * <p>20,000 virtual threads on the 2-core test machine are bound by the CPU: failing each of
 * them (the error, its message and stack trace) on two carriers shared with the other
 * engineers' builds took 8 to 22 s in all (load 18 to 30). A round lasts while threads keep
 * joining it, so they all fail after one {@code System.gc()} (two allowed: at a load of 30 the
 * arrivals may outlast a round), within 0.7 to 2.4 s of each other at load 6 to 12; the bound
 * for them, 10 s, is for the loads the CI shares this machine with (without one reclaim at a
 * time not even half of them had their error after 60 s).
 */
class LimitStormTest {
    private static final Pattern SPREAD = Pattern.compile("spread ms (\\d+)");
    private static final Pattern GCS = Pattern.compile("System.gc\\(\\) collections (\\d+)");
    private static final Pattern HELD = Pattern.compile("held blocks (\\d+)");

    @EveryJdk
    void platformThreadsFailTogetherAfterAFewCollections(Jdk jdk) {
        assertStorm(jdk, "platform", 64);
    }

    @EveryJdk
    void virtualThreadsFailTogetherAfterAFewCollections(Jdk jdk) {
        jdk.require(25, "20,000 virtual threads: the storm of the issue, measured on JDK 25");
        assertStorm(jdk, "virtual", 20_000);
    }

    private static void assertStorm(Jdk jdk, String threads, int count) {
        ForkedJvm.Result r = ForkedJvm.on(jdk).jvmArgs("-XX:MaxDirectMemorySize=32g").agent("limit=64m")
                .main(LimitStorm.class, threads, String.valueOf(count)).run();
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdout().contains("all answered true\nlimit errors " + count + ", other outcomes 0\n"), r.toString());
        long held = figure(HELD, r);
        assertTrue(held >= 60 && held <= 64, held + " MiB blocks held under limit=64m\n" + r);
        long spread = figure(SPREAD, r);
        long collections = figure(GCS, r);
        long maxSpread = count <= 64 ? 2_000 : 10_000; // see the class comment
        assertTrue(spread <= maxSpread, "errors spread over " + spread + " ms\n" + r);
        assertTrue(collections >= 1 && collections <= 2, collections + " System.gc() collections\n" + r);
    }

    private static long figure(Pattern pattern, ForkedJvm.Result r) {
        Matcher m = pattern.matcher(r.stdout());
        assertTrue(m.find(), r.toString());
        return Long.parseLong(m.group(1));
    }
}
