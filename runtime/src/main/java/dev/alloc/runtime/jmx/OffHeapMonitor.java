package dev.alloc.runtime.jmx;

import dev.alloc.runtime.Kind;
import dev.alloc.runtime.LimitChange;
import dev.alloc.runtime.Limiter;
import dev.alloc.runtime.SiteRegistry;
import dev.alloc.runtime.report.SiteTable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@link OffHeapMXBean} over the live limiter and site registry. */
public final class OffHeapMonitor implements OffHeapMXBean {
    /** Rows of {@link #getTopSites()}. */
    static final int TOP_SITES = 20;

    private final Limiter limiter;
    private final SiteRegistry sites;
    private final String strategy;

    public OffHeapMonitor(Limiter limiter, SiteRegistry sites, String strategy) {
        this.limiter = limiter;
        this.sites = sites;
        this.strategy = strategy;
    }

    @Override
    public long getLimit() {
        return limiter.limit(Limiter.TOTAL);
    }

    @Override
    public void setLimit(long bytes) {
        LimitChange.apply(limiter, bytes, "through JMX");
    }

    @Override
    public long getUsed() {
        return limiter.used(Limiter.TOTAL);
    }

    @Override
    public long getPeak() {
        return limiter.peak(Limiter.TOTAL);
    }

    @Override
    public Map<String, Long> getUsedByKind() {
        Map<String, Long> used = new LinkedHashMap<>();
        for (int kind = 0; kind < Kind.COUNT; kind++) {
            used.put(Kind.name(kind), limiter.used(kind));
        }
        return used;
    }

    @Override
    public Map<String, Long> getUsedByBudget() {
        return sites.budgets().used(limiter);
    }

    @Override
    public String getStrategy() {
        return strategy;
    }

    @Override
    public SiteUsage[] getTopSites() {
        List<SiteTable.Row> rows = SiteTable.snapshot(sites, -1);
        int n = 0;
        while (n < rows.size() && n < TOP_SITES && rows.get(n).liveBytes > 0) {
            n++;
        }
        SiteUsage[] top = new SiteUsage[n];
        for (int i = 0; i < n; i++) {
            SiteTable.Row row = rows.get(i);
            top[i] = new SiteUsage(row.site, row.kind, row.liveBytes, row.liveCount, row.peakLiveBytes);
        }
        return top;
    }

    @Override
    public void resetPeak() {
        limiter.resetPeaks();
    }
}
