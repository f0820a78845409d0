package dev.alloc.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class LimiterTest {
    @Test
    void refusesWhatWouldPassALimitAndSaysWhich() {
        Limiter limiter = new Limiter();
        limiter.setLimit(Limiter.TOTAL, 100);
        limiter.setLimit(Kind.UNSAFE, 30);
        assertEquals(Limiter.OK, limiter.tryReserve(Kind.DIRECT, 60));
        assertEquals(Kind.UNSAFE, limiter.tryReserve(Kind.UNSAFE, 31));
        assertEquals(Limiter.OK, limiter.tryReserve(Kind.UNSAFE, 30));
        assertEquals(Limiter.TOTAL, limiter.tryReserve(Kind.DIRECT, 11));
        assertEquals(Limiter.OK, limiter.tryReserve(Kind.DIRECT, 10));
        assertEquals(100, limiter.used(Limiter.TOTAL));
        assertEquals(70, limiter.used(Kind.DIRECT));
        assertEquals(30, limiter.used(Kind.UNSAFE));
        limiter.release(Kind.DIRECT, 70);
        limiter.release(Kind.UNSAFE, 30);
        assertEquals(0, limiter.used(Limiter.TOTAL));
        assertEquals(100, limiter.peak(Limiter.TOTAL));
    }

    @Test
    void loweringALimitBelowUseFailsNewReservationsOnly() {
        Limiter limiter = new Limiter();
        assertEquals(Limiter.OK, limiter.tryReserve(Kind.DIRECT, 500));
        limiter.setLimit(Limiter.TOTAL, 100);
        assertEquals(Limiter.TOTAL, limiter.tryReserve(Kind.DIRECT, 1));
        assertEquals(500, limiter.used(Limiter.TOTAL));
        limiter.release(Kind.DIRECT, 450);
        assertEquals(Limiter.OK, limiter.tryReserve(Kind.DIRECT, 50));
    }

    @Test
    void warnsOnceWhenCrossingThePercentage() {
        Limiter limiter = new Limiter();
        List<String> warnings = new ArrayList<>();
        limiter.setWarningListener((which, used, limit) -> warnings.add(which + ":" + used + "/" + limit));
        limiter.setLimit(Limiter.TOTAL, 1000);
        limiter.setWarnPercent(90);
        limiter.tryReserve(Kind.DIRECT, 899);
        assertTrue(warnings.isEmpty());
        limiter.tryReserve(Kind.DIRECT, 2);
        assertEquals(List.of(Limiter.TOTAL + ":901/1000"), warnings);
        limiter.tryReserve(Kind.DIRECT, 2);
        assertEquals(1, warnings.size());
    }

    /** Threads racing for the limits: never over one at any instant, back to zero at the end. */
    @Test
    void neverOverTheLimitUnderContentionAndBackToZero() throws Exception {
        Limiter limiter = new Limiter();
        long limit = 10_000;
        long directLimit = 6_000;
        limiter.setLimit(Limiter.TOTAL, limit);
        limiter.setLimit(Kind.DIRECT, directLimit);
        CountDownLatch start = new CountDownLatch(1);
        AtomicLong refused = new AtomicLong();
        AtomicReference<String> violation = new AtomicReference<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int kind = t % 2 == 0 ? Kind.DIRECT : Kind.UNSAFE;
            long seed = t;
            Thread worker = new Thread(() -> {
                Random random = new Random(seed);
                long[] held = new long[64];
                int n = 0;
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 300_000; i++) {
                    if (n < held.length && random.nextBoolean()) {
                        long size = 1 + random.nextInt(700);
                        if (limiter.tryReserve(kind, size) == Limiter.OK) {
                            held[n++] = size;
                        } else {
                            refused.incrementAndGet();
                        }
                    } else if (n > 0) {
                        limiter.release(kind, held[--n]);
                    }
                    long used = limiter.used(Limiter.TOTAL);
                    long direct = limiter.used(Kind.DIRECT);
                    if (used > limit || direct > directLimit) {
                        violation.compareAndSet(null, "used " + used + ", direct " + direct);
                    }
                }
                while (n > 0) {
                    limiter.release(kind, held[--n]);
                }
            });
            workers.add(worker);
            worker.start();
        }
        start.countDown();
        for (Thread worker : workers) {
            worker.join();
        }
        assertNull(violation.get());
        assertTrue(refused.get() > 0, "the test must actually hit the limits");
        assertTrue(limiter.peak(Limiter.TOTAL) <= limit);
        assertTrue(limiter.peak(Kind.DIRECT) <= directLimit);
        assertEquals(0, limiter.used(Limiter.TOTAL));
        assertEquals(0, limiter.used(Kind.DIRECT));
        assertEquals(0, limiter.used(Kind.UNSAFE));
    }

    @Test
    void aHugeReservationNeitherOverflowsPastTheLimitNorDividesByZero() {
        Limiter limiter = new Limiter();
        List<String> warnings = new ArrayList<>();
        limiter.setWarningListener((which, used, limit) -> warnings.add(which + ":" + used + "/" + limit));
        assertEquals(Limiter.OK, limiter.tryReserve(Kind.UNSAFE, 50));
        limiter.setLimit(Limiter.TOTAL, 100);
        assertEquals(Limiter.TOTAL, limiter.tryReserve(Kind.UNSAFE, Long.MAX_VALUE)); // 50 + MAX wraps below 100
        assertEquals(50, limiter.used(Limiter.TOTAL));
        limiter.setLimit(Limiter.TOTAL, 0);
        limiter.release(Kind.UNSAFE, 50);
        assertEquals(Limiter.OK, limiter.tryReserve(Kind.DIRECT, Long.MAX_VALUE)); // no limit: no warning, no percentage
        assertEquals(List.of(), warnings);
    }

    @Test
    void theWarningListenerGetsTheLimitTheReservationWasCheckedAgainst() throws Exception {
        Limiter limiter = new Limiter();
        AtomicReference<String> wrong = new AtomicReference<>();
        LimitWarnings logOnce = new LimitWarnings();
        limiter.setWarningListener((which, used, limit) -> {
            if (limit <= 0) {
                wrong.compareAndSet(null, "limit " + limit + " at used " + used);
            }
            logOnce.crossed(which, used, limit); // divides by the limit
        });
        Log.setLevel(Log.QUIET);
        Thread toggler = new Thread(() -> {
            for (int i = 0; i < 200_000 && wrong.get() == null; i++) {
                limiter.setLimit(Kind.DIRECT, 1000);
                limiter.setLimit(Kind.DIRECT, 0);
            }
        });
        toggler.start();
        try {
            for (int i = 0; i < 2_000_000 && toggler.isAlive(); i++) {
                if (limiter.tryReserve(Kind.DIRECT, 950) == Limiter.OK) {
                    limiter.release(Kind.DIRECT, 950);
                }
            }
        } finally {
            toggler.join();
        }
        assertNull(wrong.get());
    }

    @Test
    void theWarningLogDoesNotDivideByANoLimit() {
        new LimitWarnings().crossed(Kind.DIRECT, 1_999_993, 0);
    }
}
