package dev.alloc.agent.report;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A site's live bytes on the charts' time grid. {@code CallSiteUsage} is emitted each period for
 * every site that holds memory or changed, so a grid time with no sample of the site nearby
 * means it held nothing then.
 */
final class SiteSeries {
    private SiteSeries() {
    }

    static long[] onGrid(Recording.Site site, List<Instant> grid, Duration tolerance) {
        long[] values = new long[grid.size()];
        List<Recording.SiteSample> samples = site.samples();
        int next = 0;
        for (int i = 0; i < grid.size(); i++) {
            Instant at = grid.get(i);
            while (next < samples.size() && samples.get(next).time().isBefore(at.minus(tolerance))) {
                next++;
            }
            if (next < samples.size() && !samples.get(next).time().isAfter(at.plus(tolerance))) {
                values[i] = samples.get(next).liveBytes();
            }
        }
        return values;
    }
}
