package dev.alloc.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The per-thread batches of {@link Limiter}: the invariants of its class comment, in-process. */
class LimiterBudgetTest {
    @Test
    void aThreadServesItsReservationsFromItsBatchWithoutTouchingTheSharedCounter() {
        Limiter limiter = new Limiter();
        limiter.setLimit(Limiter.TOTAL, 1L << 30);
        Limiter.Budget budget = limiter.budget();
        assertEquals(Limiter.OK, limiter.tryReserve(budget, Kind.UNSAFE, 64));
        long charged = limiter.charged(Limiter.TOTAL);
        assertEquals(64 + Limiter.MAX_BATCH, charged);
        for (int i = 0; i < 1000; i++) {
            assertEquals(Limiter.OK, limiter.tryReserve(budget, Kind.UNSAFE, 61));
            limiter.release(budget, Kind.UNSAFE, 61);
        }
        assertEquals(charged, limiter.charged(Limiter.TOTAL));
        assertEquals(64, limiter.used(Limiter.TOTAL));
        assertEquals(64, limiter.used(Kind.UNSAFE));
        assertEquals(0, limiter.used(Kind.DIRECT));
    }

    @Test
    void nearTheLimitBatchesShrinkToNothing() {
        Limiter limiter = new Limiter();
        limiter.setLimit(Limiter.TOTAL, 1_000_003);
        for (int i = 0; i < 999; i++) {
            assertEquals(Limiter.OK, limiter.tryReserve(Kind.DIRECT, 1000));
        }
        // within 1/64 of the room per refill, then exact: never more than the limit charged
        assertTrue(limiter.charged(Limiter.TOTAL) <= 1_000_003);
        assertEquals(Limiter.OK, limiter.tryReserve(Kind.DIRECT, 1003));
        assertEquals(1_000_003, limiter.used(Limiter.TOTAL));
        assertEquals(1_000_003, limiter.charged(Limiter.TOTAL));
        assertEquals(Limiter.TOTAL, limiter.tryReserve(Kind.DIRECT, 1));
    }

