package dev.alloc.runtime.jfr;

import dev.alloc.runtime.FlightEvents;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.SettingDefinition;
import jdk.jfr.StackTrace;

@Name("dev.alloc.Free")
@Label("Off-Heap Free")
@Description("An off-heap block at or above the minimum size given back, explicitly, by a Cleaner after GC or by an "
        + "arena close")
@Enabled(false)
@StackTrace(false)
public final class FreeEvent extends BlockEvent {
    @Name("minSize")
    @Label("Minimum Size")
    @Description("Smallest freed block recorded, in bytes (a unit k, m or g may follow)")
    @SettingDefinition
    protected boolean minSize(FilterSetting setting) {
        return size >= FlightEvents.freeMinSize();
    }

    @Name("throttle")
    @Label("Throttle")
    @Description("Most events recorded per time unit, e.g. 100/s, or off; the agent applies it before the event is built")
    @SettingDefinition
    protected boolean throttle(FilterSetting setting) {
        return true;
    }
}
