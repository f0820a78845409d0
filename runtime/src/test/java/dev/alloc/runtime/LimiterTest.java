package dev.alloc.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.alloc.runtime.report.Log;
import java.util.ArrayList;
import java.util.List;
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
        LimitWarnings logOnce = new LimitWarnings(new SiteRegistry(), FlightEvents.EVENTS);
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
        new LimitWarnings(new SiteRegistry(), FlightEvents.EVENTS).crossed(Kind.DIRECT, 1_999_993, 0);
    }
}
