package dev.alloc.runtime.report;

import java.util.Locale;

/** Byte amounts as people read them: {@code 1.9 MiB}. Exact figures stay available elsewhere. */
public final class Sizes {
    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB"};

    private Sizes() {
    }

    /**
     * Parses a byte amount: a whole number with an optional unit {@code k}, {@code m}, {@code g},
     * {@code t} in any case, optionally followed by {@code b} or {@code ib} ({@code 512m},
     * {@code 512MiB}, {@code 65536}). Units are binary (1k = 1024). Returns -1 if {@code text}
     * is not a size or overflows a long.
     */
    public static long parse(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        int digits = 0;
        while (digits < s.length() && s.charAt(digits) >= '0' && s.charAt(digits) <= '9') {
            digits++;
        }
        if (digits == 0 || digits > 19) {
            return -1;
        }
        int shift = shiftOf(s.substring(digits));
        if (shift < 0) {
            return -1;
        }
        long number;
        try {
            number = Long.parseLong(s.substring(0, digits));
        } catch (NumberFormatException e) {
            return -1;
        }
        if (number > (Long.MAX_VALUE >> shift)) {
            return -1;
        }
        return number << shift;
    }

    private static int shiftOf(String unit) {
        switch (unit) {
            case "":
            case "b":
                return 0;
            case "k": case "kb": case "kib":
                return 10;
            case "m": case "mb": case "mib":
                return 20;
            case "g": case "gb": case "gib":
                return 30;
            case "t": case "tb": case "tib":
                return 40;
            default:
                return -1;
        }
    }

    public static String human(long bytes) {
        long magnitude = Math.abs(bytes);
        if (magnitude < 1024) {
            return bytes + " B";
        }
        int unit = 0;
        double value = bytes;
        while (Math.abs(value) >= 1024 && unit < UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        // One decimal, half up, as "%.1f" prints it, without java.util.Formatter: this runs in the
        // start-up line, and Formatter's first use loads locale data and regex (~200 classes).
        long tenths = (long) Math.floor(Math.abs(value) * 10 + 0.5);
        return (bytes < 0 ? "-" : "") + tenths / 10 + "." + tenths % 10 + " " + UNITS[unit];
    }
}
