package dev.alloc.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

/**
 * What every kind's "hold" program must show under a 64 MiB limit with 1 MiB blocks: stopped at
 * exactly 64 blocks by our error naming the site, then, everything freed, 64 blocks again from
 * a second site, which is what is live at exit.
 */
final class HoldToTheLimit {
    private HoldToTheLimit() {
    }

    /** {@code perKindLimit}: the limit was {@code limit.<kind>}, not {@code limit}. */
    static void assertStoppedAt64ThenReused(ForkedJvm.Result r, String kind, boolean perKindLimit, String site,
                                            String againSite) {
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdout().contains("error dev.alloc.OffHeapLimitExceededError: Off-heap limit exceeded: "
                + "cannot allocate 1048576 bytes of " + kind + " memory at " + site + "; used 67108864 of 67108864 bytes"
                + (perKindLimit ? " (limit." + kind + ")" : "") + "; top holders: " + site + " 67108864 (64)\n"
                + "held 64\nagain 64\n"), r.toString());
        Map<String, ExitReportRows.Row> rows = ExitReportRows.parse(r.stderr());
        assertEquals(0, rows.get(site).liveBytes(), r.toString());
        assertEquals(64, rows.get(site).totalCount(), r.toString());
        assertEquals(64L << 20, rows.get(againSite).liveBytes(), r.toString());
        assertEquals(kind, rows.get(againSite).kind(), r.toString());
        assertTrue(r.stderr().contains("; " + kind + " 67108864"), r.toString());
    }
}
