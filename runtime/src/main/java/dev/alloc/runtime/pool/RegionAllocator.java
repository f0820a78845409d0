package dev.alloc.runtime.pool;

import java.util.concurrent.atomic.LongAdder;

/**
 * What every pool over a {@link ChunkedRegion} does the same way: checking requests, finding
 * the chunk of an address, counting, reporting misuse outside the locks, and statistics. A
 * strategy supplies the four chunk-level operations.
 *
 * <p>Contract of the chunk-level operations: {@link #allocateBlock} gets a size in
 * {@code [1, chunkBytes]} and a power-of-two alignment in {@code [16, 4096]}, and calls
 * {@link #allocated} with the usable size of what it hands out. {@link #freeBlock} returns the
 * usable size freed, or a negative {@link Misuse#code()}; it must tolerate any address in the
 * chunk and a chunk released meanwhile ({@code region.meta(chunk) == null}).
 *
 * @param <M> the strategy's per-chunk bookkeeping
 */
abstract class RegionAllocator<M> implements NativeAllocator {
    final ChunkedRegion<M> region;
    private final MisuseListener listener;
    private final LongAdder allocations = new LongAdder();
    private final LongAdder frees = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LongAdder misuses = new LongAdder();
    private final LongAdder inUse = new LongAdder();

    RegionAllocator(ChunkedRegion<M> region, MisuseListener listener) {
        this.region = region;
        this.listener = listener;
    }

    abstract long allocateBlock(long size, long alignment);

    abstract long freeBlock(int chunk, long address);

    /** The usable size of the live block at {@code address} in {@code chunk}, or 0. */
    abstract long usableSizeIn(int chunk, long address);

    /** The largest block {@code chunk} could serve now. */
    abstract long largestFreeIn(int chunk);

    final void allocated(long usableBytes) {
        allocations.increment();
        inUse.add(usableBytes);
    }

    @Override
    public final long allocate(long size, long alignment) {
        if (alignment <= 0 || Long.bitCount(alignment) != 1) {
            throw new IllegalArgumentException("alignment must be a power of two: " + alignment);
        }
        long align = Math.max(alignment, MIN_ALIGNMENT);
        long address = 0;
        if (size > 0 && align <= MAX_ALIGNMENT && size <= region.chunkBytes()) {
            address = allocateBlock(size, align);
        }
        if (address == 0) {
            failures.increment();
        }
        return address;
    }

    @Override
    public final boolean free(long address) {
        int chunk = region.chunkOf(address);
        if (chunk < 0) {
            return false;
        }
        long result = freeBlock(chunk, address);
        if (result > 0) {
            frees.increment();
            inUse.add(-result);
        } else {
            misuses.increment();
            listener.onMisuse(address, Misuse.ofCode(result));
        }
        return true;
    }

    @Override
    public final boolean freeStale(long address) {
        if (free(address)) {
            return true;
        }
        if (!region.everHeld(address)) {
            return false;
        }
        misuses.increment();
        listener.onMisuse(address, Misuse.ALREADY_FREE);
        return true;
    }

    @Override
    public final boolean owns(long address) {
        return region.chunkOf(address) >= 0;
    }

    @Override
    public final long usableSize(long address) {
        int chunk = region.chunkOf(address);
        return chunk < 0 ? 0 : usableSizeIn(chunk, address);
    }

    @Override
    public PoolStatistics statistics() {
        long largest = 0;
        if (region.hasUncommittedChunk()) {
            largest = region.chunkBytes();
        } else {
            for (int chunk : region.committedChunks()) {
                largest = Math.max(largest, largestFreeIn(chunk));
            }
        }
        return new PoolStatistics(region.reservedBytes(), region.committedBytes(), inUse.sum(), largest,
                region.chunkBytes(), allocations.sum(), frees.sum(), failures.sum(), misuses.sum());
    }

    @Override
    public void close() {
        region.close();
    }

    /** A per-thread starting point in {@code [0, n)}, so that threads spread over shards or chunks. */
    static int threadSpread(int n) {
        long id = Thread.currentThread().getId();
        return (int) (((id * 0x9E3779B97F4A7C15L) >>> 33) % n);
    }
}
