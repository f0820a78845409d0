package dev.alloc.runtime;

import java.util.Locale;

/** Byte amounts as people read them: {@code 1.9 MiB}. Exact figures stay available elsewhere. */
public final class Sizes {
    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB"};

    private Sizes() {
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
        return String.format(Locale.ROOT, "%.1f %s", value, UNITS[unit]);
    }
}
