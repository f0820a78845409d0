package dev.alloc.runtime.pool;

import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The jemalloc / Netty design: several arenas, each a {@link SlabHeap} with its own chunks,
 * size-classed slabs and page runs, and a small cache of freed slots per thread.
 *
 * <p>Layout: one {@link ChunkedRegion} shared by all arenas; a chunk's owner id is the arena
 * that committed it, so a free goes to the right arena in O(log chunks) without a lock.
 *
 * <p>Concurrency: a thread is bound to an arena round-robin on its first call (2 arenas per
 * processor, as Netty does, but no more than chunks), so threads mostly meet only threads of
 * their own arena, and only on the same size class. A free of a small block by a thread of the
 * block's arena parks the slot in the thread's {@link ThreadCache} (after its live bit is
 * cleared, so double frees are still caught); the thread's next allocation of that class takes
 * it back without touching the arena. Frees from other arenas' threads go straight to the
 * owning arena, so caches never hold foreign memory.
 *
 * <p>Invariants: a cached slot is taken in its slab and not live; caches of threads that died
 * are flushed the next time a cache is created or on {@link #trim}; when an allocation finds
 * its arena and the region full, it tries the other arenas, then trims all caches and retries
 * once, so memory parked in caches never makes the pool look full.
 */
public final class ArenaAllocator extends RegionAllocator<SlabHeap.ChunkPages> {
    private final SlabHeap[] arenas;
    private final AtomicInteger nextArena = new AtomicInteger();
    private final ConcurrentLinkedQueue<ThreadCache> caches = new ConcurrentLinkedQueue<ThreadCache>();
    private final ThreadLocal<ThreadCache> threadCache = new ThreadLocal<ThreadCache>() {
        @Override
        protected ThreadCache initialValue() {
            flushCaches(true);
            ThreadCache cache = new ThreadCache(Math.floorMod(nextArena.getAndIncrement(), arenas.length));
            caches.add(cache);
            return cache;
        }
    };

    public ArenaAllocator(RegionSource source, long regionBytes, MisuseListener listener) {
        super(new ChunkedRegion<SlabHeap.ChunkPages>(source, regionBytes, ChunkedRegion.chunkBytesFor(regionBytes)),
                listener);
        int count = (int) Math.max(1, Math.min(2L * Runtime.getRuntime().availableProcessors(),
                region.reservedBytes() / region.chunkBytes()));
        arenas = new SlabHeap[count];
        for (int i = 0; i < count; i++) {
            arenas[i] = new SlabHeap(region, i);
        }
    }

    @Override
    long allocateBlock(long size, long alignment) {
        ThreadCache cache = threadCache.get();
        int sizeClass = SizeClasses.classOf(size, alignment);
        long address = sizeClass >= 0 ? cache.poll(sizeClass) : 0;
        for (int i = 0; address == 0 && i < arenas.length; i++) {
            address = arenas[(cache.arena + i) % arenas.length].allocate(size, alignment);
        }
        if (address == 0) {
            trim();
            address = arenas[cache.arena].allocate(size, alignment);
        }
        if (address != 0) {
            allocated(SizeClasses.blockSize(size, alignment));
        }
        return address;
    }

    @Override
    long freeBlock(int chunk, long address) {
        int arena = region.owner(chunk);
        ThreadCache cache = threadCache.get();
        return arenas[arena].free(chunk, address, cache.arena == arena ? cache : null);
    }

    @Override
    long usableSizeIn(int chunk, long address) {
        return arenas[region.owner(chunk)].usableSize(chunk, address);
    }

    @Override
    long largestFreeIn(int chunk) {
        return arenas[region.owner(chunk)].largestFree(chunk);
    }

    @Override
    public void trim() {
        flushCaches(false);
        for (SlabHeap arena : arenas) {
            arena.trim();
        }
    }

    /** Flushes the caches of dead threads (and drops them), or all caches. */
    private void flushCaches(boolean deadOnly) {
        for (Iterator<ThreadCache> it = caches.iterator(); it.hasNext(); ) {
            ThreadCache cache = it.next();
            boolean dead = cache.ownerDied();
            if (dead || !deadOnly) {
                cache.flush(arenas[cache.arena]);
            }
            if (dead) {
                it.remove();
            }
        }
    }
}
