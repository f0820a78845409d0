package dev.alloc.runtime.pool;

/**
 * Slab allocator: fixed-size slots of 36 size classes carved from page runs, O(1) allocate and
 * free; larger blocks are page runs. One {@link SlabHeap} over the whole region (its header has
 * the algorithm, layout, invariants and locking: a lock per size class, so there is no global
 * lock on the common path).
 */
public final class SlabAllocator extends RegionAllocator<SlabHeap.ChunkPages> {
    private final SlabHeap heap;

    public SlabAllocator(RegionSource source, long regionBytes, MisuseListener listener) {
        super(new ChunkedRegion<SlabHeap.ChunkPages>(source, regionBytes, ChunkedRegion.chunkBytesFor(regionBytes)),
                listener);
        heap = new SlabHeap(region, 0);
    }

    @Override
    long allocateBlock(long size, long alignment) {
        long address = heap.allocate(size, alignment);
        if (address == 0) {
            heap.trim();
            address = heap.allocate(size, alignment);
        }
        if (address != 0) {
            allocated(SizeClasses.blockSize(size, alignment));
        }
        return address;
    }

    @Override
    long freeBlock(int chunk, long address) {
        return heap.free(chunk, address, null);
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
    public void trim() {
        heap.trim();
    }
}
