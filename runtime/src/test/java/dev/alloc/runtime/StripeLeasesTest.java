package dev.alloc.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class StripeLeasesTest {
    private final SiteRegistry sites = new SiteRegistry();
    private final int site = sites.intern("com.example.Pool.take(Pool.java:7)", Kind.UNSAFE);

    @Test
    void aThreadTakesAFreeLeaseAndAnEndedHoldersLeaseIsTakenOver() throws Exception {
        // Holders here: at most the test runner's thread, and threads of earlier tests, all ended.
        AtomicInteger first = new AtomicInteger(-1);
        Thread holder = new Thread(() -> first.set(SiteContext.current().stripe()));
        holder.start();
        holder.join();
        assertTrue(StripeLeases.exclusive(first.get()), "a thread takes a lease while one is free");

        AtomicInteger next = new AtomicInteger(-1);
        Thread successor = new Thread(() -> next.set(SiteContext.current().stripe()));
        successor.start();
        successor.join();
        assertTrue(StripeLeases.exclusive(next.get()), "the lease of an ended holder passes to a new thread at once");
    }

    @Test
    void countsStayExactWithMoreBusyThreadsThanLeases() throws Exception {
        int threads = StripeLeases.EXCLUSIVE + 5;
        int pairs = 100_003;
        CyclicBarrier start = new CyclicBarrier(threads);
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            workers[t] = new Thread(() -> {
                try {
                    start.await();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                for (int i = 0; i < pairs; i++) {
                    sites.onAllocate(site, 1_999);
                    sites.onFree(site, 1_999, i % 2 == 0 ? SiteRegistry.FREED_BY_GC : SiteRegistry.FREED_EXPLICITLY);
                }
                sites.onAllocate(site, 77);
            });
            workers[t].start();
        }
        for (Thread worker : workers) {
            worker.join();
        }
        assertEquals((long) threads * (pairs + 1), sites.counter(site, SiteRegistry.TOTAL_COUNT));
        assertEquals((long) threads * (1_999L * pairs + 77), sites.counter(site, SiteRegistry.TOTAL_BYTES));
        assertEquals((long) threads * 50_002, sites.counter(site, SiteRegistry.FREED_GC_COUNT));
        assertEquals((long) threads * 50_001 * 1_999, sites.counter(site, SiteRegistry.FREED_EXPLICIT_BYTES));
        assertEquals(77L * threads, sites.counter(site, SiteRegistry.LIVE_BYTES));
        assertEquals(threads, sites.counter(site, SiteRegistry.LIVE_COUNT));
    }

    @Test
    void aLeasedAndASharedStripeCountAlikePastEverySpill() {
        int leased = 0;
        int shared = SiteRegistry.STRIPES - 1;
        assertTrue(StripeLeases.exclusive(leased));
        assertFalse(StripeLeases.exclusive(shared));
        for (int stripe : new int[] {leased, shared}) {
            SiteRegistry registry = new SiteRegistry();
            int id = registry.intern("com.example.Spill.run(Spill.java:3)", Kind.DIRECT);
            int events = 1_100_009; // past the 2^19 events at which a packed count spills, twice
            for (int i = 0; i < events; i++) {
                registry.onAllocate(stripe, id, 4_099);
                registry.onFree(stripe, id, 4_099, SiteRegistry.FREED_EXPLICITLY);
            }
            long huge = 5L << 32; // goes straight to the spilled counters
            registry.onAllocate(stripe, id, huge);
            registry.onAllocate(stripe, id, 1_999_993);
            assertEquals(events + 2L, registry.counter(id, SiteRegistry.TOTAL_COUNT), "stripe " + stripe);
            assertEquals(4_099L * events + huge + 1_999_993, registry.counter(id, SiteRegistry.TOTAL_BYTES));
            assertEquals(events, registry.counter(id, SiteRegistry.FREED_EXPLICIT_COUNT));
            assertEquals(4_099L * events, registry.counter(id, SiteRegistry.FREED_EXPLICIT_BYTES));
            assertEquals(huge + 1_999_993, registry.counter(id, SiteRegistry.LIVE_BYTES));
            assertEquals(huge + 1_999_993, registry.counter(id, SiteRegistry.PEAK_LIVE_BYTES));
            registry.onFree(stripe, id, huge, SiteRegistry.FREED_BY_CLOSE);
            assertEquals(1_999_993, registry.counter(id, SiteRegistry.LIVE_BYTES));
            assertEquals(1, registry.counter(id, SiteRegistry.LIVE_COUNT));
        }
    }
}
