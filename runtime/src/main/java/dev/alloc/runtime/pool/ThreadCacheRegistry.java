package dev.alloc.runtime.pool;

/**
 * Every {@link ThreadCache} of one pool, so that their counters can be summed and the caches
 * of threads that ended can be flushed. A thread's end is learned lazily, by asking whether
 * its owner is alive: when a cache is added and the list has doubled since the last sweep,
 * when the pool runs short, on {@link NativeAllocator#trim}, and from the pool's background
 * thread. A dead thread's counters are folded into {@code retired} and its cache is dropped.
 *
 * <p>One lock, taken only on these rare paths, never on a hit; it is taken before the
 * strategy's locks (flushing gives blocks back), never after.
 */
final class ThreadCacheRegistry {
    private final ThreadCache.BlockSink sink;
    private ThreadCache[] caches = new ThreadCache[8];
    private int count;
    private int sweptAt = 8;
    private final long[] retired = new long[3];

    ThreadCacheRegistry(ThreadCache.BlockSink sink) {
        this.sink = sink;
    }

    synchronized void add(ThreadCache cache) {
        if (count == caches.length) {
            if (count >= sweptAt) {
                sweepDead();
                sweptAt = Math.max(8, 2 * count);
            }
            if (count == caches.length) {
                caches = java.util.Arrays.copyOf(caches, 2 * count);
            }
        }
        caches[count++] = cache;
    }

    /** Flushes and drops the caches of threads that ended. */
    synchronized void flushDead() {
        sweepDead();
    }

    /** Allocations, frees and bytes in use, summed over every thread that ever used the pool. */
    synchronized long[] sums() {
        long[] sums = retired.clone();
        for (int i = 0; i < count; i++) {
            sums[0] += caches[i].counter(ThreadCache.ALLOCATIONS);
            sums[1] += caches[i].counter(ThreadCache.FREES);
            sums[2] += caches[i].counter(ThreadCache.IN_USE);
        }
        return sums;
    }

    synchronized int size() {
        return count;
    }

    private void sweepDead() {
        int kept = 0;
        for (int i = 0; i < count; i++) {
            ThreadCache cache = caches[i];
            if (cache.ownerDied()) {
                cache.flush(sink);
                retired[0] += cache.counter(ThreadCache.ALLOCATIONS);
                retired[1] += cache.counter(ThreadCache.FREES);
                retired[2] += cache.counter(ThreadCache.IN_USE);
            } else {
                caches[kept++] = cache;
            }
        }
        java.util.Arrays.fill(caches, kept, count, null);
        count = kept;
    }
}
