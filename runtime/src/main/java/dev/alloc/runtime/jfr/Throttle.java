package dev.alloc.runtime.jfr;

import java.util.Locale;

/**
 * The text of the {@code throttle} setting, with the syntax of JDK 25's built-in one:
 * {@code <events>/<unit>} with unit {@code ms}, {@code s}, {@code m}, {@code h} (e.g.
 * {@code 100/s}), or {@code off}.
 */
final class Throttle {
    static final String NAME = "throttle";
    static final String DEFAULT = "100/s";
    static final String OFF = "off";

    private Throttle() {
    }

    /** Events per millisecond, for comparing rates; {@code off} is infinite, bad text -1. */
    static double perMilli(String value) {
        long[] rate = parse(value);
        if (rate == null) {
            return -1;
        }
        return rate[0] == Long.MAX_VALUE ? Double.POSITIVE_INFINITY : (double) rate[0] / rate[1];
    }

    /** {@code {events, window millis}}, {@code {Long.MAX_VALUE, 1}} for off, null if malformed. */
    static long[] parse(String value) {
        if (value == null) {
            return null;
        }
        String text = value.trim().toLowerCase(Locale.ROOT);
        if (text.equals(OFF)) {
            return new long[] {Long.MAX_VALUE, 1};
        }
        int slash = text.indexOf('/');
        if (slash <= 0) {
            return null;
        }
        long millis;
        switch (text.substring(slash + 1).trim()) {
            case "ms":
                millis = 1;
                break;
            case "s":
                millis = 1000;
                break;
            case "m":
            case "min":
                millis = 60_000;
                break;
            case "h":
                millis = 3_600_000;
                break;
            default:
                return null;
        }
        try {
            long events = Long.parseLong(text.substring(0, slash).trim());
            if (events < 0) {
                return null;
            }
            // The coarse clock ticks every few milliseconds: count per-millisecond rates per second.
            return millis == 1 ? new long[] {events > Long.MAX_VALUE / 1000 ? Long.MAX_VALUE : events * 1000, 1000}
                    : new long[] {events, millis};
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
