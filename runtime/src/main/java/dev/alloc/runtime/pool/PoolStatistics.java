package dev.alloc.runtime.pool;

/**
 * A pool's figures.
 *
 * @param reserved         the ceiling: bytes the pool may take from the operating system
 * @param committed        bytes it holds from the operating system now (whole chunks)
 * @param inUse            bytes in live blocks, counted at their usable size
 * @param largestFreeBlock the largest block an allocation could get now, uncommitted chunks included
 * @param maxBlock         the largest block the pool serves at all (one chunk)
 * @param allocations      blocks handed out
 * @param frees            blocks given back
 * @param failures         requests answered with 0 (too big, bad alignment, full)
 * @param misuses          bad frees caught (double frees, interior pointers)
 */
public record PoolStatistics(long reserved, long committed, long inUse, long largestFreeBlock, long maxBlock,
                             long allocations, long frees, long failures, long misuses) {

    /** Bytes not in live blocks. */
    public long free() {
        return reserved - inUse;
    }

    /**
     * The share of free memory that cannot serve the largest request the pool takes: 0 when
     * the largest free block is as big as free memory allows, towards 1 as free memory breaks
     * into small pieces. Measured against {@code min(free, maxBlock)} rather than {@code free},
     * because no block spans two chunks: an empty pool of many chunks is not fragmented.
     */
    public double fragmentation() {
        long attainable = Math.min(free(), maxBlock);
        return attainable <= 0 ? 0.0 : 1.0 - (double) Math.min(largestFreeBlock, attainable) / attainable;
    }
}
