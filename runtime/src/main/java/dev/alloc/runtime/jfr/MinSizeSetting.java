package dev.alloc.runtime.jfr;

import java.util.Set;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.SettingControl;

/**
 * The {@code minSize} setting of {@code dev.alloc.Allocation} and {@code dev.alloc.Free}: the
 * smallest block that becomes an event, in bytes ({@code 1048576}, {@code 1 MiB}, {@code 1m};
 * units are binary). It exists so that a {@code .jfc} file, {@code Recording.enable(...).with}
 * and JMC's recording wizard can set it; {@link RecordingSettings} reads the values from the
 * running recordings, because JDK 17 drops what {@link #combine} returns for settings defined
 * outside the JDK (it calls {@code setValue(null)}).
 */
@Label("Minimum Size")
@Description("Smallest block size recorded, in bytes")
public final class MinSizeSetting extends SettingControl {
    static final String NAME = "minSize";
    static final String DEFAULT = "1 MiB";

    private String text = DEFAULT;

    @Override
    public String combine(Set<String> values) {
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
