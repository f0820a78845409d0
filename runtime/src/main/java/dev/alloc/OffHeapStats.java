package dev.alloc;

import dev.alloc.runtime.Kind;
import dev.alloc.runtime.Limiter;
import dev.alloc.runtime.OffHeap;

/**
 * Read-only numbers of the running agent, for programs and tests that want to check them:
 * bytes in use, the peak and the limit, in total or for one kind ({@code direct}, {@code unsafe},
 * {@code ffm}, {@code malloc}). Limits are 0 when there is none. Without the agent this class is
 * not on the class path at all; with it, it is defined in the bootstrap class loader, so any
 * code can call it.
 */
public final class OffHeapStats {
    private OffHeapStats() {
    }

    /** Live off-heap bytes of every tracked kind. */
    public static long used() {
        return OffHeap.limiter().used(Limiter.TOTAL);
    }

    public static long used(String kind) {
        return OffHeap.limiter().used(kindIndex(kind));
    }

    /** Live bytes charged to the budget of a package prefix ({@code budget.<prefix>=<size>}); 0 for none. */
    public static long usedByBudget(String prefix) {
        Long used = OffHeap.sites().budgets().used(OffHeap.limiter()).get(prefix);
        return used == null ? 0 : used;
    }

    /** The highest {@link #used()} since start (or since the peak was last reset). */
    public static long peak() {
        return OffHeap.limiter().peak(Limiter.TOTAL);
    }

    public static long peak(String kind) {
        return OffHeap.limiter().peak(kindIndex(kind));
    }

    public static long limit() {
        return OffHeap.limiter().limit(Limiter.TOTAL);
    }

    public static long limit(String kind) {
        return OffHeap.limiter().limit(kindIndex(kind));
    }

    private static int kindIndex(String kind) {
        int index = Kind.byName(kind);
        if (index < 0) {
            throw new IllegalArgumentException("unknown kind '" + kind + "'; valid: " + Kind.names(", "));
        }
        return index;
    }
}
