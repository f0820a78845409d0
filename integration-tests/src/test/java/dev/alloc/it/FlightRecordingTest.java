package dev.alloc.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.alloc.it.programs.JfrSites;
import dev.alloc.it.programs.LateRecording;
import dev.alloc.it.programs.TwoSites;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import org.openjdk.jmc.common.IMCFrame;
import org.openjdk.jmc.common.IMCStackTrace;
import org.openjdk.jmc.common.item.Aggregators;
import org.openjdk.jmc.common.item.Attribute;
import org.openjdk.jmc.common.item.IAttribute;
import org.openjdk.jmc.common.item.IItem;
import org.openjdk.jmc.common.item.IItemCollection;
import org.openjdk.jmc.common.item.IItemIterable;
import org.openjdk.jmc.common.item.ItemFilters;
import org.openjdk.jmc.common.item.ItemToolkit;
import org.openjdk.jmc.common.unit.IQuantity;
import org.openjdk.jmc.common.unit.UnitLookup;
import org.openjdk.jmc.flightrecorder.JfrAttributes;
import org.openjdk.jmc.flightrecorder.JfrLoaderToolkit;

/**
 * A recording made with the shipped {@code alloc.jfc} ({@code -XX:StartFlightRecording:settings=default,
 * settings=agent/target/alloc.jfc}) of {@link JfrSites}, read back with {@code jdk.jfr.consumer}:
 * exact per-site live bytes, how memory went away, stack traces into the program, statistics,
 * limit events; and the same recording read with JDK Mission Control's own parser
 * ({@code org.openjdk.jmc:flightrecorder}), as its pages would show it.
 */
class FlightRecordingTest {
    static final long A = 10 * 1_999_993L;
    static final long B = 20 * 1_048_583L;
    static final long EXPLICIT = 5 * 1_234_577L;
    static final long GC = 8 * 1_111_117L;
    static final long LIMIT = 100L << 20;

    /** One recording per JDK, shared by the tests that read it. */
    private static final Map<Jdk, Path> RECORDINGS = new ConcurrentHashMap<>();

    static Path recording(Jdk jdk) throws Exception {
        Path file = RECORDINGS.get(jdk);
        if (file == null) {
            file = record(jdk);
            RECORDINGS.put(jdk, file);
        }
        return file;
    }

