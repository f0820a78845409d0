package dev.alloc.runtime.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

@Name("dev.alloc.CallSiteUsage")
@Label("Off-Heap Call Site Usage")
@Description("Exact counters of one call site, periodically: each site holding memory, and each site whose memory "
        + "changed since the last period; how its memory went away and how old its oldest live block is")
@Category("Off-Heap Memory")
@Period("1 s")
@StackTrace(false)
public final class CallSiteUsageEvent extends Event {
    @Label("Site")
    @Description("The call site, e.g. com.example.Cache.grow(Cache.java:42)")
    String site;

    @Label("Kind")
    @Description("Kind of off-heap memory: direct, unsafe, ffm or malloc")
    String kind;

    @Label("Live Bytes")
    @Description("Bytes allocated here and not freed yet")
    @DataAmount(DataAmount.BYTES)
    long liveBytes;

    @Label("Live Count")
    @Description("Blocks allocated here and not freed yet")
    long liveCount;

    @Label("Peak Live Bytes")
    @Description("Most live bytes this site ever held at once")
    @DataAmount(DataAmount.BYTES)
    long peakLiveBytes;

    @Label("Total Bytes")
    @Description("Bytes ever allocated here")
    @DataAmount(DataAmount.BYTES)
    long totalBytes;

    @Label("Total Count")
    @Description("Blocks ever allocated here")
    long totalCount;

    @Label("Freed Explicitly")
    @Description("Bytes freed by the program: freeMemory, Unsafe.invokeCleaner, free")
    @DataAmount(DataAmount.BYTES)
    long freedExplicitBytes;

    @Label("Freed Explicitly Count")
    @Description("Blocks freed by the program")
    long freedExplicitCount;

    @Label("Freed by GC")
    @Description("Bytes freed by a Cleaner after the garbage collector found their owner unreachable")
    @DataAmount(DataAmount.BYTES)
    long freedByGcBytes;

    @Label("Freed by GC Count")
    @Description("Blocks freed by a Cleaner after GC")
    long freedByGcCount;

    @Label("Freed by Arena Close")
    @Description("Bytes freed when their FFM arena closed")
    @DataAmount(DataAmount.BYTES)
    long freedByCloseBytes;

    @Label("Freed by Arena Close Count")
    @Description("Blocks freed when their FFM arena closed")
    long freedByCloseCount;

    @Label("Oldest Live Age")
    @Description("Age of the oldest block of this site still live (0 when none is); a site whose oldest block keeps "
            + "ageing while its live bytes grow is a leak, one whose old blocks go away with GC is waiting for GC")
    @Timespan(Timespan.MILLISECONDS)
    long oldestLiveAge;
}
