package dev.alloc.runtime.pool;

/**
 * Slab allocator: fixed-size slots of 36 size classes carved from page runs, O(1) allocate and
 * free; larger blocks are page runs. One {@link SlabHeap} over the whole region (its header has
 * the algorithm, layout, invariants and locking: a lock per size class, so there is no global
 * lock on the common path), behind the per-thread caches of {@link RegionAllocator}.
 */
public final class SlabAllocator extends RegionAllocator<SlabHeap.ChunkPages> {
    private final SlabHeap heap;

    public SlabAllocator(RegionSource source, long regionBytes, MisuseListener listener) {
        super(new ChunkedRegion<SlabHeap.ChunkPages>(source, regionBytes, ChunkedRegion.chunkBytesFor(regionBytes)),
                listener);
        heap = new SlabHeap(region, 0);
        classesKnown();
    }

    @Override
    long allocateBlock(long size, long alignment, int home) {
        return heap.allocate(size, alignment);
    }

    @Override
    int allocateBlocks(long bytes, int home, long[] out, int from, int n) {
        return heap.allocateSlots(SizeClasses.classOf(bytes, MIN_ALIGNMENT), out, from, n);
    }

    @Override
    long freeBlock(int chunk, long address) {
        return heap.free(chunk, address);
    }

    @Override
    public void giveBack(long[] addresses, int from, int count) {
        heap.freeSlots(addresses, from, count);
    }

    @Override
    long usableSizeIn(int chunk, long address) {
        return heap.usableSize(chunk, address);
    }

    @Override
    long largestFreeIn(int chunk) {
        return heap.largestFree(chunk);
    }

    @Override
    long blockBytes(long size, long alignment) {
        return SizeClasses.blockSize(size, alignment);
    }

    @Override
    long misuseAt(int chunk, long address) {
        return heap.misuseAt(chunk, address);
    }

    @Override
    boolean claimFreeIn(int chunk, long from, long minBytes, long[] out) {
        return heap.claimFreeIn(chunk, from, minBytes, out);
    }

    @Override
    void unclaim(int chunk, long address) {
        heap.unclaim(chunk, address);
    }

    @Override
    void trimStrategy() {
        heap.trim();
    }

    @Override
    void retireIdle(long cutoff) {
        heap.retireIdle(cutoff);
    }
}
