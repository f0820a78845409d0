package dev.alloc.it.programs;

import dev.alloc.OffHeapStats;
import dev.alloc.it.programs.budget.alpha.Alpha;
import dev.alloc.it.programs.budget.beta.Beta;
import java.util.concurrent.CountDownLatch;

/**
 * Four threads each take 5 blocks of 777,781 bytes through {@link Alpha} and 2 of 999,983
 * through {@link Beta}, and give 2 of Alpha's back; the program itself takes 5,000,011 bytes
 * outside both packages. It prints each budget's figure, then asks Beta for one block more
 * (over {@code budget...beta=8m}) and Alpha for one more (still inside its budget).
 */
public final class TwoBudgets {
    static final String ALPHA = "dev.alloc.it.programs.budget.alpha";
    static final String BETA = "dev.alloc.it.programs.budget.beta";

    public static void main(String[] args) throws Exception {
        long outside = TheUnsafe.get().allocateMemory(5_000_011);
        CountDownLatch start = new CountDownLatch(1);
        Thread[] workers = new Thread[4];
        for (int t = 0; t < workers.length; t++) {
            workers[t] = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                long[] alpha = new long[5];
                for (int i = 0; i < alpha.length; i++) {
                    alpha[i] = Alpha.take(777_781);
                    if (i < 2) {
                        Beta.take(999_983);
                    }
                }
                TheUnsafe.get().freeMemory(alpha[0]);
                TheUnsafe.get().freeMemory(alpha[1]);
            });
            workers[t].start();
        }
        start.countDown();
        for (Thread worker : workers) {
            worker.join();
        }
        System.out.println("alpha " + OffHeapStats.usedByBudget(ALPHA) + " beta " + OffHeapStats.usedByBudget(BETA)
                + " used " + OffHeapStats.used());
        try {
            Beta.take(999_983);
            System.out.println("no error");
        } catch (OutOfMemoryError e) {
            System.out.println(e.getClass().getName() + ": " + e.getMessage());
        }
        Alpha.take(777_781);
        System.out.println("alpha " + OffHeapStats.usedByBudget(ALPHA) + " beta " + OffHeapStats.usedByBudget(BETA)
                + " used " + OffHeapStats.used());
        TheUnsafe.get().freeMemory(outside);
    }
}
