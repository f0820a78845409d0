package dev.alloc.agent.options;

import java.util.Locale;

/**
 * Parses byte amounts: a whole number with an optional unit {@code k}, {@code m}, {@code g},
 * {@code t} in any case, optionally followed by {@code b} or {@code ib} ({@code 512m},
 * {@code 512MiB}, {@code 1G}, {@code 65536}, {@code 64kb}). Units are binary (1k = 1024).
 */
public final class SizeParser {
    public static final String VALID = "a whole number of bytes with an optional unit k, m, g or t"
            + " (e.g. 512m, 512MiB, 1G, 65536)";

    private SizeParser() {
    }

    /** The amount in bytes, or -1 if {@code text} is not a size (or overflows a long). */
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
}
