package dev.alloc.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.alloc.it.programs.DropBuffers;
import dev.alloc.it.programs.FreeWithInvokeCleaner;
import dev.alloc.it.programs.HoldDirectBuffers;
import dev.alloc.it.programs.OverLimitWarn;
import dev.alloc.it.programs.TemporaryBuffers;
import dev.alloc.it.programs.TwoSites;
import dev.alloc.it.programs.UsesLibrary;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;

/** Direct buffers under the real agent, on every JDK listed (issue: foundation). */
class DirectBufferTest {
    @EveryJdk
    void limitStopsAtTheRightCountAndNamesTheSite(Jdk jdk) {
        ForkedJvm.Result r = ForkedJvm.on(jdk).agent("limit=64m").main(HoldDirectBuffers.class, "100", "1048576").run();
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdout().contains("held 64\n"), r.toString());
        String site = "dev.alloc.it.programs.HoldDirectBuffers.main(HoldDirectBuffers.java:15)";
        assertTrue(r.stdout().contains("error dev.alloc.OffHeapLimitExceededError: Off-heap limit exceeded: "
                + "cannot allocate 1048576 bytes of direct memory at " + site + "; used 67108864 of 67108864 bytes; "
                + "top holders: " + site + " 67108864 (64)"), r.toString());
    }

    @EveryJdk
    void exactLiveBytesPerSiteInTheReport(Jdk jdk) {
        ForkedJvm.Result r = ForkedJvm.on(jdk).agent("report=stderr").main(TwoSites.class).run();
        assertEquals(0, r.exitCode(), r.toString());
        Map<String, ExitReportRows.Row> rows = ExitReportRows.parse(r.stderr());
        ExitReportRows.Row a = rows.get("dev.alloc.it.programs.TwoSites.siteA(TwoSites.java:22)");
        ExitReportRows.Row b = rows.get("dev.alloc.it.programs.TwoSites.siteB(TwoSites.java:26)");
        assertNotNull(a, r.toString());
        assertNotNull(b, r.toString());
        assertEquals(5 * 1_999_993L, a.liveBytes());
        assertEquals(5, a.liveCount());
        assertEquals(7 * 1_048_583L, b.liveBytes());
        assertEquals(7, b.liveCount());
        assertEquals("direct", a.kind());
    }

    @EveryJdk
    void droppedBuffersAreReclaimedAndReused(Jdk jdk) {
        ForkedJvm.Result r = ForkedJvm.on(jdk).agent("limit=64m,report=stderr").jvmArgs("-Xmx256m")
                .main(DropBuffers.class, "1000").run();
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdout().startsWith("allocated 1000"), r.toString());
        ExitReportRows.Row row = ExitReportRows.parse(r.stderr())
                .get("dev.alloc.it.programs.DropBuffers.main(DropBuffers.java:15)");
        assertNotNull(row, r.toString());
        assertEquals(1000, row.totalCount());
        // Once the JDK's own count of direct buffers is 0, every free was counted: none is left live.
        assertTrue(r.stdout().contains("\ndirect buffers left 0\n"), r.toString());
        assertEquals(0, row.liveBytes(), r.toString());
        assertEquals(0, row.liveCount(), r.toString());
        assertTrue(r.stderr().contains("alloc: used 0 bytes ("), r.toString());
    }

    @EveryJdk
    void invokeCleanerReleasesAtOnce(Jdk jdk) {
        // Explicit GC disabled and a heap too large to need a collection: only invokeCleaner can free.
        ForkedJvm.Result r = ForkedJvm.on(jdk).agent("limit=64m,report=stderr")
                .jvmArgs("-XX:+DisableExplicitGC", "-Xms512m", "-Xmx512m")
                .main(FreeWithInvokeCleaner.class, "10").run();
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdout().contains("rounds 10 kept 1999993"), r.toString());
        Map<String, ExitReportRows.Row> rows = ExitReportRows.parse(r.stderr());
        ExitReportRows.Row freed = rows.get("dev.alloc.it.programs.FreeWithInvokeCleaner.main(FreeWithInvokeCleaner.java:21)");
        assertNotNull(freed, r.toString());
        assertEquals(0, freed.liveBytes());
        assertEquals(600, freed.totalCount());
        assertTrue(r.stderr().contains("alloc: used 1999993 bytes"), r.toString());
    }

    @EveryJdk
    void singleFileSourceProgramIsAttributedToItsOwnLine(Jdk jdk) throws Exception {
        Path source = Paths.get(getClass().getResource("/programs/SourceLeak.java").toURI());
        ForkedJvm.Result r = ForkedJvm.on(jdk).agent("report=stderr").source(source).run();
        assertEquals(0, r.exitCode(), r.toString());
        ExitReportRows.Row row = ExitReportRows.parse(r.stderr()).get("SourceLeak.main(SourceLeak.java:10)");
        assertNotNull(row, r.toString());
        assertEquals(4 * 1_234_567L, row.liveBytes());
    }

    @EveryJdk
    void policyWarnAllowsAndReports(Jdk jdk) {
        ForkedJvm.Result r = ForkedJvm.on(jdk).agent("limit=10m,policy=warn,report=stderr").main(OverLimitWarn.class).run();
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdout().contains("held 20"), r.toString());
        assertTrue(r.stderr().contains("alloc: over the limit (policy=warn, allowed): allocated 1048576 bytes of direct "
                + "memory at dev.alloc.it.programs.OverLimitWarn.main(OverLimitWarn.java:12); used 10485760 of 10485760 bytes"),
                r.toString());
        assertTrue(r.stderr().contains("alloc: warning: off-heap use reached 9.0 MiB of limit 10.0 MiB (90%)"), r.toString());
        assertTrue(r.stderr().contains("alloc: used 20971520 bytes"), r.toString());
    }

    @EveryJdk
    void jdkTemporaryBuffersAreAttributedToTheFirstApplicationFrame(Jdk jdk) {
        ForkedJvm.Result r = ForkedJvm.on(jdk).agent("report=stderr").main(TemporaryBuffers.class).run();
        assertEquals(0, r.exitCode(), r.toString());
        ExitReportRows.Row row = ExitReportRows.parse(r.stderr())
                .get("dev.alloc.it.programs.TemporaryBuffers.writeLarge(TemporaryBuffers.java:27)");
        assertNotNull(row, r.toString());
        assertTrue(row.totalBytes() >= 3_333_331L, r.toString());
    }

    @EveryJdk
    void siteSkipMovesAttributionPastLibraryFrames(Jdk jdk) {
        ForkedJvm.Result plain = ForkedJvm.on(jdk).agent("report=stderr").main(UsesLibrary.class).run();
        assertNotNull(ExitReportRows.parse(plain.stderr())
                .get("dev.alloc.it.programs.lib.BufferLibrary.buffer(BufferLibrary.java:11)"), plain.toString());
        ForkedJvm.Result skipped = ForkedJvm.on(jdk).agent("report=stderr,site.skip=dev.alloc.it.programs.lib.")
                .main(UsesLibrary.class).run();
        ExitReportRows.Row row = ExitReportRows.parse(skipped.stderr())
                .get("dev.alloc.it.programs.UsesLibrary.fromApplication(UsesLibrary.java:19)");
        assertNotNull(row, skipped.toString());
        assertEquals(3 * 777_781L, row.liveBytes());
    }
}
