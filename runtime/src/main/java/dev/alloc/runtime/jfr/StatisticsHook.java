package dev.alloc.runtime.jfr;

import dev.alloc.runtime.Kind;
import dev.alloc.runtime.Limiter;
import dev.alloc.runtime.OffHeap;
import dev.alloc.runtime.pool.PoolStatistics;

/** Emits {@code dev.alloc.OffHeapStatistics} once per period from the limiter's counters. */
final class StatisticsHook implements Runnable {
    @Override
    public void run() {
        Limiter limiter = OffHeap.limiter();
        OffHeapStatisticsEvent event = new OffHeapStatisticsEvent();
        event.used = limiter.used(Limiter.TOTAL);
        event.limit = limiter.limit(Limiter.TOTAL);
        event.peak = limiter.peak(Limiter.TOTAL);
        event.usedDirect = limiter.used(Kind.DIRECT);
        event.usedUnsafe = limiter.used(Kind.UNSAFE);
        event.usedFfm = limiter.used(Kind.FFM);
        event.usedMalloc = limiter.used(Kind.MALLOC);
        event.usedMapped = limiter.used(Kind.MAPPED);
        StringBuilder budgets = new StringBuilder();
        for (java.util.Map.Entry<String, Long> budget : OffHeap.sites().budgets().used(limiter).entrySet()) {
            budgets.append(budgets.length() == 0 ? "" : ", ").append(budget.getKey()).append('=').append(budget.getValue());
        }
        event.usedByBudget = budgets.toString();
        event.strategy = OffHeap.strategy(); // what serves allocations, "system" when the pool could not be made
        PoolStatistics pool = OffHeap.poolStatistics();
        if (pool != null) {
            event.poolReserved = pool.reserved();
            event.poolFree = pool.free();
        }
        event.commit();
    }
}
