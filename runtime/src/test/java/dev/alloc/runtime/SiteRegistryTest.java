package dev.alloc.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class SiteRegistryTest {
    private final SiteRegistry sites = new SiteRegistry();
    private final int site = sites.intern("com.example.Cache.grow(Cache.java:42)", Kind.UNSAFE);

    private long c(int counter) {
        return sites.counter(site, counter);
    }

    @Test
    void derivesLiveAndPeakFromTotalsAndFrees() {
        sites.onAllocate(site, 4096);
        sites.onAllocate(site, 1000);
        sites.onAllocate(site, 24);
        sites.onFree(site, 1000, SiteRegistry.FREED_EXPLICITLY);
        sites.onFree(site, 24, SiteRegistry.FREED_BY_GC);
        sites.onAllocate(site, 77);
        assertEquals(4096 + 77, c(SiteRegistry.LIVE_BYTES));
        assertEquals(2, c(SiteRegistry.LIVE_COUNT));
        assertEquals(4096 + 1000 + 24, c(SiteRegistry.PEAK_LIVE_BYTES));
        assertEquals(4096 + 1000 + 24 + 77, c(SiteRegistry.TOTAL_BYTES));
        assertEquals(4, c(SiteRegistry.TOTAL_COUNT));
        assertEquals(1000, c(SiteRegistry.FREED_EXPLICIT_BYTES));
        assertEquals(1, c(SiteRegistry.FREED_EXPLICIT_COUNT));
        assertEquals(24, c(SiteRegistry.FREED_GC_BYTES));
        assertEquals(1, c(SiteRegistry.FREED_GC_COUNT));
        assertEquals(0, c(SiteRegistry.FREED_CLOSE_BYTES));
        sites.onFree(site, 77, SiteRegistry.FREED_BY_CLOSE);
        sites.resetPeaks();
        assertEquals(4096, c(SiteRegistry.PEAK_LIVE_BYTES));
        assertEquals(77, c(SiteRegistry.FREED_CLOSE_BYTES));
        assertEquals(1, c(SiteRegistry.FREED_CLOSE_COUNT));
    }

    @Test
    void countsStayExactPastTheSpillOfThePackedCount() {
        int events = 1_300_003; // more than twice the 2^19 events at which a packed counter spills
        for (int i = 0; i < events; i++) {
            sites.onAllocate(site, 40);
            sites.onFree(site, 40, i % 3 == 0 ? SiteRegistry.FREED_BY_GC : SiteRegistry.FREED_EXPLICITLY);
        }
        sites.onAllocate(site, 7);
        assertEquals(events + 1L, c(SiteRegistry.TOTAL_COUNT));
        assertEquals(40L * events + 7, c(SiteRegistry.TOTAL_BYTES));
        assertEquals(433_335, c(SiteRegistry.FREED_GC_COUNT));
        assertEquals(40L * 433_335, c(SiteRegistry.FREED_GC_BYTES));
        assertEquals(events - 433_335L, c(SiteRegistry.FREED_EXPLICIT_COUNT));
        assertEquals(1, c(SiteRegistry.LIVE_COUNT));
        assertEquals(7, c(SiteRegistry.LIVE_BYTES));
        assertEquals(40, c(SiteRegistry.PEAK_LIVE_BYTES));
    }

    @Test
    void bytesStayExactPastTheSpillOfThePackedBytesAndForHugeBlocks() {
        long big = (1L << 32) - 3; // the largest packable size
        int events = 2100; // 2100 * (2^32 - 3) passes the 2^42 bytes at which a packed counter spills
        for (int i = 0; i < events; i++) {
            sites.onAllocate(site, big);
        }
        long huge = 5L << 32; // not packable: counted in the spilled counters directly
        sites.onAllocate(site, huge);
        assertEquals(big * events + huge, c(SiteRegistry.TOTAL_BYTES));
        assertEquals(big * events + huge, c(SiteRegistry.PEAK_LIVE_BYTES));
        assertEquals(events + 1L, c(SiteRegistry.TOTAL_COUNT));
        sites.onFree(site, huge, SiteRegistry.FREED_EXPLICITLY);
        for (int i = 0; i < events - 1; i++) {
            sites.onFree(site, big, SiteRegistry.FREED_EXPLICITLY);
        }
        assertEquals(big, c(SiteRegistry.LIVE_BYTES));
        assertEquals(1, c(SiteRegistry.LIVE_COUNT));
        assertEquals(big * (events - 1) + huge, c(SiteRegistry.FREED_EXPLICIT_BYTES));
    }

    @Test
    void twoThreadsSharingASiteLoseNoEvent() throws InterruptedException {
        int pairs = 700_000;
        CountDownLatch start = new CountDownLatch(1);
        Thread[] threads = new Thread[2];
        for (int t = 0; t < threads.length; t++) {
            int size = 16 + t;
            threads[t] = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < pairs; i++) {
                    sites.onAllocate(site, size);
                    sites.onFree(site, size, SiteRegistry.FREED_EXPLICITLY);
                }
            });
            threads[t].start();
        }
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        assertEquals(2L * pairs, c(SiteRegistry.TOTAL_COUNT));
        assertEquals((16L + 17L) * pairs, c(SiteRegistry.TOTAL_BYTES));
        assertEquals(2L * pairs, c(SiteRegistry.FREED_EXPLICIT_COUNT));
        assertEquals(0, c(SiteRegistry.LIVE_BYTES));
        assertEquals(0, c(SiteRegistry.LIVE_COUNT));
        long peak = c(SiteRegistry.PEAK_LIVE_BYTES);
        // Two stripes, small blocks: sampled only at reads, never over-stated.
        assertEquals(true, peak <= 16 + 17, "peak " + peak + " is at most both threads' blocks");
    }

    @Test
    void stripesSumToExactFiguresAndThePeakIsSampledForLargeBlocks() {
        int a = 1;
        int b = 2 % SiteRegistry.STRIPES;
        sites.onAllocate(a, site, 1_999_993);
        sites.onAllocate(b, site, 1_048_583);
        sites.onFree(b, site, 1_999_993, SiteRegistry.FREED_BY_GC); // freed on another stripe
        sites.onAllocate(a, site, 777_781);
        assertEquals(1_048_583 + 777_781, c(SiteRegistry.LIVE_BYTES));
        assertEquals(2, c(SiteRegistry.LIVE_COUNT));
        assertEquals(1_999_993 + 1_048_583 + 777_781, c(SiteRegistry.TOTAL_BYTES));
        assertEquals(1_999_993, c(SiteRegistry.FREED_GC_BYTES));
        // Stripe a alone would claim 1,999,993 + 777,781 live; the sampled peak is the true one.
        assertEquals(1_999_993 + 1_048_583, c(SiteRegistry.PEAK_LIVE_BYTES));
    }

    @Test
    void smallBlocksOfOneThreadKeepAnExactPeak() {
        for (int i = 0; i < 100; i++) {
            sites.onAllocate(3, site, 64);
        }
        for (int i = 0; i < 100; i++) {
            sites.onFree(3, site, 64, SiteRegistry.FREED_EXPLICITLY);
        }
        assertEquals(0, c(SiteRegistry.LIVE_BYTES));
        assertEquals(6_400, c(SiteRegistry.PEAK_LIVE_BYTES));
    }
}
