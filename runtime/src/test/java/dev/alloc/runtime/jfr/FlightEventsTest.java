package dev.alloc.runtime.jfr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.alloc.OffHeapLimitExceededError;
import dev.alloc.runtime.FlightEvents;
import dev.alloc.runtime.Kind;
import dev.alloc.runtime.Limiter;
import dev.alloc.runtime.OffHeap;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Each event, recorded in this JVM through the bridge (tests share the bridge: distinct sites). */
@Timeout(60)
class FlightEventsTest {
    /** Fields every event has from Flight Recorder itself. */
    private static final List<String> JFR_FIELDS = List.of("startTime", "duration", "eventThread", "stackTrace");

    @BeforeAll
    static void installBridge() {
        InProcess.install();
    }

    @Test
    void allocationAtOrAboveMinSizeCarriesSiteSizeAddressAndStack() throws Exception {
        String site = "test.Alloc.minSize(FlightEventsTest.java:1)";
        long[] address = new long[2];
        RecordedEvent event = InProcess.first("dev.alloc.Allocation",
                s -> s.enable("dev.alloc.Allocation").with("minSize", "1000").withStackTrace(),
                () -> {
                    address[0] = InProcess.allocateAt(site, 999);
                    address[1] = InProcess.allocateAt(site, 1_000);
                },
                e -> site.equals(e.getString("site")));
        assertEquals(1_000, event.getLong("size"), "999 bytes is under minSize and must not be the first event");
        assertEquals(address[1], event.getLong("address"));
        assertEquals("unsafe", event.getString("kind"));
        assertEquals("system", event.getString("strategy"));
        assertTrue(framesOf(event).contains("dev.alloc.runtime.jfr.FlightEventsTest.lambda"), framesOf(event));
        InProcess.free(address[0]);
        InProcess.free(address[1]);
    }

    @Test
    void freeCarriesTheSiteOfTheAllocation() throws Exception {
        String site = "test.Free.site(FlightEventsTest.java:2)";
        long address = InProcess.allocateAt(site, 777_781);
        RecordedEvent event = InProcess.first("dev.alloc.Free",
                s -> s.enable("dev.alloc.Free").with("minSize", "1k"),
                () -> InProcess.free(address),
                e -> site.equals(e.getString("site")));
        assertEquals(777_781, event.getLong("size"));
        assertEquals(address, event.getLong("address"));
        assertEquals("unsafe", event.getString("kind"));
    }

    @Test
    void gatesAreClosedWithoutARecordingAndFollowMinSize() throws Exception {
        assertEquals(Long.MAX_VALUE, FlightEvents.allocationMinSize(), "no recording: allocations must not reach JFR");
        assertEquals(Long.MAX_VALUE, FlightEvents.freeMinSize());
        try (Recording recording = new Recording()) {
            recording.enable("dev.alloc.Allocation").with("minSize", "4 KiB");
            recording.start();
            assertEquals(4096, FlightEvents.allocationMinSize());
            assertEquals(Long.MAX_VALUE, FlightEvents.freeMinSize(), "Free is off by default");
            try (Recording second = new Recording()) {
                second.enable("dev.alloc.Allocation").with("minSize", "100");
                second.enable("dev.alloc.Free").with("minSize", "2m");
                second.start();
                assertEquals(100, FlightEvents.allocationMinSize(), "recordings combine to the smallest size");
                assertEquals(2 << 20, FlightEvents.freeMinSize());
            }
            assertEquals(4096, FlightEvents.allocationMinSize());
        }
        assertEquals(Long.MAX_VALUE, FlightEvents.allocationMinSize());
    }

