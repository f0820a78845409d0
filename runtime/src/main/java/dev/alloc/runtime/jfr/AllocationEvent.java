package dev.alloc.runtime.jfr;

import dev.alloc.runtime.FlightEvents;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.SettingDefinition;
import jdk.jfr.StackTrace;

@Name("dev.alloc.Allocation")
@Label("Off-Heap Allocation")
@Description("An off-heap allocation at or above the minimum size, with the call site that asked for it")
@StackTrace(true)
public final class AllocationEvent extends BlockEvent {
    @Label("Strategy")
    @Description("Where the memory came from: system (malloc, also when the pool could not serve it) or a pool strategy")
    String strategy;

    @Name("minSize")
    @Label("Minimum Size")
    @Description("Smallest allocation recorded, in bytes (a unit k, m or g may follow)")
    @SettingDefinition
    protected boolean minSize(FilterSetting setting) {
        return size >= FlightEvents.allocationMinSize();
    }

    @Name("throttle")
    @Label("Throttle")
    @Description("Most events recorded per time unit, e.g. 100/s, or off; the agent applies it before the event is built")
    @SettingDefinition
    protected boolean throttle(FilterSetting setting) {
        return true;
    }
}
