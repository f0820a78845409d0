package dev.alloc.runtime;

/**
 * Wall-clock milliseconds that cost one volatile read: a daemon thread refreshes them every
 * {@value #TICK_MILLIS} ms. Allocations stamp their address-table entry with it (the age of the
 * oldest live block per site comes from there) and the event throttles count windows with it;
 * {@code System.currentTimeMillis()} on every allocation would cost more than the rest of the
 * bookkeeping. Reads 0 until {@link #start} runs: blocks stamped 0 have no known age.
 */
public final class CoarseClock {
    static final long TICK_MILLIS = 10;
    private static volatile long nowMillis;
    private static Thread ticker;

    private CoarseClock() {
    }

    /** The time of the last tick, or 0 while the clock is not running. */
    public static long millis() {
        return nowMillis;
    }

    /** Starts the ticking thread once; later calls do nothing. */
    public static synchronized void start() {
        if (ticker != null) {
            return;
        }
        nowMillis = System.currentTimeMillis();
        ticker = new Thread(new Runnable() {
            @Override
            public void run() {
                SiteContext.current().enterAgent();
                while (true) {
                    try {
                        Thread.sleep(TICK_MILLIS);
                    } catch (InterruptedException e) {
                        return;
                    }
                    nowMillis = System.currentTimeMillis();
                }
            }
        }, "alloc-clock");
        ticker.setDaemon(true);
        ticker.start();
    }
}