    @Test
    void limitExceededNamesTheSiteAndTheTopHolder() throws Exception {
        String holder = "test.Limit.holder(FlightEventsTest.java:3)";
        String asker = "test.Limit.asker(FlightEventsTest.java:4)";
        Limiter limiter = OffHeap.limiter();
        long held = InProcess.allocateAt(holder, 3_000_017);
        long limit = limiter.used(Kind.UNSAFE) + 3_000_000;
        limiter.setLimit(Kind.UNSAFE, limit);
        try {
            RecordedEvent event = InProcess.first("dev.alloc.LimitExceeded",
                    s -> s.enable("dev.alloc.LimitExceeded"),
                    () -> assertThrows(OffHeapLimitExceededError.class, () -> InProcess.allocateAt(asker, 3_000_001)),
                    e -> asker.equals(e.getString("site")));
            assertEquals("unsafe", event.getString("kind"));
            assertEquals(3_000_001, event.getLong("requested"));
            assertEquals(limit, event.getLong("limit"));
            assertEquals(limit - 3_000_000, event.getLong("used"));
            assertEquals(holder, event.getString("topSite"));
            assertTrue(framesOf(event).contains("FlightEventsTest"), framesOf(event));
        } finally {
            limiter.setLimit(Kind.UNSAFE, 0);
            InProcess.free(held);
        }
    }

    @Test
    void limitWarningWhenUseCrossesTheWarnPercentage() throws Exception {
        String site = "test.Warn.site(FlightEventsTest.java:5)";
        Limiter limiter = OffHeap.limiter();
        long base = limiter.used(Kind.UNSAFE);
        long limit = (base / 100 + 1) * 100 + 10_000_000;
        long[] address = new long[1];
        limiter.setLimit(Kind.UNSAFE, limit);
        try {
            RecordedEvent event = InProcess.first("dev.alloc.LimitWarning",
                    s -> s.enable("dev.alloc.LimitWarning"),
                    () -> address[0] = InProcess.allocateAt(site, limit - base - 1),
                    e -> site.equals(e.getString("site")));
            assertEquals("unsafe", event.getString("kind"));
            assertEquals(limit - 1, event.getLong("used"));
            assertEquals(limit, event.getLong("limit"));
        } finally {
            limiter.setLimit(Kind.UNSAFE, 0);
            InProcess.free(address[0]);
        }
    }

    @Test
    void totalLimitWarningNamesTheWalkedSiteOfTheAllocationUnderItsOwnKind() throws Exception {
        Limiter limiter = OffHeap.limiter();
        long base = limiter.used(Limiter.TOTAL);
        long limit = (base / 100 + 1) * 100 + 20_000_000;
        long[] address = new long[1];
        int sitesBefore = OffHeap.sites().size();
        limiter.setLimit(Limiter.TOTAL, limit);
        try {
            // not primed: the site is named by the stack walk of the reservation, and only by it
            RecordedEvent event = InProcess.first("dev.alloc.LimitWarning",
                    s -> s.enable("dev.alloc.LimitWarning"),
                    () -> address[0] = OffHeap.allocate(Kind.UNSAFE, limit - base - 7),
                    e -> e.getLong("used") == limit - 7);
            assertEquals("all", event.getString("kind"));
            assertEquals(limit, event.getLong("limit"));
            String site = event.getString("site"); // the first frame outside dev.alloc.runtime: JUnit's
            assertFalse(site.equals("(unknown)"), site);
            List<String> interned = new ArrayList<>();
            for (int id = sitesBefore; id < OffHeap.sites().size(); id++) {
                interned.add(Kind.name(OffHeap.sites().kind(id)) + " " + OffHeap.sites().name(id));
            }
            assertEquals(List.of("unsafe " + site), interned, "one site, of the allocation's kind (no phantom direct site)");
        } finally {
            limiter.setLimit(Limiter.TOTAL, 0);
            InProcess.free(address[0]);
        }
    }

