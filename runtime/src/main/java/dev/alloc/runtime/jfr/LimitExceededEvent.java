package dev.alloc.runtime.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

@Name("dev.alloc.LimitExceeded")
@Label("Off-Heap Limit Exceeded")
@Description("An allocation that would pass an off-heap limit: failed, or allowed by policy=warn")
@Category("Off-Heap Memory")
@StackTrace(true)
public final class LimitExceededEvent extends StackCarryingEvent {
    @Label("Kind")
    @Description("Kind of off-heap memory asked for: direct, unsafe, ffm or malloc")
    String kind;

    @Label("Requested")
    @Description("Bytes the allocation asked for")
    @DataAmount(DataAmount.BYTES)
    long requested;

    @Label("Used")
    @Description("Bytes in use under the limit that was hit")
    @DataAmount(DataAmount.BYTES)
    long used;

    @Label("Limit")
    @Description("The limit that was hit, in bytes")
    @DataAmount(DataAmount.BYTES)
    long limit;

    @Label("Site")
    @Description("The call site that asked for the memory")
    String site;

    @Label("Top Site")
    @Description("The site holding the most live bytes under that limit")
    String topSite;
}
