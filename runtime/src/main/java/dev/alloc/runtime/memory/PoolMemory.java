package dev.alloc.runtime.memory;

import dev.alloc.runtime.Log;
import dev.alloc.runtime.Settings;
import dev.alloc.runtime.Sizes;
import dev.alloc.runtime.SystemMemory;
import dev.alloc.runtime.pool.MisuseListener;
import dev.alloc.runtime.pool.NativeAllocator;
import dev.alloc.runtime.pool.PoolStatistics;
import dev.alloc.runtime.pool.Pools;
import java.util.concurrent.atomic.LongAdder;

/**
 * The pool chosen with {@code strategy=} as the memory behind tracked blocks. A request the pool
 * cannot serve (too big, or full) falls back to the system allocator and is counted, or with
 * {@code pool.fallback=fail} fails with an {@code OutOfMemoryError}. The limit is the caller's
 * business and holds either way.
 *
 * <p>Which memory a block is in is decided by its address ({@link NativeAllocator#owns}), so a
 * pool address can never reach libc {@code free()} or {@code realloc()}: a tracked block in the
 * pool's memory is the pool's (its chunk cannot be released while it is live); a free the
 * agent has no record of is asked of the pool first, which also recognises memory it held once.
 *
 * <p>The pool is a final field: there is one pool class in a JVM, so the calls stay
 * monomorphic (checked with {@code -XX:+PrintInlining}: the type profile at each call is 100%
 * the one strategy class).
 */
public final class PoolMemory implements RawMemory {
    private final NativeAllocator pool;
    private final String strategy;
    private final boolean failWhenPoolCannot;
    private final LongAdder fallbacks = new LongAdder();
    private final LongAdder fallbackBytes = new LongAdder();

    PoolMemory(NativeAllocator pool, String strategy, boolean failWhenPoolCannot) {
        this.pool = pool;
        this.strategy = strategy;
        this.failWhenPoolCannot = failWhenPoolCannot;
    }

    /**
     * The pool {@code settings} ask for ({@code strategy=} other than {@code system}), or null
     * when it cannot be made (no size: neither {@code pool=} nor a limit); called once, at
     * install, as agent work. Only called for a pool strategy: the agent defines the pool
     * package's classes only then.
     */
    public static PoolMemory create(Settings settings, MisuseListener misuse) {
        long regionBytes = settings.pool > 0 ? settings.pool : settings.limit;
        if (regionBytes <= 0) {
            Log.warn("strategy=" + settings.strategy + " needs pool=<size> or a limit; using the system allocator");
            return null;
        }
        NativeAllocator created = Pools.create(settings.strategy, regionBytes, Pools.sourceFor(regionBytes), misuse);
        // Warm the paths the hooks will take, so no class initialises inside a JDK allocation.
        created.free(created.allocate(16, NativeAllocator.MIN_ALIGNMENT));
        created.freeStale(0);
        created.usableSize(0);
        Log.debug("pool " + settings.strategy + " of " + Sizes.human(created.statistics().reserved()) + ": "
                + Pools.sourceDescription());
        return new PoolMemory(created, settings.strategy, "fail".equals(settings.poolFallback));
    }

    @Override
    public String strategy() {
        return strategy;
    }

    @Override
    public PoolStatistics statistics() {
        return pool.statistics();
    }

    @Override
    public long fallbacks() {
        return fallbacks.sum();
    }

    @Override
    public long fallbackBytes() {
        return fallbackBytes.sum();
    }

    @Override
    public long allocate(long size) {
        long address = pool.allocate(size, NativeAllocator.MIN_ALIGNMENT);
        if (address != 0) {
            return address;
        }
        return fallback(size);
    }

    private long fallback(long size) {
        if (failWhenPoolCannot) {
            PoolStatistics s = pool.statistics();
            throw new OutOfMemoryError("alloc: the " + strategy + " pool cannot serve " + size + " bytes ("
                    + (size > s.maxBlock() ? "larger than its largest block, " + Sizes.human(s.maxBlock())
                    : "full: " + Sizes.human(s.inUse()) + " of " + Sizes.human(s.reserved()) + " in use")
                    + ") and pool.fallback=fail");
        }
        long address = SystemMemory.allocate(size);
        fallbacks.increment();
        fallbackBytes.add(size);
        return address;
    }

    /**
     * In place when a pool block is big enough and not mostly wasted, else by moving it, between
     * pool and system memory as needed. Size 0 frees it and answers 0, as realloc.
     */
    @Override
    public long reallocate(long address, long oldSize, long size) {
        if (size <= 0) {
            free(address, oldSize);
            return 0;
        }
        if (pool.owns(address)) {
            if (pool.resizesInPlace(address, oldSize, size)) {
                return address;
            }
            long moved = allocate(size);
            SystemMemory.copyMemory(address, moved, Math.min(oldSize, size));
            pool.free(address, oldSize);
            return moved;
        }
        return SystemMemory.reallocate(address, size);
    }

    @Override
    public boolean ownedByPool(long address) {
        return address != 0 && pool.owns(address);
    }

    @Override
    public void free(long address, long size) {
        if (!pool.free(address, size)) {
            SystemMemory.free(address);
        }
    }

    /** The system's, unless it lies in memory the pool holds or held once (a double free), which the pool reports and ignores. */
    @Override
    public void freeUntracked(long address) {
        if (address == 0 || !pool.freeStale(address)) {
            SystemMemory.free(address);
        }
    }

    /** Pool memory here is a block already freed: reported, and answered with fresh system memory. */
    @Override
    public long reallocateUntracked(long address, long size) {
        if (address != 0 && pool.freeStale(address)) {
            return size <= 0 ? 0 : SystemMemory.allocate(size);
        }
        return SystemMemory.reallocate(address, size);
    }
}
