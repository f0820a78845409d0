package dev.alloc.runtime;

/**
 * Gives the garbage collector a chance to free dead buffers before a reservation fails, as
 * {@code java.nio.Bits.reserveMemory} does for {@code -XX:MaxDirectMemorySize}: memory held by
 * unreachable direct buffers (and automatic FFM arenas) comes back only when their Cleaners
 * run, so failing at once would fail while the memory is really free.
 *
 * <p>One {@code System.gc()}, then up to 9 retries with doubling sleeps (about 0.5 s in all).
 * Never on a Cleaner thread: it would wait for itself. Frees never wait for this.
 */
final class Reclaimer {
    private static final int MAX_SLEEPS = 9;

    private Reclaimer() {
    }

    /** Whether waiting can free anything: the limit hit covers GC-freed memory, some is live, and this thread may wait. */
    static boolean mayHelp(Limiter limiter, int limitHit) {
        // GC never frees unsafe or malloc memory: a full limit.unsafe or limit.malloc fails at once.
        boolean gcFreesThisLimit = limitHit == Limiter.TOTAL || limitHit == Kind.DIRECT || limitHit == Kind.FFM;
        boolean gcUnmaps = limitHit == Kind.MAPPED && limiter.used(Kind.MAPPED) > 0; // dead mapped buffers
        return (gcUnmaps || gcFreesThisLimit && (limiter.used(Kind.DIRECT) > 0 || limiter.used(Kind.FFM) > 0))
                && !JdkThreads.isCleanerThread(Thread.currentThread());
    }

    /** Retries the reservation; returns {@link Limiter#OK} or the limit still exceeded. */
    static int retry(Limiter limiter, int kind, long size, int budget) { // budget: Budgets.NONE or its limit id
        System.gc();
        long sleepMillis = 1;
        int hit = limiter.tryReserve(limiter.budget(), kind, budget, size);
        for (int i = 0; hit != Limiter.OK && i < MAX_SLEEPS; i++) {
            try {
                Thread.sleep(sleepMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return hit;
            }
            sleepMillis <<= 1;
            hit = limiter.tryReserve(limiter.budget(), kind, budget, size);
        }
        return hit;
    }
}