    @Test
    void callSiteUsageGivesLiveBytesHowMemoryWentAndTheOldestAge() throws Exception {
        String site = "test.Usage.site(FlightEventsTest.java:6)";
        long first = InProcess.allocateAt(site, 1_999_993);
        Thread.sleep(300);
        long second = InProcess.allocateAt(site, 1_999_993);
        long third = InProcess.allocateAt(site, 1_048_583);
        InProcess.free(third);
        RecordedEvent event = InProcess.first("dev.alloc.CallSiteUsage",
                s -> s.enable("dev.alloc.CallSiteUsage").withPeriod(Duration.ofMillis(100)),
                () -> { },
                e -> site.equals(e.getString("site")));
        assertEquals(2 * 1_999_993L, event.getLong("liveBytes"));
        assertEquals(2, event.getLong("liveCount"));
        assertEquals(3, event.getLong("totalCount"));
        assertEquals(2 * 1_999_993L + 1_048_583L, event.getLong("totalBytes"));
        assertEquals(2 * 1_999_993L + 1_048_583L, event.getLong("peakLiveBytes"));
        assertEquals(1_048_583L, event.getLong("freedExplicitBytes"));
        assertEquals(1, event.getLong("freedExplicitCount"));
        assertEquals(0, event.getLong("freedByGcBytes"));
        assertEquals(0, event.getLong("freedByCloseBytes"));
        assertEquals("unsafe", event.getString("kind"));
        long ageMillis = event.getDuration("oldestLiveAge").toMillis();
        assertTrue(ageMillis >= 250 && ageMillis < 60_000, "oldest live age " + ageMillis + " ms");
        InProcess.free(first);
        InProcess.free(second);
    }

    @Test
    void offHeapStatisticsMatchTheLimiter() throws Exception {
        String site = "test.Stats.site(FlightEventsTest.java:7)";
        long address = InProcess.allocateAt(site, 5_555_557);
        long used = OffHeap.limiter().used(Limiter.TOTAL);
        RecordedEvent event = InProcess.first("dev.alloc.OffHeapStatistics",
                s -> s.enable("dev.alloc.OffHeapStatistics").withPeriod(Duration.ofMillis(100)),
                () -> { },
                e -> e.getLong("used") == used);
        assertEquals(used, event.getLong("usedUnsafe") + event.getLong("usedDirect") + event.getLong("usedFfm")
                + event.getLong("usedMalloc"));
        assertTrue(event.getLong("peak") >= used);
        assertEquals("system", event.getString("strategy"));
        InProcess.free(address);
    }

    @Test
    void eventTypesHaveTheirNamesLabelsAndCategory() {
        try (RecordingStream ignored = new RecordingStream()) {
            List<String> names = new ArrayList<>();
            for (EventType type : FlightRecorder.getFlightRecorder().getEventTypes()) {
                if (type.getName().startsWith("dev.alloc.")) {
                    names.add(type.getName());
                    assertEquals(List.of("Off-Heap Memory"), type.getCategoryNames(), type.getName());
                    assertTrue(type.getLabel() != null && type.getDescription() != null, type.getName());
                    type.getFields().stream().filter(field -> !JFR_FIELDS.contains(field.getName()))
                            .forEach(field -> assertTrue(field.getLabel() != null && field.getDescription() != null,
                            type.getName() + "." + field.getName()));
                }
            }
            names.sort(null);
            assertEquals(List.of("dev.alloc.Allocation", "dev.alloc.CallSiteUsage", "dev.alloc.Free",
                    "dev.alloc.LimitExceeded", "dev.alloc.LimitWarning", "dev.alloc.OffHeapStatistics", "dev.alloc.PoolMisuse"), names);
        }
    }

    private static String framesOf(RecordedEvent event) {
        StringBuilder text = new StringBuilder();
        for (RecordedFrame frame : event.getStackTrace().getFrames()) {
            text.append(frame.getMethod().getType().getName()).append('.').append(frame.getMethod().getName()).append('\n');
        }
        return text.toString();
    }

    @Test
    void unknownSizeTextIsIgnored() {
        assertEquals(-1, dev.alloc.runtime.report.Sizes.parse("lots"));
        assertEquals(1 << 20, RecordingSettings.bytes("1 MiB"));
        assertEquals(-1, RecordingSettings.bytes("1.5 MiB"));
        assertNull(Throttle.parse("fast"));
        assertFalse(Throttle.parse("100/s")[0] != 100);
    }
}
