package dev.alloc.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;

/** libc malloc, calloc, realloc, posix_memalign, aligned_alloc and free through FFM downcalls (issue 3, kind malloc). */
class LibcMallocTest {
    private static ForkedJvm.Result run(Jdk jdk, String options, String mode) throws Exception {
        jdk.require(22, "FFM is final from JDK 22");
        Path program = Paths.get(LibcMallocTest.class.getResource("/programs/LibcMalloc.java").toURI());
        return ForkedJvm.on(jdk).jvmArgs("--enable-native-access=ALL-UNNAMED").agent(options).source(program, mode).run();
    }

    @EveryJdk
    void limitStopsAtTheRightCountAndFreedBlocksAreReusable(Jdk jdk) throws Exception {
        ForkedJvm.Result r = run(jdk, "limit.malloc=64m,report=stderr", "hold");
        HoldToTheLimit.assertStoppedAt64ThenReused(r, "malloc", true, "LibcMalloc.hold(LibcMalloc.java:46)",
                "LibcMalloc.hold(LibcMalloc.java:57)");
    }

    @EveryJdk
    void everyFunctionIsCountedWithExactSizesAndSites(Jdk jdk) throws Exception {
        ForkedJvm.Result r = run(jdk, "report=stderr", "functions");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdout().contains("realloc kept true\nposix_memalign 0 aligned true\naligned_alloc aligned true\n"
                + "kept true\n"), r.toString());
        Map<String, ExitReportRows.Row> rows = ExitReportRows.parse(r.stderr());
        assertRow(rows, "functions(LibcMalloc.java:63)", 0, 1_000_003, r);      // malloc + free (JAVA_LONG)
        assertRow(rows, "functions(LibcMalloc.java:65)", 0, 777_781, r);        // malloc + free (ADDRESS)
        assertRow(rows, "functions(LibcMalloc.java:66)", 333_333, 333_333, r);  // calloc 1001 x 333
        assertRow(rows, "grow(LibcMalloc.java:81)", 0, 5_000, r);               // realloc(NULL, n)
        assertRow(rows, "grow(LibcMalloc.java:83)", 2_000_003, 2_000_003, r);   // realloc moved here
        assertRow(rows, "functions(LibcMalloc.java:70)", 123_457, 123_457, r);  // posix_memalign
        assertRow(rows, "functions(LibcMalloc.java:73)", 64_064, 64_064, r);    // aligned_alloc
        assertTrue(r.stderr().contains("; malloc " + (333_333 + 2_000_003 + 123_457 + 64_064) + "; mapped 0\n"), r.toString());
    }

    /** The agent's 16-byte header sits in front of Unsafe memory: libc's free through FFM must not get the address as it is. */
    @EveryJdk
    void unsafeMemoryGivenToLibcsFreeIsFreedOnceAndCounted(Jdk jdk) throws Exception {
        ForkedJvm.Result r = run(jdk, "report=stderr", "unsafe");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdout().contains("freed by libc\n"), r.toString());
        ExitReportRows.Row row = ExitReportRows.parse(r.stderr()).get("LibcMalloc.unsafeFreedByLibc(LibcMalloc.java:95)");
        assertNotNull(row, r.toString());
        assertEquals("unsafe", row.kind(), r.toString());
        assertEquals(0, row.liveBytes(), r.toString());
        assertEquals(3 * 999_983, row.totalBytes(), r.toString());
        assertTrue(r.stderr().contains("; unsafe 0; ffm 0; malloc 0; mapped 0\n"), r.toString());
    }

    @EveryJdk
    void trackWithoutMallocLeavesDowncallsAlone(Jdk jdk) throws Exception {
        ForkedJvm.Result r = run(jdk, "track=direct+unsafe+ffm,report=stderr", "functions");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stderr().contains("; malloc 0; mapped 0\n"), r.toString());
        assertTrue(r.agentLines().get(0).contains("tracking direct, unsafe, ffm, sites on"), r.toString());
    }

    private static void assertRow(Map<String, ExitReportRows.Row> rows, String site, long live, long total,
                                  ForkedJvm.Result r) {
        ExitReportRows.Row row = rows.get("LibcMalloc." + site);
        assertNotNull(row, site + ": " + r);
        assertEquals(live, row.liveBytes(), site + ": " + r);
        assertEquals(total, row.totalBytes(), site + ": " + r);
        assertEquals("malloc", row.kind(), site);
    }
}
