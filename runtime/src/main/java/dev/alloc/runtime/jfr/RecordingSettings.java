package dev.alloc.runtime.jfr;

import dev.alloc.runtime.report.Sizes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import jdk.jfr.RecordingState;

/**
 * What the running recordings ask of one event with a size threshold and a throttle: whether
 * any enables it, the smallest {@code minSize} among those that do, and the highest
 * {@code throttle}. Read from each recording's settings (keyed {@code <event name or id>#<setting>})
 * rather than from JFR's combined value, which JDK 17 loses for settings defined outside the JDK.
 */
final class RecordingSettings {
    private RecordingSettings() {
    }

    /** The values of one setting of {@code type} in the running recordings that enable it. */
    static List<String> valuesOf(EventType type, boolean enabledByDefault, String setting, String defaultValue) {
        List<String> values = new ArrayList<>();
        if (!type.isEnabled()) {
            return values;
        }
        String byName = type.getName() + "#";
        String byId = type.getId() + "#";
        for (Recording recording : FlightRecorder.getFlightRecorder().getRecordings()) {
            if (recording.getState() != RecordingState.RUNNING) {
                continue;
            }
            Map<String, String> settings = recording.getSettings();
            String enabled = lookup(settings, byName, byId, "enabled");
            if (enabled == null ? enabledByDefault : Boolean.parseBoolean(enabled.trim())) {
                String value = lookup(settings, byName, byId, setting);
                values.add(value == null ? defaultValue : value);
            }
        }
        return values;
    }

    private static String lookup(Map<String, String> settings, String byName, String byId, String setting) {
        String value = settings.get(byName + setting);
        return value != null ? value : settings.get(byId + setting);
    }

    /** The smallest valid size among {@code values} (text as given), or null if none is valid. */
    static String smallestSize(Collection<String> values) {
        long smallest = Long.MAX_VALUE;
        String chosen = null;
        for (String value : values) {
            long bytes = bytes(value);
            if (bytes >= 0 && bytes < smallest) {
                smallest = bytes;
                chosen = value;
            }
        }
        return chosen;
    }

    /** A {@code minSize} value in bytes ({@code 1 MiB}: JFR's own texts put a space before the unit), or -1. */
    static long bytes(String value) {
        return value == null ? -1 : Sizes.parse(value.replace(" ", ""));
    }

    /** The highest valid rate among {@code values} (text as given), or null if none is valid. */
    static String highestRate(Collection<String> values) {
        double highest = -1;
        String chosen = null;
        for (String value : values) {
            double perMilli = Throttle.perMilli(value);
            if (perMilli > highest) {
                highest = perMilli;
                chosen = value;
            }
        }
        return chosen;
    }
}
