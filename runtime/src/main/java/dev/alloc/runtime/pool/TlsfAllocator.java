package dev.alloc.runtime.pool;

/**
 * Two-level segregated fit: good-fit allocation in O(1), blocks of any multiple of 16 bytes,
 * split on allocation and merged with free neighbours on free, so fragmentation stays bounded
 * (Masmano et al.; the algorithm, layout and invariants are in {@link TlsfHeap}).
 *
 * <p>Concurrency: TLSF is one data structure, so one heap under one lock would serialise every
 * thread. Instead there are several independent heaps (shards), as many as processors (but no
 * more than chunks), each with its own chunks and lock. A thread allocates from its home shard
 * (its cache's round-robin home); when that is full it tries the other shards, and only when
 * none has room does it commit a new chunk into its own (so a shard's free memory serves other
 * threads before the region grows: issue 11, 150 MiB live, peak RSS 1.19 of peak live bytes
 * with a new chunk first, 1.14 with the other shards first, in the model run). Cache refills
 * of small blocks grow the home shard at once (they are batched, and keep a thread's small
 * blocks together). A free goes to the shard that owns the address's chunk (the chunk's meta
 * is the shard).
 *
 * <p>Where pages go back by decay (JDK 22+), blocks larger than the largest size class all
 * have the first shard as their home, as {@link ArenaAllocator} serves its page runs from its
 * first arena: spread over the shards, each shard's chunks fragment on their own (the model
 * run of six seeds: peak RSS 1.13–1.15 of peak live bytes with the thread's shard as home,
 * 1.09–1.14 with the first; the JVM on JDK 25 1.15–1.17 and 1.13–1.15). Such a block costs its
 * zeroing, microseconds, next to which a shared lock weighs little. Where only whole chunks go
 * back (JDK 17–21) the thread's shard stays their home: there one shard for them measured worse
 * (JDK 17: 1.23–1.33 in five launches against 1.18–1.28 in six).
 */
public final class TlsfAllocator extends MonitorGuardedAllocator<TlsfHeap> {
    private final TlsfHeap[] shards;
    /** Whether blocks above the size classes all come from the first shard: where pages are dropped by decay. */
    private final boolean largeFromFirstShard;

    public TlsfAllocator(RegionSource source, long regionBytes, MisuseListener listener) {
        super(new ChunkedRegion<TlsfHeap>(source, regionBytes, ChunkedRegion.chunkBytesFor(regionBytes)), listener);
        int count = (int) Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(),
                region.reservedBytes() / region.chunkBytes()));
        largeFromFirstShard = region.dropsPages();
        shards = new TlsfHeap[count];
        for (int i = 0; i < count; i++) {
            shards[i] = new TlsfHeap(region);
        }
        classesKnown();
    }

    @Override
    long allocateBlock(long size, long alignment, int thread) {
        int home = size > SizeClasses.SMALL_MAX && largeFromFirstShard ? 0 : thread % shards.length;
        long address = 0;
        for (int i = 0; address == 0 && i < shards.length; i++) {
            int shard = (home + i) % shards.length;
            address = allocateIn(shards[shard], shard, size, alignment, false);
        }
        return address != 0 ? address : allocateIn(shards[home], home, size, alignment, true);
    }

    private long allocateIn(TlsfHeap shard, int shardIndex, long size, long alignment, boolean mayGrow) {
        synchronized (shard) {
            return allocateLocked(shard, shardIndex, size, alignment, mayGrow);
        }
    }

    private long allocateLocked(TlsfHeap shard, int shardIndex, long size, long alignment, boolean mayGrow) {
        int block = shard.allocate(size, alignment);
        if (block < 0 && mayGrow) {
            int chunk = region.commit(shardIndex, shard);
            if (chunk >= 0) {
                shard.addChunk(region.base(chunk), region.chunkBytes());
                block = shard.allocate(size, alignment);
            }
        }
        return block < 0 ? 0 : shard.address(block);
    }

    /** A cache refill: up to {@code n} blocks from the home shard under one take of its lock. */
    @Override
    int allocateBlocks(long bytes, int thread, long[] out, int from, int n) {
        int home = thread % shards.length;
        TlsfHeap shard = shards[home];
        int taken = 0;
        synchronized (shard) {
            while (taken < n) {
                long address = allocateLocked(shard, home, bytes, MIN_ALIGNMENT, true);
                if (address == 0) {
                    break;
                }
                out[from + taken++] = address;
            }
        }
        return taken > 0 ? taken : super.allocateBlocks(bytes, thread, out, from, n);
    }

    @Override
    boolean claimFreeIn(int chunk, long from, long minBytes, long[] out) {
        TlsfHeap shard = region.meta(chunk);
        if (shard == null) {
            return false;
        }
        synchronized (shard) {
            return region.isCommitted(chunk, shard) && shard.claimFreeIn(from, minBytes, out);
        }
    }

    @Override
    void unclaim(int chunk, long address) {
        TlsfHeap shard = region.meta(chunk);
        synchronized (shard) {
            shard.unclaim(address);
        }
    }

    @Override
    long blockBytes(long size, long alignment) {
        return (Math.max(size, 16) + 15) & -16L;
    }

    @Override
    long misuseLocked(int chunk, TlsfHeap shard, long address) {
        return shard.misuseAt(address);
    }

    @Override
    long freeLocked(int chunk, TlsfHeap shard, long address) {
        return shard.free(address);
    }

    @Override
    long usableSizeLocked(int chunk, TlsfHeap shard, long address) {
        return shard.usableSize(address);
    }

    @Override
    long largestFreeLocked(int chunk, TlsfHeap shard) {
        return shard.largestFreeInChunk(region.base(chunk));
    }
}
