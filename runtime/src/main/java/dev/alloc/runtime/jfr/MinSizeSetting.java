package dev.alloc.runtime.jfr;

import dev.alloc.runtime.Sizes;
import java.util.Set;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.SettingControl;

/**
 * The {@code minSize} setting of {@code dev.alloc.Allocation} and {@code dev.alloc.Free}: the
 * smallest block that becomes an event, in bytes ({@code 1048576}, {@code 1 MiB}, {@code 1m};
 * units are binary). Several recordings combine to the smallest value. JFR makes one instance
 * per event type; the subclass tells which gate of the bridge the value drives.
 */
@Label("Minimum Size")
@Description("Smallest block size recorded, in bytes")
public abstract class MinSizeSetting extends SettingControl {
    static final String DEFAULT = "1 MiB";

    private volatile long bytes = Sizes.parse(DEFAULT);
    private volatile String text = DEFAULT;

    long bytes() {
        return bytes;
    }

    @Override
    public String combine(Set<String> values) {
        long smallest = Long.MAX_VALUE;
        String chosen = DEFAULT;
        for (String value : values) {
            long parsed = Sizes.parse(value);
            if (parsed >= 0 && parsed < smallest) {
                smallest = parsed;
                chosen = value;
            }
        }
        return chosen;
    }

    @Override
    public void setValue(String value) {
        long parsed = Sizes.parse(value);
        if (parsed >= 0) {
            bytes = parsed;
            text = value;
            changed(parsed);
        }
    }

    @Override
    public String getValue() {
        return text;
    }

    abstract void changed(long newBytes);

    /** The setting of {@code dev.alloc.Allocation}. */
    public static final class ForAllocation extends MinSizeSetting {
        static volatile long current = Sizes.parse(DEFAULT);

        @Override
        void changed(long newBytes) {
            current = newBytes;
            JfrSupport.refreshGates();
        }
    }

    /** The setting of {@code dev.alloc.Free}. */
    public static final class ForFree extends MinSizeSetting {
        static volatile long current = Sizes.parse(DEFAULT);

        @Override
        void changed(long newBytes) {
            current = newBytes;
            JfrSupport.refreshGates();
        }
    }
}
