package dev.alloc.runtime;

/**
 * Wall-clock milliseconds that cost one volatile read: a daemon thread refreshes the
 * {@link #SYSTEM} clock every {@value #TICK_MILLIS} ms. Allocations stamp their record (slot or table
 * entry with it (the age of the oldest live block per site comes from there) and the event
 * throttles count windows with it; {@code System.currentTimeMillis()} on every allocation would
 * cost more than the rest of the bookkeeping. Reads 0 until {@link #start} runs: blocks stamped 0
 * have no known age. Other instances never tick: tests set them ({@link #set}).
 */
public final class CoarseClock {
    static final long TICK_MILLIS = 10;
    /** The clock of the running agent, the one {@link #start} ticks. */
    static final CoarseClock SYSTEM = new CoarseClock();
    private static Thread ticker;

    private volatile long nowMillis;
    /** {@link #nowMillis} as an {@link AddressTable#stamp}, for the slots of headed blocks: one read, no arithmetic. */
    private volatile int stamp;

    CoarseClock() {
    }

    /** The {@link #SYSTEM} clock's last tick, or 0 while it is not running. */
    public static long millis() {
        return SYSTEM.nowMillis;
    }

    /** This clock's time. */
    long now() {
        return nowMillis;
    }

    /** This clock's time as an {@link AddressTable#stamp} (100 ms steps). */
    int stamp() {
        return stamp;
    }

    /** Sets a clock that does not tick. */
    void set(long millis) {
        stamp = AddressTable.stamp(millis);
        nowMillis = millis;
    }

    /** Starts the {@link #SYSTEM} clock's ticking thread once; later calls do nothing. */
    public static synchronized void start() {
        if (ticker != null) {
            return;
        }
        SYSTEM.set(System.currentTimeMillis());
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
                    SYSTEM.set(System.currentTimeMillis());
                }
            }
        }, "alloc-clock");
        ticker.setDaemon(true);
        ticker.start();
    }
}