    @Test
    void aReservationThatDoesNotFitDrainsOtherThreadsBatchesFirst() throws Exception {
        Limiter limiter = new Limiter();
        limiter.setLimit(Limiter.TOTAL, 64L << 20);
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        Thread other = new Thread(() -> {
            // leaves a batch behind: reserved and released, the budget stays charged
            for (int i = 0; i < 100; i++) {
                limiter.tryReserve(Kind.DIRECT, 4096);
            }
            for (int i = 0; i < 100; i++) {
                limiter.release(Kind.DIRECT, 4096);
            }
            holding.countDown();
            try {
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        other.start();
        holding.await();
        assertTrue(limiter.charged(Limiter.TOTAL) > 0, "the other thread keeps a batch");
        assertEquals(0, limiter.used(Limiter.TOTAL));
        assertEquals(Limiter.OK, limiter.tryReserve(Kind.UNSAFE, 64L << 20)); // all of it
        assertEquals(64L << 20, limiter.used(Limiter.TOTAL));
        assertEquals(64L << 20, limiter.charged(Limiter.TOTAL));
        done.countDown();
        other.join();
    }

    @Test
    void aLimitChangeAppliesAtOnceToBatchesAlreadyTaken() {
        Limiter limiter = new Limiter();
        Limiter.Budget budget = limiter.budget();
        assertEquals(Limiter.OK, limiter.tryReserve(budget, Kind.DIRECT, 500));
        limiter.release(budget, Kind.DIRECT, 400); // the stock now covers far more than 100 bytes
        limiter.setLimit(Limiter.TOTAL, 150);
        assertEquals(Limiter.TOTAL, limiter.tryReserve(budget, Kind.DIRECT, 51));
        assertEquals(Limiter.OK, limiter.tryReserve(budget, Kind.DIRECT, 50));
        assertEquals(150, limiter.used(Limiter.TOTAL));
        limiter.setLimit(Kind.DIRECT, 149);
        assertEquals(Kind.DIRECT, limiter.tryReserve(budget, Kind.DIRECT, 1));
        limiter.setLimit(Kind.DIRECT, 0);
        limiter.setLimit(Limiter.TOTAL, 0);
        assertEquals(Limiter.OK, limiter.tryReserve(budget, Kind.DIRECT, 1));
    }

    @Test
    void anExtraLimitIsChargedAlongsideTheKindAndTheTotal() {
        Limiter limiter = new Limiter(2);
        int prefix = Limiter.extraLimit(1);
        limiter.setLimit(prefix, 10_007);
        Limiter.Budget budget = limiter.budget();
        assertEquals(Limiter.OK, limiter.tryReserve(budget, Kind.DIRECT, prefix, 10_000));
        assertEquals(prefix, limiter.tryReserve(budget, Kind.UNSAFE, prefix, 8));
        assertEquals(Limiter.OK, limiter.tryReserve(budget, Kind.UNSAFE, Limiter.NO_EXTRA, 8)); // off the prefix
        assertEquals(Limiter.OK, limiter.tryReserve(budget, Kind.UNSAFE, prefix, 7));
        assertEquals(10_007, limiter.used(prefix));
        assertEquals(10_015, limiter.used(Limiter.TOTAL));
        assertEquals(0, limiter.used(Limiter.extraLimit(0)));
        limiter.release(budget, Kind.DIRECT, prefix, 10_000);
        assertEquals(7, limiter.used(prefix));
        assertEquals(10_007, limiter.peak(prefix));
        limiter.drainAll();
        assertEquals(7, limiter.charged(prefix));
    }

    @Test
    void mappingsStayOutsideTheTotal() {
        Limiter limiter = new Limiter();
        limiter.setLimit(Limiter.TOTAL, 1_000);
        assertEquals(Limiter.OK, limiter.tryReserve(Kind.MAPPED, 1_999_993));
        assertEquals(Limiter.OK, limiter.tryReserve(Kind.DIRECT, 1_000));
        assertEquals(1_999_993, limiter.used(Kind.MAPPED));
        assertEquals(1_000, limiter.used(Limiter.TOTAL));
        limiter.release(Kind.MAPPED, 1_999_993);
        limiter.drainAll();
        assertEquals(1_000, limiter.charged(Limiter.TOTAL));
        assertEquals(0, limiter.charged(Kind.MAPPED));
    }

    @Test
    void shortLivedThreadsLeaveNoBatchBehind() throws Exception {
        Limiter limiter = new Limiter();
        long limit = 8L << 20;
        limiter.setLimit(Limiter.TOTAL, limit);
        for (int round = 0; round < 10; round++) {
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 20; t++) {
                Thread thread = new Thread(() -> {
                    limiter.tryReserve(Kind.UNSAFE, 4099);
                    limiter.release(Kind.UNSAFE, 4099);
                });
                threads.add(thread);
                thread.start();
            }
            for (Thread thread : threads) {
                thread.join();
            }
        }
        assertEquals(0, limiter.used(Limiter.TOTAL));
        // The dead threads' batches come back at the first reservation that needs them...
        assertEquals(Limiter.OK, limiter.tryReserve(Kind.UNSAFE, limit));
        limiter.release(Kind.UNSAFE, limit);
        // ...and their budgets are folded once collected, keeping their (zero) live share.
        for (int i = 0; i < 50 && limiter.budgetCount() > 1; i++) {
            System.gc();
            Thread.sleep(20);
            limiter.sweep();
        }
        assertEquals(1, limiter.budgetCount(), "only this thread's budget is left");
        assertEquals(0, limiter.used(Limiter.TOTAL));
    }

    @Test
    void virtualThreadsShareTheirCarriersBudgets() throws Exception {
        ExecutorService executor;
        try {
            executor = (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        } catch (NoSuchMethodException jdk17) {
            return; // no virtual threads before JDK 21
        }
        Limiter limiter = new Limiter();
        limiter.setLimit(Limiter.TOTAL, 64L << 20);
        List<Future<?>> tasks = new ArrayList<>();
        for (int t = 0; t < 10_000; t++) {
            long size = 1000 + t % 97;
            tasks.add(executor.submit(() -> {
                assertEquals(Limiter.OK, limiter.tryReserve(Kind.DIRECT, size));
                Thread.yield(); // may come back on another carrier
                limiter.release(Kind.DIRECT, size);
            }));
        }
        for (Future<?> task : tasks) {
            task.get();
        }
        executor.shutdown();
        assertEquals(0, limiter.used(Limiter.TOTAL));
        assertTrue(limiter.budgetCount() <= Runtime.getRuntime().availableProcessors() + 8,
                "a budget per carrier, not per virtual thread: " + limiter.budgetCount());
    }

    /**
     * Eight threads, frees mostly on other threads, two limits hit all the time: a sampler sees
     * used above neither limit at any point, and the figures are exact at the end.
     */
    @Test
    void eightThreadsWithFreesOnOtherThreadsNeverPassALimit() throws Exception {
        Limiter limiter = new Limiter();
        long limit = 1_000_003;
        long directLimit = 600_011;
        limiter.setLimit(Limiter.TOTAL, limit);
        limiter.setLimit(Kind.DIRECT, directLimit);
        ConcurrentLinkedQueue<long[]> handedOver = new ConcurrentLinkedQueue<>();
        AtomicReference<String> violation = new AtomicReference<>();
        AtomicLong refused = new AtomicLong();
        AtomicLong held = new AtomicLong();
        AtomicBoolean running = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            while (running.get()) {
                long used = limiter.used(Limiter.TOTAL);
                long direct = limiter.used(Kind.DIRECT);
                if (used > limit || direct > directLimit || limiter.charged(Limiter.TOTAL) > limit) {
                    violation.compareAndSet(null, "used " + used + ", direct " + direct);
                }
            }
        });
        sampler.start();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            long seed = 1_999_993L * t;
            Thread worker = new Thread(() -> {
                Random random = new Random(seed);
                List<long[]> mine = new ArrayList<>();
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 150_000; i++) {
                    int op = random.nextInt(4);
                    if (op < 2) {
                        int kind = random.nextBoolean() ? Kind.DIRECT : Kind.UNSAFE;
                        long size = 1 + random.nextInt(random.nextInt(10) == 0 ? 200_000 : 2_000);
                        if (limiter.tryReserve(kind, size) == Limiter.OK) {
                            held.addAndGet(size);
                            mine.add(new long[] {kind, size});
                        } else {
                            refused.incrementAndGet();
                        }
                    } else if (op == 2 && !mine.isEmpty()) {
                        handedOver.add(mine.remove(mine.size() - 1)); // freed by whoever takes it
                    } else {
                        long[] block = !mine.isEmpty() && random.nextBoolean() ? mine.remove(mine.size() - 1) : handedOver.poll();
                        if (block != null) {
                            limiter.release((int) block[0], block[1]);
                            held.addAndGet(-block[1]);
                        }
                    }
                }
                handedOver.addAll(mine);
            });
            workers.add(worker);
            worker.start();
        }
        start.countDown();
        for (Thread worker : workers) {
            worker.join();
        }
        running.set(false);
        sampler.join();
        assertNull(violation.get());
        assertTrue(refused.get() > 1000, "the limits must really be hit: " + refused.get());
        assertEquals(held.get(), limiter.used(Limiter.TOTAL));
        assertTrue(limiter.peak(Limiter.TOTAL) <= limit);
        assertTrue(limiter.peak(Kind.DIRECT) <= directLimit);
        for (long[] block; (block = handedOver.poll()) != null; ) {
            limiter.release((int) block[0], block[1]);
        }
        assertEquals(0, limiter.used(Limiter.TOTAL));
        assertEquals(0, limiter.used(Kind.DIRECT));
        assertEquals(0, limiter.used(Kind.UNSAFE));
        limiter.drainAll();
        assertEquals(0, limiter.charged(Limiter.TOTAL));
        assertEquals(0, limiter.charged(Kind.DIRECT));
    }
}
