package dev.alloc.runtime;

import dev.alloc.runtime.pool.NativeAllocator;
import dev.alloc.runtime.pool.PoolStatistics;
import dev.alloc.runtime.pool.Pools;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;

/**
 * The memory behind tracked blocks: the pool chosen with {@code strategy=}, or the system
 * allocator. A request the pool cannot serve (too big, or full) falls back to the system
 * allocator and is counted, or with {@code pool.fallback=fail} fails with an
 * {@code OutOfMemoryError}. The limit is the caller's business and holds either way.
 *
 * <p>Which memory a block is in is decided by its address ({@link NativeAllocator#owns}), so a
 * pool address can never reach libc {@code free()} or {@code realloc()}: a tracked block in the
 * pool's memory is the pool's (its chunk cannot be released while it is live); a free the
 * agent has no record of is asked of the pool first, which also recognises memory it held once.
 *
 * <p>The pool is set once at install and read from a static field: there is one pool class in
 * a JVM, so the calls stay monomorphic (checked with {@code -XX:+PrintInlining}: the type
 * profile at each call is 100% the one strategy class).
 */
final class RawMemory {
    /** Volatile for safe publication of a pool built on another thread; on x86 the read is a plain load. */
    private static volatile NativeAllocator pool;
    private static String strategy = "system";
    private static boolean failWhenPoolCannot;
    private static final LongAdder FALLBACKS = new LongAdder();
    private static final LongAdder FALLBACK_BYTES = new LongAdder();

    private RawMemory() {
    }

    /**
     * Creates the pool the settings ask for; called once by {@link OffHeap#install}, as agent work.
     * Nothing of the pool package (not even {@link MisuseReports}) may be named before the
     * {@code strategy=system} return: the agent defines those classes only for a pool strategy.
     */
    static void install(Settings settings, SiteRegistry sites) {
        if ("system".equals(settings.strategy)) {
            return;
        }
        MisuseReports misuse = new MisuseReports(sites);
        long regionBytes = settings.pool > 0 ? settings.pool : settings.limit;
        if (regionBytes <= 0) {
            Log.warn("strategy=" + settings.strategy + " needs pool=<size> or a limit; using the system allocator");
            return;
        }
        NativeAllocator created = Pools.create(settings.strategy, regionBytes, Pools.sourceFor(regionBytes), misuse);
        // Warm the paths the hooks will take, so no class initialises inside a JDK allocation.
        created.free(created.allocate(16, NativeAllocator.MIN_ALIGNMENT));
        created.freeStale(0);
        created.usableSize(0);
        strategy = settings.strategy;
        failWhenPoolCannot = "fail".equals(settings.poolFallback);
        Log.debug("pool " + strategy + " of " + Sizes.human(created.statistics().reserved()) + ": "
                + Pools.sourceDescription());
        pool = created; // published last: a thread that sees the pool sees it whole
    }

    static String strategy() {
        return strategy;
    }

    /** The pool's figures, or null under {@code strategy=system}. */
    static PoolStatistics statistics() {
        NativeAllocator p = pool;
        return p == null ? null : p.statistics();
    }

    static long fallbacks() {
        return FALLBACKS.sum();
    }

    static long fallbackBytes() {
        return FALLBACK_BYTES.sum();
    }

    /** The pool's line of the exit report, or null without a pool. */
    static String summary() {
        PoolStatistics s = statistics();
        if (s == null) {
            return null;
        }
        return String.format(Locale.ROOT, "alloc: pool %s: reserved %d bytes (%s), committed %s, in use %d bytes (%s), "
                        + "free %d bytes, largest free block %s, fragmentation %.1f%%, allocations %d, frees %d, "
                        + "fallbacks %d (%d bytes), misuses %d",
                strategy, s.reserved(), Sizes.human(s.reserved()), Sizes.human(s.committed()), s.inUse(),
                Sizes.human(s.inUse()), s.free(), Sizes.human(s.largestFreeBlock()), 100 * s.fragmentation(),
                s.allocations(), s.frees(), fallbacks(), fallbackBytes(), s.misuses());
    }

    /** A block for a tracked allocation: malloc's alignment (16), contents undefined. */
    static long allocate(long size) {
        NativeAllocator p = pool;
        if (p != null) {
            long address = p.allocate(size, NativeAllocator.MIN_ALIGNMENT);
            if (address != 0) {
                return address;
            }
            return fallback(p, size);
        }
        return SystemMemory.allocate(size);
    }

    private static long fallback(NativeAllocator p, long size) {
        if (failWhenPoolCannot) {
            PoolStatistics s = p.statistics();
            throw new OutOfMemoryError("alloc: the " + strategy + " pool cannot serve " + size + " bytes ("
                    + (size > s.maxBlock() ? "larger than its largest block, " + Sizes.human(s.maxBlock())
                    : "full: " + Sizes.human(s.inUse()) + " of " + Sizes.human(s.reserved()) + " in use")
                    + ") and pool.fallback=fail");
        }
        long address = SystemMemory.allocate(size);
        FALLBACKS.increment();
        FALLBACK_BYTES.add(size);
        return address;
    }

    /**
     * Resizes a tracked block of {@code oldSize} requested bytes to {@code size}, keeping its
     * contents: in place when a pool block is big enough and not mostly wasted, else by moving
     * it, between pool and system memory as needed. Size 0 frees it and answers 0, as realloc.
     */
    static long reallocate(long address, long oldSize, long size) {
        if (size <= 0) {
            free(address, oldSize);
            return 0;
        }
        NativeAllocator p = pool;
        if (p != null && p.owns(address)) {
            if (p.resizesInPlace(address, oldSize, size)) {
                return address;
            }
            long moved = allocate(size);
            SystemMemory.copyMemory(address, moved, Math.min(oldSize, size));
            p.free(address, oldSize);
            return moved;
        }
        return SystemMemory.reallocate(address, size);
    }

    /** Whether {@code address} lies in the pool's memory (never true without a pool). */
    static boolean ownedByPool(long address) {
        NativeAllocator p = pool;
        return p != null && address != 0 && p.owns(address);
    }

    /** Frees a tracked block of {@code size} requested bytes (as allocated or last resized here). */
    static void free(long address, long size) {
        NativeAllocator p = pool;
        if (p == null || !p.free(address, size)) {
            SystemMemory.free(address);
        }
    }

    /**
     * Frees an address the agent has no record of: the system's, unless it lies in memory the
     * pool holds or held once (a double free), which the pool reports and ignores.
     */
    static void freeUntracked(long address) {
        NativeAllocator p = pool;
        if (p == null || address == 0 || !p.freeStale(address)) {
            SystemMemory.free(address);
        }
    }

    /**
     * Resizes a block the agent has no record of (or frees it, for {@code size <= 0}). Pool
     * memory here is a block already freed: reported, and answered with fresh system memory.
     */
    static long reallocateUntracked(long address, long size) {
        NativeAllocator p = pool;
        if (p != null && address != 0 && p.freeStale(address)) {
            return size <= 0 ? 0 : SystemMemory.allocate(size);
        }
        return SystemMemory.reallocate(address, size);
    }
}
