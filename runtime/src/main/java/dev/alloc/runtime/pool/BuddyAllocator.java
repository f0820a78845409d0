package dev.alloc.runtime.pool;

/**
 * Binary buddy allocator: every block is a power of two from 64 bytes to a whole chunk, aligned
 * to its own size, and a freed block merges with its buddy (the other half of their parent)
 * whenever that is free too.
 *
 * <p>Layout: the region is split into chunks ({@link ChunkedRegion}); each committed chunk has
 * one {@link BuddyTree} on the Java heap, so no bookkeeping lives in the chunk's own bytes.
 * A request takes the block of the smallest order that holds {@code max(size, alignment)}, so
 * every alignment up to the page size comes for free; the cost is internal fragmentation of
 * up to half a block.
 *
 * <p>Concurrency: one lock per chunk (the tree's monitor), no global lock. Each thread starts
 * its search at its own chunk (its cache's home), reading the root of each tree without
 * the lock as a hint to skip chunks that cannot serve the order, and locks only the chunk it
 * allocates in. A chunk is committed when no committed one has room, and given back to the
 * region (which keeps one spare) when its last block is freed.
 */
public final class BuddyAllocator extends MonitorGuardedAllocator<BuddyTree> {

    public BuddyAllocator(RegionSource source, long regionBytes, MisuseListener listener) {
        super(new ChunkedRegion<BuddyTree>(source, regionBytes, ChunkedRegion.chunkBytesFor(regionBytes)), listener);
        classesKnown();
    }

    @Override
    long allocateBlock(long size, long alignment, int home) {
        int order = BuddyTree.orderFor(size, alignment);
        int[] chunks = region.committedChunks();
        int start = chunks.length == 0 ? 0 : home % chunks.length;
        for (int i = 0; i < chunks.length; i++) {
            int chunk = chunks[(start + i) % chunks.length];
            BuddyTree tree = region.meta(chunk);
            if (tree != null && tree.largestFreeOrderPlusOne() > order) {
                long address = allocateIn(chunk, tree, order);
                if (address != 0) {
                    return address;
                }
            }
        }
        if (!region.hasUncommittedChunk()) {
            return 0;
        }
        BuddyTree tree = new BuddyTree(region.chunkBytes());
        int chunk = region.commit(0, tree);
        return chunk < 0 ? 0 : allocateIn(chunk, tree, order);
    }

    private long allocateIn(int chunk, BuddyTree tree, int order) {
        synchronized (tree) {
            if (!region.isCommitted(chunk, tree)) {
                return 0;
            }
            boolean wasEmpty = tree.isEmpty();
            long offset = tree.allocate(order);
            if (offset < 0) {
                return 0;
            }
            if (wasEmpty) {
                region.reused(chunk);
            }
            return region.base(chunk) + offset;
        }
    }

    @Override
    long freeLocked(int chunk, BuddyTree tree, long address) {
        long freed = tree.free(address - region.base(chunk));
        if (freed > 0 && tree.isEmpty()) {
            region.emptied(chunk);
        }
        return freed;
    }

    @Override
    long usableSizeLocked(int chunk, BuddyTree tree, long address) {
        return tree.usableSize(address - region.base(chunk));
    }

    @Override
    long misuseLocked(int chunk, BuddyTree tree, long address) {
        return tree.misuseAt(address - region.base(chunk));
    }

    @Override
    long blockBytes(long size, long alignment) {
        return BuddyTree.bytesOf(BuddyTree.orderFor(size, alignment));
    }

    @Override
    long largestFreeLocked(int chunk, BuddyTree tree) {
        return tree.largestFree();
    }
}
