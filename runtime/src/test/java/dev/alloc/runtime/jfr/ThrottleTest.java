package dev.alloc.runtime.jfr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The agent's own throttle: a bounded event rate on every JDK (jdk.jfr.Throttle is JDK 25+). */
@Timeout(120)
class ThrottleTest {
    @Test
    void limiterLetsTheBudgetThroughPerWindowOnly() {
        RateLimiter limiter = new RateLimiter(3, 1000);
        int passed = 0;
        for (int i = 0; i < 10; i++) {
            passed += limiter.tryAcquire(5_000) ? 1 : 0;
        }
        assertEquals(3, passed);
        assertFalse(limiter.tryAcquire(5_999));
        assertTrue(limiter.tryAcquire(6_000), "a new window has a new budget");
        limiter.setRate(0, 1000);
        assertFalse(limiter.tryAcquire(9_000));
        limiter.setRate(Long.MAX_VALUE, 1);
        for (int i = 0; i < 1000; i++) {
            assertTrue(limiter.tryAcquire(9_000));
        }
    }

    @Test
    void throttleTextFollowsJdk25Syntax() {
        assertEquals(List.of(100L, 1000L), List.of(Throttle.parse("100/s")[0], Throttle.parse("100/s")[1]));
        assertEquals(5000L, Throttle.parse("5/ms")[0]);
        assertEquals(60_000L, Throttle.parse("10/m")[1]);
        assertEquals(Long.MAX_VALUE, Throttle.parse("off")[0]);
        assertEquals(null, Throttle.parse("10/fortnight"));
        assertEquals("off", RecordingSettings.highestRate(List.of("100/s", "off", "5/ms")));
        assertEquals("20/s", RecordingSettings.highestRate(List.of("100/m", "20/s")));
        assertEquals("1k", RecordingSettings.smallestSize(List.of("1 MiB", "1k", "4096")));
    }

    @Test
    void tenMillionSmallAllocationsStayWithinTheThrottle() throws Exception {
        InProcess.install();
        String site = "test.Flood.loop(ThrottleTest.java:1)";
        int siteId = dev.alloc.runtime.OffHeap.internSite(site, dev.alloc.runtime.Kind.UNSAFE);
        Path file = Files.createTempFile("flood", ".jfr");
        long started;
        long seconds;
        try (Recording recording = new Recording()) {
            recording.enable("dev.alloc.Allocation").with("minSize", "0").with("throttle", "50/s");
            recording.enable("dev.alloc.Free").with("minSize", "0").with("throttle", "50/s");
            recording.start();
            started = System.nanoTime();
            for (int i = 0; i < 10_000_000; i++) {
                InProcess.free(InProcess.allocateAt(siteId, 16));
            }
            long nanos = System.nanoTime() - started;
            seconds = nanos / 1_000_000_000L + 1;
            System.out.println("flood: " + nanos / 10_000_000 + " ns per allocation and free");
            recording.stop();
            recording.dump(file);
        }
        int allocations = 0;
        int frees = 0;
        for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
            String type = event.getEventType().getName();
            if ((type.equals("dev.alloc.Allocation") || type.equals("dev.alloc.Free")) && site.equals(event.getString("site"))) {
                if (event.getEventType().getName().equals("dev.alloc.Allocation")) {
                    allocations++;
                } else {
                    frees++;
                }
            }
        }
        Files.delete(file);
        // Windows are whole seconds of the wall clock: a loop of n seconds touches at most n + 1.
        long bound = 50 * (seconds + 1);
        assertTrue(allocations >= 50 && allocations <= bound, allocations + " allocation events in " + seconds + " s");
        assertTrue(frees >= 50 && frees <= bound, frees + " free events in " + seconds + " s");
    }
}
