package dev.alloc.runtime.jmx;

import javax.management.ConstructorParameters;

/** One row of {@link OffHeapMXBean#getTopSites()}; a JMX client sees it as {@code CompositeData}. */
public final class SiteUsage {
    private final String site;
    private final String kind;
    private final long liveBytes;
    private final long liveCount;
    private final long peakLiveBytes;

    @ConstructorParameters({"site", "kind", "liveBytes", "liveCount", "peakLiveBytes"})
    public SiteUsage(String site, String kind, long liveBytes, long liveCount, long peakLiveBytes) {
        this.site = site;
        this.kind = kind;
        this.liveBytes = liveBytes;
        this.liveCount = liveCount;
        this.peakLiveBytes = peakLiveBytes;
    }

    public String getSite() {
        return site;
    }

    public String getKind() {
        return kind;
    }

    public long getLiveBytes() {
        return liveBytes;
    }

    public long getLiveCount() {
        return liveCount;
    }

    public long getPeakLiveBytes() {
        return peakLiveBytes;
    }
}
