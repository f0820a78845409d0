package dev.alloc.runtime.jfr;

import java.util.Set;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.SettingControl;

/**
 * The {@code minSize} and {@code throttle} settings of {@code dev.alloc.Allocation} and
 * {@code dev.alloc.Free}, which the agent applies itself before an event is built. They exist so
 * that a {@code .jfc} file, {@code Recording.enable(...).with(...)} and JMC's recording wizard can
 * set them; {@link RecordingSettings} reads the values from the running recordings.
 *
 * <p>Two JDK 17 traits shape this class. {@code Control.apply} drops what {@link #combine}
 * returns for settings defined outside the JDK (it then calls {@code setValue(null)}), hence
 * the reading from the recordings. And the order in which JFR hands setting controls to an
 * event's setting methods is not stable when an event has two setting classes (a
 * {@code ClassCastException} between them was seen), hence one class for both settings: the
 * setting methods never read their control.
 */
@Label("Off-Heap Event Filter")
@Description("minSize: smallest block recorded, in bytes (1048576, 1 MiB, 64k); throttle: most events per time unit "
        + "(100/s) or off")
public final class FilterSetting extends SettingControl {
    private String text = "";

    @Override
    public String combine(Set<String> values) {
        for (String value : values) {
            if (Throttle.parse(value) != null) {
                return RecordingSettings.highestRate(values);
            }
        }
        return RecordingSettings.smallestSize(values);
    }

    @Override
    public void setValue(String value) {
        if (value != null) {
            text = value;
        }
        JfrSupport.refreshGates();
    }

    @Override
    public String getValue() {
        return text;
    }
}
