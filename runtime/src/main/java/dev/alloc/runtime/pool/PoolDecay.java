package dev.alloc.runtime.pool;

import dev.alloc.runtime.SiteContext;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;

/**
 * The pools' one background thread, {@value #THREAD_NAME}: page return by decay, as jemalloc's
 * {@code dirty_decay_ms}. Every {@value #PERIOD_MILLIS} ms it asks each pool to give back the
 * pages that have been free for {@value #DIRTY_MILLIS} ms or more ({@link RegionAllocator#decay}),
 * and to flush the caches of threads that ended. So no allocating or freeing thread ever
 * drops pages or unmaps chunks, and no heap lock is held while that happens.
 *
 * <p>Started lazily, the first time a pool gives a block back to its strategy (a pool used only
 * through its caches has nothing to decay), as a daemon; pools are held weakly.
 */
final class PoolDecay implements Runnable {
    static final String THREAD_NAME = "alloc-pool-decay";
    static final long DIRTY_MILLIS = 1000;
    static final long PERIOD_MILLIS = 250;
    private static final List<WeakReference<RegionAllocator<?>>> POOLS = new ArrayList<WeakReference<RegionAllocator<?>>>();
    private static Thread thread;

    private PoolDecay() {
    }

    /** Has {@code pool} decayed from now on, starting the thread if it is not running. */
    static synchronized void start(RegionAllocator<?> pool) {
        POOLS.add(new WeakReference<RegionAllocator<?>>(pool));
        if (thread == null) {
            thread = new Thread(new PoolDecay(), THREAD_NAME);
            thread.setDaemon(true);
            thread.start();
        }
    }

    private static synchronized List<RegionAllocator<?>> pools() {
        List<RegionAllocator<?>> live = new ArrayList<RegionAllocator<?>>();
        POOLS.removeIf(ref -> ref.get() == null);
        for (WeakReference<RegionAllocator<?>> ref : POOLS) {
            RegionAllocator<?> pool = ref.get();
            if (pool != null) {
                live.add(pool);
            }
        }
        return live;
    }

    @Override
    public void run() {
        SiteContext.current().enterAgent(); // what this thread does is the agent's own work, never tracked
        while (true) {
            try {
                Thread.sleep(PERIOD_MILLIS);
                long cutoff = System.nanoTime() - DIRTY_MILLIS * 1_000_000L;
                for (RegionAllocator<?> pool : pools()) {
                    pool.decay(cutoff);
                }
            } catch (InterruptedException e) {
                return;
            } catch (Throwable e) {
                // a pool's bookkeeping failed: keep serving the others; the pages stay resident
            }
        }
    }
}
