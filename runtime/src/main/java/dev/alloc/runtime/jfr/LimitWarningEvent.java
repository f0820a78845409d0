package dev.alloc.runtime.jfr;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

@Name("dev.alloc.LimitWarning")
@Label("Off-Heap Limit Warning")
@Description("Off-heap use crossed the warn percentage of a limit")
@Category("Off-Heap Memory")
@StackTrace(true)
public final class LimitWarningEvent extends StackCarryingEvent {
    @Label("Kind")
    @Description("Kind the limit applies to: direct, unsafe, ffm, malloc, mapped, all for the total limit, or budget.<prefix>")
    String kind;

    @Label("Used")
    @Description("Bytes in use under the limit when it was crossed")
    @DataAmount(DataAmount.BYTES)
    long used;

    @Label("Limit")
    @Description("The limit, in bytes")
    @DataAmount(DataAmount.BYTES)
    long limit;

    @Label("Site")
    @Description("The call site whose allocation crossed the warn percentage")
    String site;
}
