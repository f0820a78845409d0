package dev.alloc.runtime;

/**
 * Accounting around libc's allocation functions when Java code calls them through FFM downcall
 * handles (kind {@code malloc}; Netty 4.2 on JDK 24+ does). {@link MallocDowncalls} wraps each
 * such handle so that a call runs as
 * <pre>
 *   long token = beforeX(args...);
 *   try { result = libcX(args...); } finally { afterX(thrown, result, token, args...); }
 * </pre>
 * with pointers passed here as plain addresses. A {@code before} reserves (and may throw the
 * limit error, so libc is never called over the limit); its {@code after} records the block,
 * or gives the reservation back when libc failed. Frees take the block out of the table before
 * libc frees it and release it afterwards, as {@link Accounting#free} does.
 *
 * <p>Each hook reads the installed {@link Accounting} once ({@link OffHeap#core()}).
 *
 * <p>The token is a site id, or {@link Accounting#UNTRACKED} (the call passes through uncounted:
 * agent code, size 0, or a block the agent never saw). For a free it is the block's info.
 */
public final class MallocHooks {
    private MallocHooks() {
    }

    public static long beforeMalloc(long size) {
        return OffHeap.core().reserve(Kind.MALLOC, size);
    }

    public static void afterMalloc(Throwable thrown, long address, long token, long size) {
        OffHeap.core().commit(token, Kind.MALLOC, thrown == null ? address : 0, size);
        allocated(token, size, address);
    }

    public static long beforeCalloc(long count, long size) {
        long bytes = count * size;
        if (count < 0 || size < 0 || Math.multiplyHigh(count, size) != 0 || bytes < 0) {
            return Accounting.UNTRACKED; // libc refuses the overflow itself
        }
        return OffHeap.core().reserve(Kind.MALLOC, bytes);
    }

    public static void afterCalloc(Throwable thrown, long address, long token, long count, long size) {
        OffHeap.core().commit(token, Kind.MALLOC, thrown == null ? address : 0, count * size);
        allocated(token, count * size, address);
    }

    public static long beforeAlignedAlloc(long alignment, long size) {
        return OffHeap.core().reserve(Kind.MALLOC, size);
    }

    public static void afterAlignedAlloc(Throwable thrown, long address, long token, long alignment, long size) {
        OffHeap.core().commit(token, Kind.MALLOC, thrown == null ? address : 0, size);
        allocated(token, size, address);
    }

    public static long beforePosixMemalign(long pointerOut, long alignment, long size) {
        return OffHeap.core().reserve(Kind.MALLOC, size);
    }

    /** {@code posix_memalign} returns 0 and writes the block's address to {@code *pointerOut}. */
    public static void afterPosixMemalign(Throwable thrown, int result, long token, long pointerOut, long alignment,
                                          long size) {
        boolean allocated = thrown == null && result == 0 && token != Accounting.UNTRACKED;
        long address = allocated ? SystemMemory.getLong(pointerOut) : 0;
        OffHeap.core().commit(token, Kind.MALLOC, address, size);
        allocated(token, size, address);
    }

    public static long beforeFree(long address) {
        return OffHeap.core().forget(address);
    }

    /**
     * Whether {@code free(address)} must not reach libc as it is: the address is pool memory (a
     * block of {@code strategy=}) or a block with the agent's {@link BlockHeader}, handed out by
     * Unsafe, a direct buffer or an arena, that the program gives to libc's {@code free}, as it
     * may without the agent. libc would corrupt its heap with it; the wrapped {@code free} gives
     * it to the agent instead ({@link #freeToPool}).
     */
    public static boolean isPoolMemory(long address) {
        Accounting core = OffHeap.core();
        return core.memory.ownedByPool(address) || core.headed(address);
    }

    /** {@code free()} of pool or headed memory: the agent frees the block, counted as freed explicitly. */
    public static void freeToPool(long address) {
        OffHeap.core().free(address, SiteRegistry.FREED_EXPLICITLY);
    }

    public static void afterFree(Throwable thrown, long info, long address) {
        Accounting core = OffHeap.core();
        if (thrown != null) {
            if (info != BlockInfo.MISSING) {
                core.restore(address, info);
            }
            return;
        }
        core.released(address, info, SiteRegistry.FREED_EXPLICITLY);
    }

    /**
     * {@code realloc(NULL, n)} is malloc; a block the agent never saw stays unseen. A size libc
     * cannot serve (negative here is a {@code size_t} above 2^63) leaves the block alone: libc
     * answers NULL and keeps it, so the agent keeps it too.
     */
    public static long beforeRealloc(long address, long size) {
        if (size != 0 && !BlockInfo.trackable(size)) {
            return Accounting.UNTRACKED;
        }
        Accounting core = OffHeap.core();
        SiteContext context = SiteContext.current();
        if (address == 0) {
            context.reallocating = BlockInfo.MISSING;
            return core.reserve(Kind.MALLOC, size);
        }
        long info = core.forget(address);
        if (info == BlockInfo.MISSING) {
            return Accounting.UNTRACKED;
        }
        try {
            int site = core.reserveResize(info, size);
            context.reallocating = info;
            return site;
        } catch (Throwable overLimit) {
            core.restore(address, info);
            throw overLimit;
        }
    }

    /** On failure (NULL for a size above 0) the old block is untouched; {@code realloc(p, 0)} frees it. */
    public static void afterRealloc(Throwable thrown, long moved, long token, long address, long size) {
        if (token == Accounting.UNTRACKED) {
            return;
        }
        long info = SiteContext.current().reallocating;
        if (info == BlockInfo.MISSING) {
            OffHeap.core().commit(token, Kind.MALLOC, thrown == null ? moved : 0, size);
        } else {
            OffHeap.core().commitResize(address, info, size, (int) token, moved, thrown != null || moved == 0 && size > 0);
        }
        allocated(token, size, thrown == null ? moved : 0);
    }

    /**
     * The allocation's event, raised here (one frame above the hook: a downcall's trace starts
     * with three agent frames on JDKs that ignore the events' stack filter).
     */
    private static void allocated(long token, long size, long address) {
        FlightEvents.Sink events;
        if (token != Accounting.UNTRACKED && address != 0 && size >= FlightEvents.allocationMinSize()
                && (events = FlightEvents.sink()) != null) {
            events.allocated(size, address);
        }
    }
}
