package dev.alloc.runtime;

import dev.alloc.runtime.report.Log;
import dev.alloc.runtime.report.Sizes;

/**
 * A change of the total limit while the JVM runs (the MXBean's {@code Limit}, the {@code limit}
 * command): nothing already allocated is touched; allocations are checked against the new value
 * from now on. One line on standard error says who changed it.
 */
public final class LimitChange {
    private LimitChange() {
    }

    /**
     * Sets the total limit to {@code bytes} (0: none, tracking only) and logs
     * {@code limit set <through> to ...}; returns the limit it replaced.
     */
    public static long apply(Limiter limiter, long bytes, String through) {
        if (bytes < 0) {
            throw new IllegalArgumentException("the limit must be 0 (none) or a number of bytes, not " + bytes);
        }
        long was = limiter.limit(Limiter.TOTAL);
        limiter.setLimit(Limiter.TOTAL, bytes);
        Log.info("limit set " + through + " to " + describe(bytes) + "; used " + Sizes.human(limiter.used(Limiter.TOTAL)));
        return was;
    }

    /** {@code 64.0 MiB}, or {@code none (tracking only)} for 0. */
    public static String describe(long limit) {
        return limit > 0 ? Sizes.human(limit) : "none (tracking only)";
    }
}