    /** Runs {@link JfrSites} under the agent and a recording with the shipped settings; returns the file. */
    private static Path record(Jdk jdk) throws Exception {
        Path file = ForkedJvm.workDir("jfr").resolve("JfrSites-" + jdk.feature() + ".jfr");
        Files.deleteIfExists(file);
        Path jfc = ForkedJvm.agentJar().resolveSibling("alloc.jfc");
        assertTrue(Files.isRegularFile(jfc), "the build writes alloc.jfc next to alloc.jar: " + jfc);
        ForkedJvm.Result r = ForkedJvm.on(jdk).agent("limit=100m,warn=30")
                .jvmArgs("-XX:StartFlightRecording:settings=default,settings=" + jfc + ",filename=" + file)
                .main(JfrSites.class).timeoutSeconds(60).run();
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdout().contains("limit error dev.alloc.OffHeapLimitExceededError"), r.toString());
        assertTrue(Files.size(file) > 0, r.toString());
        return file;
    }

    /** The one site name of {@code JfrSites.<method>} among {@code names}, e.g. {@code ...JfrSites.holdA(JfrSites.java:50)}. */
    static String site(Iterable<String> names, String method) {
        return site(names, JfrSites.class, method);
    }

    /** The one site name of {@code <program>.<method>} among {@code names}. */
    static String site(Iterable<String> names, Class<?> program, String method) {
        String prefix = program.getName() + "." + method + "(" + program.getSimpleName() + ".java:";
        String found = null;
        for (String name : names) {
            if (name != null && name.startsWith(prefix) && name.endsWith(")")) {
                assertTrue(found == null || found.equals(name), found + " and " + name);
                found = name;
            }
        }
        assertTrue(found != null, "no site " + prefix + "...) in " + names);
        return found;
    }

    @EveryJdk
    void recordingShowsExactSitesLifetimesAndLimits(Jdk jdk) throws Exception {
        RecordedEvents events = new RecordedEvents(recording(jdk));
        Map<String, RecordedEvent> lastUsage = events.lastUsage();
        Map<String, Long> allocatedBySite = events.allocatedBySite();
        List<RecordedEvent> exceeded = events.ofType("dev.alloc.LimitExceeded");
        List<RecordedEvent> warnings = events.ofType("dev.alloc.LimitWarning");
        RecordedEvent lastStatistics = events.latest("dev.alloc.OffHeapStatistics");
        String a = site(lastUsage.keySet(), "holdA");
        String b = site(lastUsage.keySet(), "holdB");
        String explicit = site(lastUsage.keySet(), "freedExplicitly");
        String gc = site(lastUsage.keySet(), "droppedForGc");

        assertUsage(lastUsage.get(a), A, 10, 0, 0);
        assertUsage(lastUsage.get(b), B, 20, 0, 0);
        assertUsage(lastUsage.get(explicit), 0, 0, EXPLICIT, 0);
        assertUsage(lastUsage.get(gc), 0, 0, 0, GC);
        assertEquals(5, lastUsage.get(explicit).getLong("freedExplicitCount"));
        assertEquals(8, lastUsage.get(gc).getLong("freedByGcCount"));
        long ageA = lastUsage.get(a).getDuration("oldestLiveAge").toMillis();
        assertTrue(ageA >= 2_000 && ageA < 60_000, "held for the 2.5 s the program sleeps: " + ageA + " ms");
        assertEquals(0, lastUsage.get(gc).getDuration("oldestLiveAge").toMillis());

        // From 1 MiB: every allocation of the four sites is an event, and none of the JDK's small ones.
        assertEquals(A, allocatedBySite.get(a));
        assertEquals(B, allocatedBySite.get(b));
        assertEquals(EXPLICIT, allocatedBySite.get(explicit));
        assertEquals(GC, allocatedBySite.get(gc));
        for (RecordedEvent event : events.ofType("dev.alloc.Allocation")) {
            if (a.equals(event.getString("site"))) {
                assertTrue(hasFrame(event, JfrSites.class.getName(), "holdA"), "stack trace reaches holdA: " + event);
                assertEquals("direct", event.getString("kind"));
                assertStartsOutsideTheAgent(jdk, event, "java.nio.DirectByteBuffer.<init>", "java.nio.ByteBuffer.allocateDirect");
            }
        }

        long liveInUsage = 0;
        for (RecordedEvent usage : lastUsage.values()) {
            liveInUsage += usage.getLong("liveBytes");
        }
        assertTrue(lastStatistics != null, "no OffHeapStatistics");
        assertEquals(liveInUsage, lastStatistics.getLong("used"));
        assertEquals(lastStatistics.getLong("used"), lastStatistics.getLong("usedDirect") + lastStatistics.getLong("usedUnsafe"));
        assertTrue(lastStatistics.getLong("used") >= A + B);
        assertEquals(LIMIT, lastStatistics.getLong("limit"));
        assertTrue(lastStatistics.getLong("peak") >= A + B + EXPLICIT / 5);
        assertEquals("system", lastStatistics.getString("strategy"));

        assertEquals(1, exceeded.size(), exceeded.toString());
        RecordedEvent limitHit = exceeded.get(0);
        assertEquals(site(List.of(limitHit.getString("site")), "overTheLimit"), limitHit.getString("site"));
        assertEquals(64L << 20, limitHit.getLong("requested"));
        assertEquals(LIMIT, limitHit.getLong("limit"));
        assertTrue(limitHit.getLong("used") >= A + B && limitHit.getLong("used") + (64L << 20) > LIMIT);
        assertEquals(b, limitHit.getString("topSite"));
        assertTrue(hasFrame(limitHit, JfrSites.class.getName(), "overTheLimit"), limitHit.toString());
        if (jdk.feature() >= 23) {
            assertEquals("java.nio.ByteBuffer.allocateDirect", frameName(limitHit.getStackTrace().getFrames().get(0)), limitHit.toString());
        }

        assertEquals(1, warnings.size(), warnings.toString());
        assertEquals(b, warnings.get(0).getString("site"), "B's allocations cross 30% of the limit");
        assertEquals("all", warnings.get(0).getString("kind"));
    }

    @EveryJdk
    void aRecordingStartedLaterGetsThePeriodicEventsAndAllocations(Jdk jdk) throws Exception {
        Path file = ForkedJvm.workDir("jfr").resolve("LateRecording-" + jdk.feature() + ".jfr");
        Files.deleteIfExists(file);
        ForkedJvm.Result r = ForkedJvm.on(jdk).agent("")
                .main(LateRecording.class, ForkedJvm.agentJar().resolveSibling("alloc.jfc").toString(), file.toString())
                .timeoutSeconds(60).run();
        assertEquals(0, r.exitCode(), r.toString());
        RecordedEvents events = new RecordedEvents(file);
        Map<String, RecordedEvent> lastUsage = events.lastUsage();
        long allocated = events.allocatedBySite().values().stream().mapToLong(Long::longValue).sum();
        String before = site(lastUsage.keySet(), LateRecording.class, "before");
        String during = site(lastUsage.keySet(), LateRecording.class, "during");
        assertEquals(3 * 1_999_993L, lastUsage.get(before).getLong("liveBytes"), lastUsage.keySet().toString());
        assertEquals(4 * 1_048_583L, lastUsage.get(during).getLong("liveBytes"));
        assertEquals(4 * 1_048_583L, allocated, "only the allocations made while recording are events");
    }

    @EveryJdk
    void jfrOptionRecordsWithTheShippedSettings(Jdk jdk) throws Exception {
        Path file = ForkedJvm.workDir("jfr").resolve("option-" + jdk.feature() + ".jfr");
        Files.deleteIfExists(file);
        ForkedJvm.Result r = ForkedJvm.on(jdk).agent("jfr=" + file).main(JfrSites.class, "1500").timeoutSeconds(60).run();
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stderr().contains("alloc: recording off-heap events to " + file), r.toString());
        RecordedEvents events = new RecordedEvents(file);
        Map<String, Long> allocatedBySite = events.allocatedBySite();
        long stackTraces = events.ofType("dev.alloc.Allocation").stream().filter(e -> e.getStackTrace() != null).count();
        int statistics = events.ofType("dev.alloc.OffHeapStatistics").size();
        int collections = events.ofType("jdk.GarbageCollection").size();
        assertEquals(B, allocatedBySite.get(site(allocatedBySite.keySet(), "holdB")));
        assertEquals(44L, stackTraces, "every allocation from 1 MiB (no limit: the 64 MiB one too), with its stack trace");
        assertTrue(statistics >= 1, "periodic statistics every second");
        assertTrue(collections >= 1, "the JDK's default settings are part of the recording (the program calls System.gc)");
    }

    @EveryJdk
    void arenaCloseAndGcOfFfmMemoryAreToldApart(Jdk jdk) throws Exception {
        jdk.require(22, "FFM is final from JDK 22");
        Path file = ForkedJvm.workDir("jfr").resolve("JfrArenas-" + jdk.feature() + ".jfr");
        Files.deleteIfExists(file);
        Path program = Paths.get(FlightRecordingTest.class.getResource("/programs/JfrArenas.java").toURI());
        ForkedJvm.Result r = ForkedJvm.on(jdk).agent("")
                .jvmArgs("-XX:StartFlightRecording:settings=default,settings="
                        + ForkedJvm.agentJar().resolveSibling("alloc.jfc") + ",filename=" + file)
                .source(program).timeoutSeconds(60).run();
        assertEquals(0, r.exitCode(), r.toString());
        RecordedEvents events = new RecordedEvents(file);
        Map<String, RecordedEvent> lastUsage = events.lastUsage();
        Map<String, Long> allocatedBySite = events.allocatedBySite();
        String closed = null;
        String dropped = null;
        for (String site : lastUsage.keySet()) {
            closed = site.startsWith("JfrArenas.closed(JfrArenas.java:") ? site : closed;
            dropped = site.startsWith("JfrArenas.dropped(JfrArenas.java:") ? site : dropped;
        }
        assertTrue(closed != null && dropped != null, lastUsage.keySet().toString());
        RecordedEvent byClose = lastUsage.get(closed);
        assertEquals("ffm", byClose.getString("kind"));
        assertEquals(0, byClose.getLong("liveBytes"), byClose.toString());
        assertEquals(3 * 1_048_584L, byClose.getLong("freedByCloseBytes"), byClose.toString());
        assertEquals(3, byClose.getLong("freedByCloseCount"));
        assertEquals(0, byClose.getLong("freedByGcBytes") + byClose.getLong("freedExplicitBytes"), byClose.toString());
        RecordedEvent byGc = lastUsage.get(dropped);
        assertEquals(0, byGc.getLong("liveBytes"), byGc.toString());
        assertEquals(2 * 1_111_112L, byGc.getLong("freedByGcBytes"), byGc.toString());
        assertEquals(0, byGc.getLong("freedByCloseBytes") + byGc.getLong("freedExplicitBytes"), byGc.toString());
        assertEquals(3 * 1_048_584L, allocatedBySite.get(closed));
        assertEquals(2 * 1_111_112L, allocatedBySite.get(dropped));
    }

    @EveryJdk
    void withoutTheJfrModuleTheAgentRunsWithoutEvents(Jdk jdk) {
        // As a jlinked runtime without jdk.jfr: the Flight Recorder classes must never be loaded.
        ForkedJvm.Result r = ForkedJvm.on(jdk).jvmArgs("--limit-modules", "java.base,java.instrument,jdk.unsupported")
                .agent("jfr=on,report=stderr").main(TwoSites.class).run();
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stderr().contains("alloc: jfr=on needs the jdk.jfr module, which this Java runtime lacks; "
                + "no recording started"), r.toString());
        assertTrue(!r.stderr().contains("Flight Recorder events are off"), r.toString());
        ExitReportRows.Row row = ExitReportRows.parse(r.stderr()).get("dev.alloc.it.programs.TwoSites.siteA(TwoSites.java:22)");
        assertTrue(row != null, r.toString());
        assertEquals(5 * 1_999_993L, row.liveBytes());
    }

    // JMC's attributes: an identifier and a content type. A byte field that JMC did not read as a
    // memory quantity would not match a MEMORY attribute, and its sum would be missing.
    private static final IAttribute<String> SITE = Attribute.attr("site", "Site", UnitLookup.PLAIN_TEXT);
    private static final IAttribute<IQuantity> SIZE = Attribute.attr("size", "Size", UnitLookup.MEMORY);
    private static final IAttribute<IQuantity> LIVE_BYTES = Attribute.attr("liveBytes", "Live Bytes", UnitLookup.MEMORY);
    private static final IAttribute<IQuantity> FREED_EXPLICITLY =
            Attribute.attr("freedExplicitBytes", "Freed Explicitly", UnitLookup.MEMORY);
    private static final IAttribute<IQuantity> FREED_BY_GC = Attribute.attr("freedByGcBytes", "Freed by GC", UnitLookup.MEMORY);
    private static final IAttribute<IQuantity> OLDEST_AGE =
            Attribute.attr("oldestLiveAge", "Oldest Live Age", UnitLookup.TIMESPAN);
    private static final IAttribute<IQuantity> USED = Attribute.attr("used", "Used", UnitLookup.MEMORY);

    @EveryJdk
    void missionControlFindsTheEventsAndSumsBytesBySite(Jdk jdk) throws Exception {
        IItemCollection items = JfrLoaderToolkit.loadEvents(recording(jdk).toFile());
        Map<String, String> labels = new HashMap<>();
        for (IItemIterable iterable : items) {
            String id = iterable.getType().getIdentifier();
            if (id.startsWith("dev.alloc.") && iterable.hasItems()) {
                labels.put(id, iterable.getType().getName());
            }
        }
        assertEquals(Map.of("dev.alloc.Allocation", "Off-Heap Allocation",
                "dev.alloc.CallSiteUsage", "Off-Heap Call Site Usage",
                "dev.alloc.OffHeapStatistics", "Off-Heap Statistics",
                "dev.alloc.LimitExceeded", "Off-Heap Limit Exceeded",
                "dev.alloc.LimitWarning", "Off-Heap Limit Warning"), labels, "Free is off in alloc.jfc");

        // Event Browser > Off-Heap Allocation, grouped by Site, total of Size.
        IItemCollection allocations = items.apply(ItemFilters.type("dev.alloc.Allocation"));
        Set<String> sites = allocations.values(SITE).get().collect(Collectors.toSet());
        String a = site(sites, "holdA");
        String b = site(sites, "holdB");
        assertEquals(A, bytes(allocations.apply(ItemFilters.equals(SITE, a)).getAggregate(Aggregators.sum(SIZE))));
        assertEquals(B, bytes(allocations.apply(ItemFilters.equals(SITE, b)).getAggregate(Aggregators.sum(SIZE))));
        assertEquals(EXPLICIT, bytes(allocations.apply(ItemFilters.equals(SITE, site(sites, "freedExplicitly")))
                .getAggregate(Aggregators.sum(SIZE))));
        assertEquals(GC, bytes(allocations.apply(ItemFilters.equals(SITE, site(sites, "droppedForGc")))
                .getAggregate(Aggregators.sum(SIZE))));

        // The Stack Trace view of those events reaches the program's frame.
        for (IItemIterable iterable : allocations.apply(ItemFilters.equals(SITE, a))) {
            for (IItem item : iterable) {
                IMCStackTrace trace = JfrAttributes.EVENT_STACKTRACE.getAccessor(iterable.getType()).getMember(item);
                boolean reached = false;
                for (IMCFrame frame : trace.getFrames()) {
                    reached |= frame.getMethod().getType().getFullName().equals(JfrSites.class.getName())
                            && frame.getMethod().getMethodName().equals("holdA");
                }
                assertTrue(reached, "JMC's stack trace reaches JfrSites.holdA");
            }
        }

        // Off-Heap Call Site Usage: the last event of each site, read as JMC reads it.
        IItemCollection usage = items.apply(ItemFilters.type("dev.alloc.CallSiteUsage"));
        assertEquals(A, bytes(lastOf(usage, a, LIVE_BYTES)));
        assertEquals(B, bytes(lastOf(usage, b, LIVE_BYTES)));
        String explicit = site(sites, "freedExplicitly");
        String gc = site(sites, "droppedForGc");
        assertEquals(0, bytes(lastOf(usage, gc, LIVE_BYTES)));
        assertEquals(GC, bytes(lastOf(usage, gc, FREED_BY_GC)));
        assertEquals(0, bytes(lastOf(usage, gc, FREED_EXPLICITLY)));
        assertEquals(EXPLICIT, bytes(lastOf(usage, explicit, FREED_EXPLICITLY)));
        assertEquals(0, bytes(lastOf(usage, explicit, FREED_BY_GC)));
        assertTrue(lastOf(usage, a, OLDEST_AGE).longValueIn(UnitLookup.MILLISECOND) >= 2_000);

        IQuantity used = items.apply(ItemFilters.type("dev.alloc.OffHeapStatistics")).getAggregate(Aggregators.max(USED));
        assertTrue(bytes(used) >= A + B, "Off-Heap Statistics: used " + used);
    }

    /** The value of {@code attribute} in the latest event of {@code site}. */
    private static IQuantity lastOf(IItemCollection usage, String site, IAttribute<IQuantity> attribute) {
        IItem last = usage.apply(ItemFilters.equals(SITE, site)).getAggregate(Aggregators.itemWithMax(JfrAttributes.END_TIME));
        assertTrue(last != null, "no usage event of " + site);
        IQuantity value = attribute.getAccessor(ItemToolkit.getItemType(last)).getMember(last);
        assertTrue(value != null, attribute.getIdentifier() + " is not a " + attribute.getContentType() + " in JMC");
        return value;
    }

    private static long bytes(IQuantity quantity) throws Exception {
        assertTrue(quantity != null, "JMC found no memory quantity to sum");
        assertEquals(UnitLookup.MEMORY, quantity.getType(), quantity.toString());
        return quantity.longValueIn(UnitLookup.BYTE);
    }

    private static void assertUsage(RecordedEvent usage, long liveBytes, long liveCount, long explicitBytes, long gcBytes) {
        assertEquals(liveBytes, usage.getLong("liveBytes"), usage.toString());
        assertEquals(liveCount, usage.getLong("liveCount"), usage.toString());
        assertEquals(explicitBytes, usage.getLong("freedExplicitBytes"), usage.toString());
        assertEquals(gcBytes, usage.getLong("freedByGcBytes"), usage.toString());
        assertEquals(0, usage.getLong("freedByCloseBytes"), usage.toString());
        assertEquals(liveBytes + explicitBytes + gcBytes, usage.getLong("totalBytes"), usage.toString());
        assertEquals("direct", usage.getString("kind"));
    }

    /**
     * On JDK 23+ the stack filter leaves the API the application called on top; before, at most
     * two agent frames lead, then the JDK's frame below that API (issue 13).
     */
    private static void assertStartsOutsideTheAgent(Jdk jdk, RecordedEvent event, String jdkFrame, String apiFrame) {
        List<RecordedFrame> frames = event.getStackTrace().getFrames();
        if (jdk.feature() >= 23) {
            assertEquals(apiFrame, frameName(frames.get(0)), event.toString());
            return;
        }
        int agentFrames = 0;
        while (frameName(frames.get(agentFrames)).startsWith("dev.alloc.")) {
            agentFrames++;
        }
        assertTrue(agentFrames <= 2, agentFrames + " agent frames: " + event);
        assertEquals(jdkFrame, frameName(frames.get(agentFrames)), event.toString());
    }

    private static String frameName(RecordedFrame frame) {
        return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
    }

    private static boolean hasFrame(RecordedEvent event, String type, String method) {
        for (RecordedFrame frame : event.getStackTrace().getFrames()) {
            if (frame.getMethod().getType().getName().equals(type) && frame.getMethod().getName().equals(method)) {
                return true;
            }
        }
        return false;
    }
}
