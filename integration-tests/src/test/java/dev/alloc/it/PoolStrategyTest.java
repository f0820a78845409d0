package dev.alloc.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.alloc.it.programs.NettyOnPool;
import dev.alloc.it.programs.PoolWorkout;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each pool strategy under the real agent, on every JDK listed (issue 5). */
class PoolStrategyTest {
    private static final String[] STRATEGIES = {"slab", "buddy", "tlsf", "arena"};
    private static final Pattern POOL_LINE = Pattern.compile(
            "alloc: pool (\\w+): reserved (\\d+) bytes .*, in use (\\d+) bytes .* fallbacks (\\d+) \\((\\d+) bytes\\), misuses (\\d+)");

    static List<Arguments> everyStrategyOnEveryJdk() {
        return cross(Jdk.all());
    }

    private static List<Arguments> cross(List<Jdk> jdks) {
        List<Arguments> out = new ArrayList<>();
        for (Jdk jdk : jdks) {
            for (String strategy : STRATEGIES) {
                out.add(Arguments.of(jdk, strategy));
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("everyStrategyOnEveryJdk")
    void jdkSemanticsHoldOnThePool(Jdk jdk, String strategy) {
        ForkedJvm.Result r = ForkedJvm.on(jdk).agent("strategy=" + strategy + ",limit=64m,report=stderr")
                .jvmArgs("-Xmx256m").main(PoolWorkout.class).run();
        assertEquals(0, r.exitCode(), r.toString());
        // The pool package is defined whole, the two types defined at start included, without a warning.
        assertFalse(r.stderr().contains("alloc: cannot define"), r.toString());
        assertTrue(r.stdout().contains("zeroed 50 of 50, in use after invokeCleaner 0\n"), r.toString());
        assertTrue(r.stdout().contains("in use after GC 0\n"), r.toString());
        assertTrue(r.stdout().contains("realloc kept 1000 200000 3000\n"), r.toString());
        // The 6 MiB reallocation is more than a pool block (4 MiB): the one fallback so far.
        assertTrue(r.stdout().contains("fallbacks 1\n"), r.toString());
        // A double free, an interior free, and three stale frees (two after their chunks were released).
        assertTrue(r.stdout().contains("misuses 5, in use 0\n"), r.toString());
        assertTrue(r.stdout().contains("held 64\n"), r.toString());
        assertTrue(r.stderr().contains("alloc: pool misuse: double free (or free of memory never allocated) at address 0x"),
                r.toString());
        assertTrue(r.stderr().contains("from dev.alloc.it.programs.PoolWorkout.main(PoolWorkout.java:"), r.toString());
        assertTrue(r.stderr().contains("alloc: pool misuse: free of an address inside a live block that is not its start"),
                r.toString());
        assertEquals(1, count(r.stderr(), "alloc: pool misuse: double free"), r.toString());
        Matcher pool = poolLine(r);
        assertEquals(strategy, pool.group(1));
        assertEquals(64L << 20, Long.parseLong(pool.group(2)));
        assertEquals(5, Long.parseLong(pool.group(6)));
        assertTrue(r.stderr().contains("alloc: used 67108864 bytes"), r.toString());
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("everyStrategyOnEveryJdk")
    void nettyPooledAllocatorRunsOnTop(Jdk jdk, String strategy) {
        ForkedJvm.Result r = ForkedJvm.on(jdk).agent("strategy=" + strategy + ",pool=128m,report=stderr")
                .main(NettyOnPool.class).run();
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdout().contains("intact 5000 of 5000, Netty's chunks in the pool true\n"), r.toString());
        assertEquals("0", poolLine(r).group(6), r.toString());
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("everyStrategyOnEveryJdk")
    void ffmSegmentsAreAlignedZeroedAndReturned(Jdk jdk, String strategy) throws Exception {
        jdk.require(22, "FFM needs JDK 22+");
        Path source = Paths.get(getClass().getResource("/programs/FfmAlignedOnPool.java").toURI());
        ForkedJvm.Result r = ForkedJvm.on(jdk).agent("strategy=" + strategy + ",pool=64m").source(source).run();
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdout().contains("aligned 128 zeroed and usable 128 of 128, all in the pool true\n"), r.toString());
        assertTrue(r.stdout().contains("in use after close 0\n"), r.toString());
    }

    /** Issue 11: virtual threads use their carrier's cache, and misuse is still caught there. */
    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("everyStrategyOnEveryJdk")
    void virtualThreadsShareTheirCarriersCache(Jdk jdk, String strategy) throws Exception {
        jdk.require(21, "virtual threads are final from JDK 21");
        Path source = Paths.get(getClass().getResource("/programs/PoolVirtualThreads.java").toURI());
        ForkedJvm.Result r = ForkedJvm.on(jdk).agent("strategy=" + strategy + ",pool=64m")
                .jvmArgs("-Djdk.virtualThreadScheduler.parallelism=1", "-Djdk.virtualThreadScheduler.maxPoolSize=1")
                .source(source).run();
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdout().contains("from the carrier's cache, last freed first: 4 of 4\n"), r.toString());
        assertTrue(r.stdout().contains("after the double free: reused true, handed out twice false, "
                + "bytes intact after the interior free true\n"), r.toString());
        assertTrue(r.stdout().contains("intact 38000 of 38000\n"), r.toString());
        assertTrue(r.stdout().contains("misuses 2, in use 0\n"), r.toString());
    }

    @EveryJdk
    void fallbackFailRefusesWhatThePoolCannotServe(Jdk jdk) {
        ForkedJvm.Result r = ForkedJvm.on(jdk).agent("strategy=tlsf,pool=8m,pool.fallback=fail,report=stderr")
                .main(dev.alloc.it.programs.PoolFallbackFail.class).run();
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdout().contains("too big: java.lang.OutOfMemoryError: alloc: the tlsf pool cannot serve 5242880 bytes "
                + "(larger than its largest block, 4.0 MiB) and pool.fallback=fail\n"), r.toString());
        assertTrue(r.stdout().contains("full after 2 buffers of 3 MiB: java.lang.OutOfMemoryError: alloc: the tlsf pool "
                + "cannot serve 3145728 bytes (full: "), r.toString());
        assertTrue(r.stdout().contains("after freeing: 3145728\n"), r.toString());
        Matcher pool = poolLine(r);
        assertEquals("0", pool.group(4), r.toString());
        assertTrue(r.stderr().contains("alloc: used 3145728 bytes"), r.toString());
    }

    @EveryJdk
    void misuseBecomesFlightRecorderEvents(Jdk jdk) throws Exception {
        Path recording = ForkedJvm.workDir("pool-misuse-" + jdk.feature()).resolve("misuse.jfr");
        ForkedJvm.Result r = ForkedJvm.on(jdk).agent("strategy=buddy,limit=64m,jfr=" + recording)
                .jvmArgs("-Xmx256m").main(PoolWorkout.class).run();
        assertEquals(0, r.exitCode(), r.toString());
        List<String> misuses = new ArrayList<>();
        List<String> strategies = new ArrayList<>();
        for (RecordedEvent event : RecordingFile.readAllEvents(recording)) {
            if (event.getEventType().getName().equals("dev.alloc.Allocation") && event.getLong("size") >= 3 << 20) {
                strategies.add(event.getLong("size") + " " + event.getString("strategy"));
            }
            if (event.getEventType().getName().equals("dev.alloc.PoolMisuse")) {
                assertEquals("buddy", event.getString("strategy"));
                assertTrue(event.getLong("address") != 0);
                misuses.add(event.getString("misuse"));
            }
        }
        assertEquals(List.of("double free", "interior free", "double free", "double free", "double free"), misuses,
                r.toString());
        // the 6 MiB reallocation is beyond the pool's largest block: the system allocator served it, and says so
        assertEquals(List.of((6 << 20) + " system", (3 << 20) + " buddy", (3 << 20) + " buddy", (3 << 20) + " buddy"),
                strategies, r.toString());
    }

    private static Matcher poolLine(ForkedJvm.Result r) {
        Matcher m = POOL_LINE.matcher(r.stderr());
        assertTrue(m.find(), r.toString());
        return m;
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
