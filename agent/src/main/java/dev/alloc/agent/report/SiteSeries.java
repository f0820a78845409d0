package dev.alloc.agent.report;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;

/**
 * A site's live bytes on the charts' time grid (the statistics samples). Each site sample goes to
 * the nearest grid time, so the small skew between events of one period does not matter.
 * {@code CallSiteUsage} is emitted each period for every site that holds memory or changed, so a
 * grid time no sample of the site went to means it held nothing then.
 */
final class SiteSeries {
    private SiteSeries() {
    }

    static long[] onGrid(Recording.Site site, List<Instant> grid) {
        long[] values = new long[grid.size()];
        if (grid.isEmpty()) {
            return values;
        }
        for (Recording.SiteSample sample : site.samples()) {
            values[nearest(grid, sample.time())] = sample.liveBytes(); // later samples win
        }
        return values;
    }

    private static int nearest(List<Instant> grid, Instant time) {
        int found = Collections.binarySearch(grid, time);
        if (found >= 0) {
            return found;
        }
        int after = -found - 1;
        if (after == 0) {
            return 0;
        }
        if (after == grid.size()) {
            return grid.size() - 1;
        }
        Duration toBefore = Duration.between(grid.get(after - 1), time);
        Duration toAfter = Duration.between(time, grid.get(after));
        return toBefore.compareTo(toAfter) <= 0 ? after - 1 : after;
    }
}
