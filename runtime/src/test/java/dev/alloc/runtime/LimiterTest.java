package dev.alloc.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
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
}
