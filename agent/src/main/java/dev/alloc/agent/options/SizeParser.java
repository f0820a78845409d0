package dev.alloc.agent.options;

import dev.alloc.runtime.report.Sizes;

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
        return Sizes.parse(text);
    }
}
