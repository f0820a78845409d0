package dev.alloc.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.alloc.it.programs.FourThreadsToTheLimit;
import dev.alloc.it.programs.HoldDirectBuffers;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code policy=exit}: the first over-limit allocation logs, reports and exits with status 3 (issue 7). */
class PolicyExitTest {
    static final String SITE = "dev.alloc.it.programs.HoldDirectBuffers.main(HoldDirectBuffers.java:15)";
    static final String ERROR = "alloc: policy=exit: Off-heap limit exceeded: cannot allocate 1048583 bytes of direct "
            + "memory at " + SITE + "; used 4194332 of 5242880 bytes; top holders: " + SITE + " 4194332 (4); "
            + "exiting with status 3";

    @EveryJdk
    void exitsWithStatus3AfterTheErrorAndTheReport(Jdk jdk) {
        ForkedJvm.Result r = ForkedJvm.on(jdk).agent("limit=5m,policy=exit").main(HoldDirectBuffers.class, "100", "1048583").run();
        assertEquals(3, r.exitCode(), r.toString());
        assertEquals("", r.stdout(), "the program never saw the error: " + r);
        assertTrue(r.stderr().contains(ERROR + "\n"), r.toString());
        ExitReportRows.Row row = ExitReportRows.parse(r.stderr()).get(SITE);
        assertNotNull(row, r.toString());
        assertEquals(4_194_332L, row.liveBytes());
        assertEquals(4, row.liveCount());
        assertTrue(r.stderr().indexOf(ERROR) < r.stderr().indexOf("alloc: off-heap memory by call site"), r.toString());
    }

    @EveryJdk
    void theReportGoesToTheReportFileOnce(Jdk jdk) throws Exception {
        Path report = ForkedJvm.workDir("policy-exit-" + jdk.feature()).resolve("report.txt");
        Files.deleteIfExists(report);
        ForkedJvm.Result r = ForkedJvm.on(jdk).agent("limit=5m,policy=exit,report=" + report)
                .main(HoldDirectBuffers.class, "100", "1048583").run();
        assertEquals(3, r.exitCode(), r.toString());
        assertTrue(r.stderr().contains(ERROR), r.toString());
        assertFalse(r.stderr().contains("alloc: off-heap memory by call site"), r.toString());
        String text = Files.readString(report);
        assertEquals(text.indexOf("alloc: off-heap memory by call site"), text.lastIndexOf("alloc: off-heap memory by call site"),
                "written once, not again by the shutdown hook:\n" + text);
        assertEquals(4_194_332L, ExitReportRows.parse(text).get(SITE).liveBytes());
    }

    @EveryJdk
    void shutdownHooksRunSoTheRecordingHoldsTheLimitEvent(Jdk jdk) throws Exception {
        Path jfr = ForkedJvm.workDir("policy-exit-jfr-" + jdk.feature()).resolve("exit.jfr");
        Files.deleteIfExists(jfr);
        ForkedJvm.Result r = ForkedJvm.on(jdk).agent("limit=5m,policy=exit,jfr=" + jfr)
                .main(HoldDirectBuffers.class, "100", "1048583").run();
        assertEquals(3, r.exitCode(), r.toString());
        ForkedJvm.Result report = ForkedJvm.on(jdk).jar(ForkedJvm.agentJar(), "report", jfr.toString()).run();
        assertEquals(0, report.exitCode(), report.toString());
        assertTrue(report.stdout().contains("limit events: 1 exceeded, 0 warnings\n"), report.toString());
        assertTrue(report.stdout().contains("exceeded  direct  requested 1,048,583, used 4,194,332 of 5,242,880 at " + SITE),
                report.toString());
    }

    @EveryJdk
    void otherThreadsReachingTheLimitWaitForTheExit(Jdk jdk) {
        ForkedJvm.Result r = ForkedJvm.on(jdk).agent("limit=8m,policy=exit")
                .main(FourThreadsToTheLimit.class, "65537").run();
        assertEquals(3, r.exitCode(), r.toString());
        assertEquals("", r.stdout(), "no thread saw the error: " + r);
        assertEquals(1, r.stderr().split("alloc: policy=exit: ", -1).length - 1, r.toString());
        assertTrue(r.stderr().contains("bytes; top holders: dev.alloc.it.programs.FourThreadsToTheLimit.lambda$main$0("
                + "FourThreadsToTheLimit.java:23) 8"), r.toString());
    }

    @EveryJdk
    void underTheLimitTheProgramEndsNormally(Jdk jdk) {
        ForkedJvm.Result r = ForkedJvm.on(jdk).agent("limit=5m,policy=exit").main(HoldDirectBuffers.class, "4", "1048583").run();
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("held 4\n", r.stdout());
    }
}
