package dev.alloc.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.alloc.it.programs.TwoSites;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;

/** FFM native segments from every kind of arena under the real agent (issue 3, kind ffm; JDK 22+). */
class FfmArenaTest {
    private static Path program() throws Exception {
        return Paths.get(FfmArenaTest.class.getResource("/programs/FfmArenas.java").toURI());
    }

    @EveryJdk
    void limitStopsAtTheRightCountAndClosingTheArenaMakesTheMemoryReusable(Jdk jdk) throws Exception {
        jdk.require(22, "FFM is final from JDK 22");
        ForkedJvm.Result r = ForkedJvm.on(jdk).agent("limit.ffm=64m,report=stderr").source(program(), "hold").run();
        HoldToTheLimit.assertStoppedAt64ThenReused(r, "ffm", true, "FfmArenas.hold(FfmArenas.java:29)",
                "FfmArenas.hold(FfmArenas.java:39)");
    }

    @EveryJdk
    void everyArenaAndAllocatorIsCountedAttributedAndReleased(Jdk jdk) throws Exception {
        jdk.require(22, "FFM is final from JDK 22");
        ForkedJvm.Result r = ForkedJvm.on(jdk).agent("report=stderr").source(program(), "kinds").run();
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdout().contains("aligned true\n"), r.toString());
        Map<String, ExitReportRows.Row> rows = ExitReportRows.parse(r.stderr());
        assertLive(rows, 46, 0, 1_000_000, r);           // confined, closed
        assertLive(rows, 52, 3 * 777_784L, 3 * 777_784L, r); // shared
        assertLive(rows, 55, 2 * 123_456L, 2 * 123_456L, r); // global
        assertLive(rows, 58, 100_000, 100_000, r);       // SegmentAllocator.allocate(layout, count)
        assertLive(rows, 59, 100_000, 100_000, r);       // SegmentAllocator.allocateFrom(layout, array)
        assertLive(rows, 60, 16, 16, r);                 // allocateFrom(String): 15 chars + NUL, 8-aligned
        assertLive(rows, 63, 333_336, 333_336, r);       // automatic arena, still reachable
        ExitReportRows.Row dropped = rows.get("FfmArenas.dropAutoArena(FfmArenas.java:76)");
        assertNotNull(dropped, r.toString());
        assertEquals(0, dropped.liveBytes(), "freed by GC: " + r);
        assertEquals(4, dropped.totalCount(), r.toString());
        assertEquals("ffm", dropped.kind());
        long live = 3 * 777_784L + 2 * 123_456L + 100_000 + 100_000 + 16 + 333_336;
        assertTrue(r.stderr().contains("; ffm " + live + "; malloc 0"), r.toString());
    }

    @EveryJdk
    void withoutFfmTheStartupLineSaysSoWithoutError(Jdk jdk) {
        assumeTrue(jdk.feature() < 22, "this JDK has FFM");
        ForkedJvm.Result r = ForkedJvm.on(jdk).agent("").main(TwoSites.class).run();
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(List.of("alloc: started: limit none (tracking only), strategy system, tracking direct, unsafe, "
                + "mapped (ffm, malloc unavailable on JDK " + jdk.feature() + "), sites on"), r.agentLines(), r.toString());
    }

    private static void assertLive(Map<String, ExitReportRows.Row> rows, int line, long live, long total,
                                   ForkedJvm.Result r) {
        ExitReportRows.Row row = rows.get("FfmArenas.kinds(FfmArenas.java:" + line + ")");
        assertNotNull(row, "line " + line + ": " + r);
        assertEquals(live, row.liveBytes(), "line " + line + ": " + r);
        assertEquals(total, row.totalBytes(), "line " + line + ": " + r);
        assertEquals("ffm", row.kind());
    }
}
