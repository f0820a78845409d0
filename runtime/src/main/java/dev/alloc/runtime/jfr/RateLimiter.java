package dev.alloc.runtime.jfr;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Lets at most {@code budget} events through per window of time, lock-free: {@code jdk.jfr.Throttle}
 * exists only from JDK 25, and a hot loop of small allocations must not flood a recording on 17.
 *
 * <p>One {@code long} holds the window number (high bits) and the events let through in it (low
 * {@value #COUNT_BITS} bits). An event in a new window CASes in {@code (window, 1)}; one in the
 * current window CASes the count up while it is under the budget. Once the budget is spent the
 * check is a single read. Time comes from a coarse clock, so windows are whole milliseconds.
 */
final class RateLimiter {
    private static final int COUNT_BITS = 24;
    private static final long COUNT_MASK = (1L << COUNT_BITS) - 1;
    /** Budgets above this are treated as unlimited (the count field would overflow). */
    static final long MAX_BUDGET = COUNT_MASK - 1;

    private final AtomicLong state = new AtomicLong();
    private volatile long budget;
    private volatile long windowMillis;

    RateLimiter(long events, long millis) {
        setRate(events, millis);
    }

    /** Allows {@code events} per {@code millis}; {@code Long.MAX_VALUE} events for no limit. */
    void setRate(long events, long millis) {
        windowMillis = Math.max(1, millis);
        budget = events > MAX_BUDGET ? Long.MAX_VALUE : events;
        state.set(0);
    }

    /** Whether one more event may be recorded at {@code nowMillis}. */
    boolean tryAcquire(long nowMillis) {
        long max = budget;
        if (max == Long.MAX_VALUE) {
            return true;
        }
        long window = nowMillis / windowMillis;
        while (true) {
            long current = state.get();
            long currentWindow = current >>> COUNT_BITS;
            if (currentWindow < window) {
                if (max > 0 && state.compareAndSet(current, window << COUNT_BITS | 1)) {
                    return true;
                }
                if (max <= 0) {
                    return false;
                }
                continue;
            }
            long count = current & COUNT_MASK;
            if (count >= max) {
                return false;
            }
            if (state.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }
}
