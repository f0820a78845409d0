package dev.alloc.runtime.jfr;

import dev.alloc.runtime.AddressTable;
import dev.alloc.runtime.BlockInfo;
import dev.alloc.runtime.Kind;
import dev.alloc.runtime.OffHeap;
import dev.alloc.runtime.SiteContext;
import dev.alloc.runtime.SiteRegistry;
import java.util.Arrays;

/**
 * Emits {@code dev.alloc.CallSiteUsage} once per period: one event for each site that holds
 * memory, and one for each site whose counters moved since the previous period (so the period
 * in which a site's last block goes away shows how it went). The oldest live block of each site
 * comes from one scan of the live blocks (address table and slot pages), which carry their allocation time.
 * Runs on Flight Recorder's periodic thread only, so its arrays need no synchronisation.
 */
final class CallSiteUsageHook implements Runnable, AddressTable.Visitor {
    private final SiteRegistry sites;
    /** Per site: the allocation time of its oldest live block seen in this scan. */
    private long[] oldest = new long[0];
    /** Per site: allocations plus frees at the previous emission, to see whether it moved. */
    private long[] lastActivity = new long[0];
    private int scanned;

    CallSiteUsageHook(SiteRegistry sites) {
        this.sites = sites;
    }

    @Override
    public void run() {
        SiteContext context = SiteContext.current();
        boolean wasInAgent = context.enterAgent();
        try {
            emit();
        } finally {
            context.exitAgent(wasInAgent);
        }
    }

    private void emit() {
        int count = sites.size();
        if (oldest.length < count) {
            oldest = new long[count * 2];
            lastActivity = Arrays.copyOf(lastActivity, count * 2);
        }
        Arrays.fill(oldest, 0, count, Long.MAX_VALUE);
        scanned = count;
        OffHeap.forEachLiveBlock(this);
        long now = System.currentTimeMillis();
        for (int site = 0; site < count; site++) {
            long liveCount = sites.counter(site, SiteRegistry.LIVE_COUNT);
            long activity = sites.counter(site, SiteRegistry.TOTAL_COUNT)
                    + sites.counter(site, SiteRegistry.FREED_EXPLICIT_COUNT)
                    + sites.counter(site, SiteRegistry.FREED_GC_COUNT)
                    + sites.counter(site, SiteRegistry.FREED_CLOSE_COUNT);
            if (liveCount <= 0 && activity == lastActivity[site]) {
                continue;
            }
            lastActivity[site] = activity;
            CallSiteUsageEvent event = new CallSiteUsageEvent();
            event.site = sites.name(site);
            event.kind = Kind.name(sites.kind(site));
            event.liveBytes = sites.counter(site, SiteRegistry.LIVE_BYTES);
            event.liveCount = liveCount;
            event.peakLiveBytes = sites.counter(site, SiteRegistry.PEAK_LIVE_BYTES);
            event.totalBytes = sites.counter(site, SiteRegistry.TOTAL_BYTES);
            event.totalCount = sites.counter(site, SiteRegistry.TOTAL_COUNT);
            event.freedExplicitBytes = sites.counter(site, SiteRegistry.FREED_EXPLICIT_BYTES);
            event.freedExplicitCount = sites.counter(site, SiteRegistry.FREED_EXPLICIT_COUNT);
            event.freedByGcBytes = sites.counter(site, SiteRegistry.FREED_GC_BYTES);
            event.freedByGcCount = sites.counter(site, SiteRegistry.FREED_GC_COUNT);
            event.freedByCloseBytes = sites.counter(site, SiteRegistry.FREED_CLOSE_BYTES);
            event.freedByCloseCount = sites.counter(site, SiteRegistry.FREED_CLOSE_COUNT);
            long born = oldest[site];
            event.oldestLiveAge = liveCount > 0 && born != Long.MAX_VALUE ? Math.max(0, now - born) : 0;
            event.commit();
        }
    }

    /** One live block of the scan; blocks stamped 0 (before the clock ran) have no age. */
    @Override
    public void visit(long address, long info, long timeMillis) {
        int site = BlockInfo.site(info);
        if (timeMillis != 0 && site < scanned && timeMillis < oldest[site]) {
            oldest[site] = timeMillis;
        }
    }
}
