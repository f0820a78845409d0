package dev.alloc.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.alloc.it.programs.MappedFiles;
import java.util.Map;

/** Kind {@code mapped} (issue 13): file mappings counted with their site, equal to the JDK's pool, capped only by limit.mapped. */
class MappedFileTest {
    @EveryJdk
    void threeMappingsAreCountedAsTheJdksPoolCountsThemOutsideTheTotalUntilUnmapped(Jdk jdk) {
        String file = ForkedJvm.workDir("mapped").resolve("regions-" + jdk.feature() + ".bin").toString();
        ForkedJvm.Result r = ForkedJvm.on(jdk).agent("limit=1m,limit.mapped=6m,report=stderr")
                .main(MappedFiles.class, file).run();
        assertEquals(0, r.exitCode(), r.toString());
        String site = "dev.alloc.it.programs.MappedFiles.map(MappedFiles.java:50)";
        assertEquals("mapped 5999979 pool 5999979 used 0\n"
                + "dev.alloc.OffHeapLimitExceededError: Off-heap limit exceeded: cannot allocate 1999993 bytes of mapped memory at "
                + site + "; used 5999979 of 6291456 bytes (limit.mapped); top holders: " + site + " 5999979 (3)\n"
                + "unmapped 0 pool 0\n", r.stdout(), r.toString());
        Map<String, ExitReportRows.Row> rows = ExitReportRows.parse(r.stderr());
        ExitReportRows.Row row = rows.get(site);
        assertEquals("mapped", row.kind(), r.toString());
        assertEquals(0, row.liveBytes(), r.toString());
        assertEquals(3 * 1_999_993L, row.totalBytes(), r.toString());
        assertTrue(r.stderr().contains("; malloc 0; mapped 0\n"), r.toString());
    }
}
