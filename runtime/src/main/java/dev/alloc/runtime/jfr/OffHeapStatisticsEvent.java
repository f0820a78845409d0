package dev.alloc.runtime.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;

@Name("dev.alloc.OffHeapStatistics")
@Label("Off-Heap Statistics")
@Description("Off-heap memory in use, its peak and limit, by kind, periodically")
@Category("Off-Heap Memory")
@Period("1 s")
@StackTrace(false)
public final class OffHeapStatisticsEvent extends Event {
    @Label("Used")
    @Description("Live off-heap bytes of all tracked kinds")
    @DataAmount(DataAmount.BYTES)
    long used;

    @Label("Limit")
    @Description("The limit on all kinds together, 0 for none")
    @DataAmount(DataAmount.BYTES)
    long limit;

    @Label("Peak")
    @Description("Most bytes ever used at once")
    @DataAmount(DataAmount.BYTES)
    long peak;

    @Label("Used Direct")
    @Description("Live bytes of direct buffers")
    @DataAmount(DataAmount.BYTES)
    long usedDirect;

    @Label("Used Unsafe")
    @Description("Live bytes of sun.misc.Unsafe memory")
    @DataAmount(DataAmount.BYTES)
    long usedUnsafe;

    @Label("Used FFM")
    @Description("Live bytes of FFM native segments")
    @DataAmount(DataAmount.BYTES)
    long usedFfm;

    @Label("Used Malloc")
    @Description("Live bytes of malloc called through FFM downcalls")
    @DataAmount(DataAmount.BYTES)
    long usedMalloc;

    @Label("Used Mapped")
    @Description("Live bytes of file mappings (FileChannel.map, FFM file mappings); not part of used or the limit")
    @DataAmount(DataAmount.BYTES)
    long usedMapped;

    @Label("Used by Budget")
    @Description("Live bytes charged to each budget by package prefix, e.g. io.netty=1999993, com.example=0; empty without budgets")
    String usedByBudget;

    @Label("Strategy")
    @Description("Where the memory comes from: system (malloc) or a pool strategy")
    String strategy;

    @Label("Pool Reserved")
    @Description("Bytes the pool may take from the operating system, 0 without a pool")
    @DataAmount(DataAmount.BYTES)
    long poolReserved;

    @Label("Pool Free")
    @Description("Bytes of the pool not in live blocks, 0 without a pool")
    @DataAmount(DataAmount.BYTES)
    long poolFree;
}
