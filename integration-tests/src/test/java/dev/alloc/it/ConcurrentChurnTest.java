package dev.alloc.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.alloc.it.programs.ChurnAllKinds;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Exact under concurrency (issues 3 and 10): eight threads, a million operations on every kind
 * the JDK has, frees mostly on other threads, per-kind limits hit all the time; on JDK 21+ the
 * same with eight virtual threads. A sampler reading used bytes all along never sees one above
 * its limit; afterwards the agent's numbers equal the program's own tally of what is live,
 * return to zero when everything is freed, and no recorded peak ever exceeded its limit. (The
 * benchmark module's {@code Churn} runs the full 8 x 10^6.)
 */
class ConcurrentChurnTest {
    private static final Pattern PEAK = Pattern.compile("(\\w+) (\\d+)/(\\d+)");

    @EveryJdk
    void usedIsExactlyWhatIsLiveAndPeaksStayUnderTheLimits(Jdk jdk) {
        check(jdk, false);
    }

    @EveryJdk
    void theSameOnVirtualThreads(Jdk jdk) {
        jdk.require(21, "virtual threads are final from JDK 21");
        check(jdk, true);
    }

    private static void check(Jdk jdk, boolean virtual) {
        ForkedJvm fork = ForkedJvm.on(jdk).timeoutSeconds(180);
        if (jdk.feature() >= 22) {
            fork.jvmArgs("--enable-native-access=ALL-UNNAMED");
        }
        ForkedJvm.Result r = fork.agent("limit=256m,limit.unsafe=4m,limit.malloc=4m,log=quiet")
                .main(ChurnAllKinds.class, "8", "1000000", virtual ? "virtual" : "platform").run();
        assertEquals(0, r.exitCode(), r.toString());
        String[] lines = r.stdout().split("\n");
        Matcher ops = Pattern.compile("operations (\\d+) kinds (\\d) refused (\\d+)").matcher(lines[0]);
        assertTrue(ops.matches(), r.toString());
        assertEquals(1_000_000, Long.parseLong(ops.group(1)), r.toString());
        assertEquals(jdk.feature() >= 22 ? 4 : 2, Integer.parseInt(ops.group(2)), r.toString());
        assertTrue(Long.parseLong(ops.group(3)) > 1000, "the limits must really be hit: " + r);
        assertEquals(lines[1].substring("live   ".length()), lines[2].substring("agent  ".length()), r.toString());
        assertTrue(lines[1].matches("live   direct [1-9]\\d* unsafe [1-9]\\d* ffm \\d+ malloc \\d+"), r.toString());
        assertEquals("freed  direct 0 unsafe 0 ffm 0 malloc 0", lines[3], r.toString());
        assertEquals("agent  direct 0 unsafe 0 ffm 0 malloc 0", lines[4], r.toString());
        assertEquals(3, withinLimits(lines[5], r), r.toString()); // limit.unsafe, limit.malloc, limit
        assertTrue(lines[5].contains("unsafe 4194304/4194304"), "unsafe used up to its limit, never past: " + r);
        assertTrue(lines[6].startsWith("sampled direct "), r.toString());
        assertEquals(3, withinLimits(lines[6], r), r.toString());
    }

    /** Checks every "kind used/limit" of a line with a limit; returns how many had one. */
    private static int withinLimits(String line, ForkedJvm.Result r) {
        Matcher figure = PEAK.matcher(line);
        int limited = 0;
        while (figure.find()) {
            long limit = Long.parseLong(figure.group(3));
            if (limit > 0) {
                limited++;
                assertTrue(Long.parseLong(figure.group(2)) <= limit, figure.group() + " in " + line + ": " + r);
            }
        }
        return limited;
    }
}
