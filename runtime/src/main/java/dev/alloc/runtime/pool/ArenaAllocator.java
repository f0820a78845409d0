package dev.alloc.runtime.pool;

/**
 * The jemalloc / Netty design: several arenas, each a {@link SlabHeap} with its own chunks,
 * size-classed slabs and page runs, behind the per-thread caches of {@link RegionAllocator}.
 *
 * <p>Layout: one {@link ChunkedRegion} shared by all arenas; a chunk's owner id is the arena
 * that committed it, so a free goes to the right arena in O(log chunks) without a lock.
 *
 * <p>Concurrency: a thread's home arena is its cache's round-robin home (2 arenas per
 * processor, as Netty does, but no more than chunks), so threads whose caches miss mostly meet
 * only threads of their own arena, and only on the same size class. When the home arena and
 * the region are full, an allocation tries the other arenas.
 *
 * <p>Blocks larger than the largest size class (runs of whole pages) all come from the first
 * arena, as jemalloc serves its oversize blocks from one arena of their own: spread over
 * every arena, each arena's chunks fragment on their own and a new chunk is taken while
 * another arena has room (issue 11, 150 MiB live: peak RSS 1.25 of peak live bytes, 1.12 from
 * one arena in the model run). Such a block costs its zeroing, microseconds, next to which a
 * shared page lock weighs little.
 */
public final class ArenaAllocator extends RegionAllocator<SlabHeap.ChunkPages> {
    private final SlabHeap[] arenas;

    public ArenaAllocator(RegionSource source, long regionBytes, MisuseListener listener) {
        super(new ChunkedRegion<SlabHeap.ChunkPages>(source, regionBytes, ChunkedRegion.chunkBytesFor(regionBytes)),
                listener);
        int count = (int) Math.max(1, Math.min(2L * Runtime.getRuntime().availableProcessors(),
                region.reservedBytes() / region.chunkBytes()));
        arenas = new SlabHeap[count];
        for (int i = 0; i < count; i++) {
            arenas[i] = new SlabHeap(region, i);
        }
        classesKnown();
    }

    @Override
    long allocateBlock(long size, long alignment, int home) {
        if (SizeClasses.classOf(size, alignment) < 0) {
            return arenas[0].allocatePages(size, true);
        }
        long address = 0;
        for (int i = 0; address == 0 && i < arenas.length; i++) {
            address = arenas[(home + i) % arenas.length].allocate(size, alignment);
        }
        return address;
    }

    @Override
    int allocateBlocks(long bytes, int home, long[] out, int from, int n) {
        int sizeClass = SizeClasses.classOf(bytes, MIN_ALIGNMENT);
        int taken = 0;
        for (int i = 0; taken == 0 && i < arenas.length; i++) {
            taken = arenas[(home + i) % arenas.length].allocateSlots(sizeClass, out, from, n);
        }
        return taken;
    }

    @Override
    long freeBlock(int chunk, long address) {
        return arenas[region.owner(chunk)].free(chunk, address);
    }

    /** Each run of blocks of one arena goes back under one take of its class lock. */
    @Override
    public void giveBack(long[] addresses, int from, int count) {
        int end = from + count;
        while (from < end) {
            int owner = ownerOf(addresses[from]);
            int to = from + 1;
            while (to < end && ownerOf(addresses[to]) == owner) {
                to++;
            }
            if (owner >= 0) {
                arenas[owner].freeSlots(addresses, from, to - from);
            }
            from = to;
        }
    }

    private int ownerOf(long address) {
        int chunk = region.chunkOf(address);
        return chunk < 0 ? -1 : region.owner(chunk);
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
    long blockBytes(long size, long alignment) {
        return SizeClasses.blockSize(size, alignment);
    }

    @Override
    long misuseAt(int chunk, long address) {
        return arenas[region.owner(chunk)].misuseAt(chunk, address);
    }

    @Override
    boolean claimFreeIn(int chunk, long from, long minBytes, long[] out) {
        return arenas[region.owner(chunk)].claimFreeIn(chunk, from, minBytes, out);
    }

    @Override
    void unclaim(int chunk, long address) {
        arenas[region.owner(chunk)].unclaim(chunk, address);
    }

    @Override
    void trimStrategy() {
        for (SlabHeap arena : arenas) {
            arena.trim();
        }
    }

    @Override
    void retireIdle(long cutoff) {
        for (SlabHeap arena : arenas) {
            arena.retireIdle(cutoff);
        }
    }
}
