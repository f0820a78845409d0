package dev.alloc.runtime;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Which stripe of the per-site counters ({@link SiteRegistry}) a thread writes, and whether it
 * writes it alone.
 *
 * <p>Stripes {@code [0, EXCLUSIVE)} are leased, each to one platform thread at a time: the
 * holder updates its stripe with plain reads and release stores (no atomic instruction), which
 * is correct because no other thread writes those counters. The other stripes are shared by
 * every thread without a lease (virtual threads always, platform threads before they earn one
 * or when every lease is held, and the JDK's Reference Handler and Cleaner threads, which free
 * at GC's pace and would hold a lease for the JVM's life) and updated with atomic adds.
 *
 * <p>A platform thread takes a free lease when it first counts an event, so a program whose
 * threads are fewer than the leases keeps each thread on one stripe (which keeps a site's peak
 * exact when one thread made all its events, see {@link SiteRegistry}). A thread that found none
 * asks again every {@value #EVENTS_BEFORE_LEASE} events, so busy threads take the leases that
 * ended threads leave. A lease whose holder has ended is taken over: the JLS makes everything a
 * thread did visible to a thread that sees it terminated ({@link Thread#isAlive} false), so the
 * counters pass to the new holder intact. A holder that lives on but stops allocating keeps its
 * lease; with more allocating threads than leases, the rest share the atomic stripes (the cost
 * before leases existed).
 */
final class StripeLeases {
    /** Leased stripes: three quarters of them (6 of 8 on 2 CPUs); the rest are shared. */
    static final int EXCLUSIVE = SiteRegistry.STRIPES - SiteRegistry.STRIPES / 4;
    /** Events a thread counts on a shared stripe before it asks (again) for a lease. */
    static final int EVENTS_BEFORE_LEASE = 256;

    /**
     * The holder of each leased stripe, or null; guarded by the class's lock, taken at a thread's
     * first event and at most every {@value #EVENTS_BEFORE_LEASE} events after, never per event.
     */
    private static final Thread[] HOLDERS = new Thread[EXCLUSIVE];
    private static final AtomicInteger SHARED_HANDED = new AtomicInteger();

    private StripeLeases() {
    }

    /** Whether the stripe is written by its lease holder alone. */
    static boolean exclusive(int stripe) {
        return stripe < EXCLUSIVE;
    }

    /** A shared stripe, handed out round-robin. */
    static int shared() {
        int shared = SiteRegistry.STRIPES - EXCLUSIVE;
        return EXCLUSIVE + (SHARED_HANDED.getAndIncrement() & Integer.MAX_VALUE) % shared;
    }

    /** A leased stripe for {@code thread}: a free one, or one whose holder ended; -1 if none. */
    static synchronized int lease(Thread thread) {
        for (int stripe = 0; stripe < EXCLUSIVE; stripe++) {
            if (HOLDERS[stripe] == null) {
                HOLDERS[stripe] = thread;
                return stripe;
            }
        }
        for (int stripe = 0; stripe < EXCLUSIVE; stripe++) {
            if (!HOLDERS[stripe].isAlive()) {
                HOLDERS[stripe] = thread;
                return stripe;
            }
        }
        return -1;
    }
}
