package dev.alloc.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.alloc.it.programs.AgronaUnsafe;
import dev.alloc.it.programs.HoldUnsafeBlocks;
import dev.alloc.it.programs.UnsafeBeforeAttach;
import dev.alloc.it.programs.UnsafeRealloc;
import dev.alloc.it.programs.UnsafeSites;
import java.util.Map;

/** {@code sun.misc.Unsafe} memory under the real agent, on every JDK listed (issue 3, kind unsafe). */
class UnsafeMemoryTest {
    private static final String PROGRAMS = "dev.alloc.it.programs.";

    @EveryJdk
    void limitStopsAtTheRightCountNamesTheSiteAndFreedMemoryIsReusable(Jdk jdk) {
        ForkedJvm.Result r = ForkedJvm.on(jdk).agent("limit=64m,report=stderr")
                .main(HoldUnsafeBlocks.class, "100", "1048576").run();
        HoldToTheLimit.assertStoppedAt64ThenReused(r, "unsafe", false, PROGRAMS + "HoldUnsafeBlocks.main(HoldUnsafeBlocks.java:19)",
                PROGRAMS + "HoldUnsafeBlocks.again(HoldUnsafeBlocks.java:37)");
        assertTrue(r.stderr().contains("alloc: used 67108864 bytes (64.0 MiB), peak 64.0 MiB, limit 64.0 MiB; "
                + "direct 0; unsafe 67108864;"), r.toString());
    }

    @EveryJdk
    void reallocateKeepsDataAndMovesTheAccountingToTheReallocatingSite(Jdk jdk) {
        ForkedJvm.Result r = ForkedJvm.on(jdk).agent("limit.unsafe=8m,report=stderr").main(UnsafeRealloc.class).run();
        assertEquals(0, r.exitCode(), r.toString());
        String grow = PROGRAMS + "UnsafeRealloc.grow(UnsafeRealloc.java:38)";
        assertTrue(r.stdout().contains("grown: data kept\nshrunk: data kept\nerror dev.alloc.OffHeapLimitExceededError: "
                + "Off-heap limit exceeded: cannot allocate 9299990 bytes of unsafe memory at " + grow
                + "; used 700001 of 8388608 bytes (limit.unsafe); top holders: "
                + PROGRAMS + "UnsafeRealloc.shrink(UnsafeRealloc.java:42) 700001 (1)\nkept: data kept\n"), r.toString());
        Map<String, ExitReportRows.Row> rows = ExitReportRows.parse(r.stderr());
        ExitReportRows.Row first = rows.get(PROGRAMS + "UnsafeRealloc.allocate(UnsafeRealloc.java:34)");
        ExitReportRows.Row grown = rows.get(grow);
        ExitReportRows.Row shrunk = rows.get(PROGRAMS + "UnsafeRealloc.shrink(UnsafeRealloc.java:42)");
        assertEquals(0, first.liveBytes(), r.toString());
        assertEquals(1_000_003, first.totalBytes(), r.toString());
        assertEquals(0, grown.liveBytes(), r.toString());
        assertEquals(3_000_017, grown.totalBytes(), r.toString());
        assertEquals(700_001, shrunk.liveBytes(), r.toString());
        assertEquals(1, shrunk.liveCount(), r.toString());
        assertTrue(r.stderr().contains("alloc: used 700001 bytes"), r.toString());
        assertTrue(r.stderr().contains("; unsafe 700001;"), r.toString());
    }

    @EveryJdk
    void distinctiveSizesPerSiteAreExact(Jdk jdk) {
        ForkedJvm.Result r = ForkedJvm.on(jdk).agent("report=stderr").main(UnsafeSites.class).run();
        assertEquals(0, r.exitCode(), r.toString());
        Map<String, ExitReportRows.Row> rows = ExitReportRows.parse(r.stderr());
        ExitReportRows.Row a = rows.get(PROGRAMS + "UnsafeSites.siteA(UnsafeSites.java:23)");
        ExitReportRows.Row b = rows.get(PROGRAMS + "UnsafeSites.siteB(UnsafeSites.java:27)");
        assertNotNull(a, r.toString());
        assertNotNull(b, r.toString());
        assertEquals(3 * 1_999_993L, a.liveBytes());
        assertEquals(3, a.liveCount());
        assertEquals(3 * 777_781L, b.liveBytes());
        assertEquals(5 * 777_781L, b.totalBytes());
        assertEquals("unsafe", b.kind());
        assertTrue(r.stderr().contains("alloc: used " + (3 * 1_999_993L + 3 * 777_781L) + " bytes"), r.toString());
        if (jdk.feature() >= 24) {
            // The JDK's own deprecation warning must name the application, not a class of the agent.
            assertTrue(r.stderr().contains("WARNING: sun.misc.Unsafe::allocateMemory has been called by "
                    + PROGRAMS + "UnsafeSites"), r.toString());
            assertFalse(r.stderr().contains("dev.alloc.runtime"), r.toString());
        }
    }

    @EveryJdk
    void blocksTakenBeforeTheAgentPassThroughUncounted(Jdk jdk) {
        ForkedJvm.Result r = ForkedJvm.on(jdk).jvmArgs("-Djdk.attach.allowAttachSelf=true", "-XX:+EnableDynamicAgentLoading")
                .main(UnsafeBeforeAttach.class, ForkedJvm.agentJar().toString(), "report=stderr").run();
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdout().contains("kept true"), r.toString());
        assertTrue(r.stderr().contains("alloc: used 999999 bytes (976.6 KiB), peak 1.9 MiB"), r.toString());
        Map<String, ExitReportRows.Row> rows = ExitReportRows.parse(r.stderr());
        assertEquals(2, rows.size(), r.toString());
        assertEquals(0, rows.get(PROGRAMS + "UnsafeBeforeAttach.main(UnsafeBeforeAttach.java:25)").liveBytes(), r.toString());
        assertEquals(999_999, rows.get(PROGRAMS + "UnsafeBeforeAttach.main(UnsafeBeforeAttach.java:26)").liveBytes(),
                r.toString());
    }

    /** Agrona 2.x calls jdk.internal.misc.Unsafe directly: counted once, at UnsafeApi's constant site, and capped (issue 13). */
    @EveryJdk
    void agronaCallingTheJdksInternalUnsafeIsCountedExactlyAndCapped(Jdk jdk) {
        ForkedJvm.Result r = ForkedJvm.on(jdk).jvmArgs("--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED")
                .agent("limit.unsafe=8m,report=stderr").main(AgronaUnsafe.class).run();
        assertEquals(0, r.exitCode(), r.toString());
        String allocate = "org.agrona.UnsafeApi.allocateMemory(UnsafeApi.java)";
        assertTrue(r.stdout().startsWith("allocated 1999993\nreallocated 3000017 kept true\nfreed 0\n"
                + "dev.alloc.OffHeapLimitExceededError: Off-heap limit exceeded: cannot allocate 9999991 bytes of unsafe memory at "
                + allocate + "; used 0 of 8388608 bytes (limit.unsafe)"), r.toString());
        assertTrue(r.stdout().endsWith("\nafter 0\n"), r.toString());
        Map<String, ExitReportRows.Row> rows = ExitReportRows.parse(r.stderr());
        assertEquals(1_999_993, rows.get(allocate).totalBytes(), r.toString());
        ExitReportRows.Row grown = rows.get("org.agrona.UnsafeApi.reallocateMemory(UnsafeApi.java)");
        assertEquals(3_000_017, grown.totalBytes(), r.toString());
        assertEquals(0, grown.liveBytes(), r.toString());
        assertEquals("unsafe", grown.kind(), r.toString());
    }
}
