package dev.alloc.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Exact accounting of live off-heap bytes against the limits, in the style of Rust's
 * {@code cap} crate: bytes are reserved before memory is taken and released after it is given
 * back, so the memory really in use never exceeds a limit at any instant.
 *
 * <p>There is one counter per kind and one for the total, each on its own cache line. With a
 * limit, a reservation is a CAS loop that never lets the counter pass the limit (no
 * add-then-undo overshoot that another thread could observe); without one it is a single
 * atomic add. A limit of 0 or less means "no limit". Limits may change at any time (JMX);
 * lowering one below what is used makes reservations fail until usage drops.
 */
public final class Limiter {
    /** Index of the total among the limits; kinds use their own index. */
    public static final int TOTAL = Kind.COUNT;
    /** Returned by {@link #tryReserve} when the reservation succeeded. */
    public static final int OK = -1;

    private static final int PAD = 16; // 128 bytes between counters
    private static final VarHandle CELLS = MethodHandles.arrayElementVarHandle(long[].class);

    // cells[(i * 2) * PAD] = used of limit i, cells[(i * 2 + 1) * PAD] = peak of limit i
    private final long[] cells = new long[(TOTAL + 1) * 2 * PAD + PAD];
    private final long[] limits = new long[TOTAL + 1];
    /** Usage at which each limit's warning fires; {@code Long.MAX_VALUE} without a limit. */
    private final long[] warnAt = new long[TOTAL + 1];
    private volatile int warnPercent = 90;
    private volatile WarningListener warningListener;

    /** Told when usage first reaches {@code warn} percent of a limit. Runs on the allocating thread. */
    public interface WarningListener {
        void crossed(int which, long used, long limit);
    }

    public Limiter() {
        java.util.Arrays.fill(warnAt, Long.MAX_VALUE);
    }

    public void setWarningListener(WarningListener listener) {
        warningListener = listener;
    }

    /** Sets the percentage of each limit at which the warning listener is told. */
    public void setWarnPercent(int percent) {
        warnPercent = percent;
        for (int which = 0; which <= TOTAL; which++) {
            updateWarnAt(which);
        }
    }

    private void updateWarnAt(int which) {
        long limit = limit(which);
        CELLS.setVolatile(warnAt, which, limit > 0 ? Math.max(1L, limit / 100 * warnPercent) : Long.MAX_VALUE);
    }

    private static int usedIndex(int limit) {
        return (limit * 2 + 1) * PAD;
    }

    private static int peakIndex(int limit) {
        return (limit * 2 + 2) * PAD;
    }

    /** Sets a limit (kind index or {@link #TOTAL}); 0 or less removes it. */
    public void setLimit(int which, long bytes) {
        CELLS.setVolatile(limits, which, bytes > 0 ? bytes : 0L);
        updateWarnAt(which);
    }

    public long limit(int which) {
        return (long) CELLS.getVolatile(limits, which);
    }

    public long used(int which) {
        return (long) CELLS.getVolatile(cells, usedIndex(which));
    }

    public long peak(int which) {
        return (long) CELLS.getVolatile(cells, peakIndex(which));
    }

    /**
     * Reserves {@code size} bytes of {@code kind}: returns {@link #OK}, or the limit that would
     * be exceeded (a kind index or {@link #TOTAL}), in which case nothing was reserved.
     */
    public int tryReserve(int kind, long size) {
        if (!add(kind, size)) {
            return kind;
        }
        if (!add(TOTAL, size)) {
            CELLS.getAndAdd(cells, usedIndex(kind), -size);
            return TOTAL;
        }
        return OK;
    }

    /** Reserves regardless of the limits ({@code policy=warn}). */
    public void forceReserve(int kind, long size) {
        raisePeak(kind, (long) CELLS.getAndAdd(cells, usedIndex(kind), size) + size);
        raisePeak(TOTAL, (long) CELLS.getAndAdd(cells, usedIndex(TOTAL), size) + size);
    }

    public void release(int kind, long size) {
        CELLS.getAndAdd(cells, usedIndex(kind), -size);
        CELLS.getAndAdd(cells, usedIndex(TOTAL), -size);
    }

    private boolean add(int which, long size) {
        int index = usedIndex(which);
        long limit = (long) CELLS.getVolatile(limits, which);
        long now;
        if (limit == 0) {
            now = (long) CELLS.getAndAdd(cells, index, size) + size;
        } else {
            long used;
            do {
                used = (long) CELLS.getVolatile(cells, index);
                if (size > limit - used) { // not used + size > limit: that overflows for huge sizes
                    return false;
                }
                now = used + size;
            } while (!CELLS.compareAndSet(cells, index, used, now));
        }
        raisePeak(which, now);
        long threshold = (long) CELLS.getOpaque(warnAt, which);
        if (limit > 0 && now >= threshold && now - size < threshold) {
            WarningListener listener = warningListener;
            if (listener != null) {
                // the limit this reservation was checked against: a concurrent setLimit(0) must not reach the listener
                listener.crossed(which, now, limit);
            }
        }
        return true;
    }

    private void raisePeak(int which, long now) {
        int index = peakIndex(which);
        long peak;
        while (now > (peak = (long) CELLS.getVolatile(cells, index))) {
            if (CELLS.compareAndSet(cells, index, peak, now)) {
                return;
            }
        }
    }

    /** Sets every peak to the current use. */
    public void resetPeaks() {
        for (int which = 0; which <= TOTAL; which++) {
            CELLS.setVolatile(cells, peakIndex(which), used(which));
        }
    }
}
