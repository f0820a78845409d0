package dev.alloc.runtime.jfr;

import dev.alloc.runtime.BlockInfo;
import dev.alloc.runtime.CoarseClock;
import dev.alloc.runtime.FlightEvents;
import dev.alloc.runtime.Kind;
import dev.alloc.runtime.Limiter;
import dev.alloc.runtime.OffHeap;
import dev.alloc.runtime.SiteContext;
import dev.alloc.runtime.report.Log;
import dev.alloc.runtime.report.SafeFiles;
import dev.alloc.runtime.report.SiteTable;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.text.ParseException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import jdk.jfr.Configuration;
import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;
import jdk.jfr.Recording;
import jdk.jfr.RecordingState;

/**
 * The Flight Recorder side of the bridge, loaded only when the {@code jdk.jfr} module exists.
 *
 * <p>Nothing here initialises Flight Recorder: a listener waits for it, so a JVM that never
 * records pays nothing. When Flight Recorder starts (from {@code -XX:StartFlightRecording},
 * {@code jcmd JFR.start}, the API, or {@code jfr=on}) the listener registers the event types
 * and the periodic hooks before the first recording begins, and after every change of a
 * recording's state it sets the bridge's gates to the {@code minSize} of the enabled events.
 */
public final class JfrSupport implements FlightEvents.Sink {
    static final String MIN_SIZE = "minSize";
    static final String MIN_SIZE_DEFAULT = "1 MiB";
    private static final RateLimiter ALLOCATION_THROTTLE = new RateLimiter(100, 1000);
    private static final RateLimiter FREE_THROTTLE = new RateLimiter(100, 1000);
    /** Refreshes asked for and not yet done (see {@link #refreshGates}). */
    private static final AtomicInteger REFRESHES = new AtomicInteger();
    private static volatile EventType allocationType;
    private static volatile EventType freeType;
    private static boolean registered;

    private JfrSupport() {
    }

    /** Called by name from {@link FlightEvents} once the module is known to exist. */
    public static FlightEvents.Sink install() {
        FlightRecorder.addListener(new FlightRecorderListener() {
            @Override
            public void recorderInitialized(FlightRecorder recorder) {
                register();
            }

            @Override
            public void recordingStateChanged(Recording recording) {
                refreshGates();
                OwnRecording own = ownRecording;
                if (own != null) {
                    SiteContext context = SiteContext.current();
                    boolean wasInAgent = context.enterAgent();
                    try {
                        own.stateChanged(recording);
                    } finally {
                        context.exitAgent(wasInAgent);
                    }
                }
            }
        });
        return new JfrSupport();
    }

    private static synchronized void register() {
        if (registered) {
            return;
        }
        registered = true;
        FlightRecorder.register(AllocationEvent.class);
        FlightRecorder.register(FreeEvent.class);
        FlightRecorder.register(LimitExceededEvent.class);
        FlightRecorder.register(LimitWarningEvent.class);
        FlightRecorder.register(PoolMisuseEvent.class);
        FlightRecorder.addPeriodicEvent(CallSiteUsageEvent.class, new CallSiteUsageHook(OffHeap.sites(), OffHeap.table()));
        FlightRecorder.addPeriodicEvent(OffHeapStatisticsEvent.class, new StatisticsHook());
        allocationType = EventType.getEventType(AllocationEvent.class);
        freeType = EventType.getEventType(FreeEvent.class);
        refreshGates();
    }

    /**
     * Sets the bridge's gates to the smallest {@code minSize} of the recordings that enable each
     * event ({@code Long.MAX_VALUE} when none does), and the throttles to their highest rate.
     *
     * <p>Called from setting changes (with Flight Recorder's recorder lock held) and from the
     * listener (without it), so it must not block on a lock of its own: a call that finds a
     * refresh in progress only asks that one to go round again.
     */
    static void refreshGates() {
        EventType allocation = allocationType;
        EventType free = freeType;
        if (allocation == null || free == null || REFRESHES.getAndIncrement() != 0) {
            return;
        }
        int asked;
        do {
            asked = REFRESHES.get();
            try {
                FlightEvents.setGates(gate(allocation, true, ALLOCATION_THROTTLE), gate(free, false, FREE_THROTTLE));
            } catch (RuntimeException e) {
                REFRESHES.set(0); // let the next change try again
                throw e;
            }
        } while (REFRESHES.addAndGet(-asked) != 0);
    }

    private static long gate(EventType type, boolean enabledByDefault, RateLimiter throttle) {
        String rate = RecordingSettings.highestRate(
                RecordingSettings.valuesOf(type, enabledByDefault, Throttle.NAME, Throttle.DEFAULT));
        long[] parsed = Throttle.parse(rate == null ? Throttle.DEFAULT : rate);
        throttle.setRate(parsed[0], parsed[1]);
        String size = RecordingSettings.smallestSize(
                RecordingSettings.valuesOf(type, enabledByDefault, MIN_SIZE, MIN_SIZE_DEFAULT));
        return size == null ? Long.MAX_VALUE : RecordingSettings.bytes(size);
    }

    /** Commits the event itself (see {@link FlightEvents.Sink#allocated}): no helper frame may sit between. */
    @Override
    public void allocated(long size, long address) {
        if (address == 0 || !ALLOCATION_THROTTLE.tryAcquire(CoarseClock.millis())) {
            return;
        }
        SiteContext context = SiteContext.current();
        boolean wasInAgent = context.enterAgent();
        try {
            long info = OffHeap.table().get(address);
            if (info == BlockInfo.MISSING) {
                return; // untracked, or already freed by another thread
            }
            // Fields first: commit() evaluates the minSize setting, which reads the size.
            AllocationEvent event = new AllocationEvent();
            event.kind = Kind.name(BlockInfo.kind(info));
            event.size = size;
            event.address = address;
            event.site = OffHeap.sites().name(BlockInfo.site(info));
            event.strategy = OffHeap.strategyOf(address);
            event.commit();
        } catch (Throwable e) {
            FlightEvents.lost(e);
        } finally {
            context.exitAgent(wasInAgent);
        }
    }

    @Override
    public void freed(int kind, long size, long address, int site) {
        if (!FREE_THROTTLE.tryAcquire(CoarseClock.millis())) {
            return;
        }
        FreeEvent event = new FreeEvent();
        event.kind = Kind.name(kind);
        event.size = size;
        event.address = address;
        event.site = OffHeap.sites().name(site);
        event.commit();
    }

    @Override
    public void limitExceeded(int kind, long requested, long used, long limit, int which, int site) {
        LimitExceededEvent event = new LimitExceededEvent();
        if (event.isEnabled()) {
            event.kind = Kind.name(kind);
            event.requested = requested;
            event.used = used;
            event.limit = limit;
            event.site = OffHeap.sites().name(site);
            event.topSite = topSite(which);
            event.commit();
        }
    }

    private static String topSite(int which) {
        List<SiteTable.Row> rows = SiteTable.largestUnderLimit(OffHeap.sites(), which, 1);
        return rows.isEmpty() || rows.get(0).liveBytes <= 0 ? null : rows.get(0).site;
    }

    @Override
    public void limitWarning(int which, long used, long limit, int site) {
        LimitWarningEvent event = new LimitWarningEvent();
        if (event.isEnabled()) {
            event.kind = which == Limiter.TOTAL ? "all" : which < Limiter.TOTAL ? Kind.name(which)
                    : OffHeap.sites().budgets().optionName(which);
            event.used = used;
            event.limit = limit;
            event.site = OffHeap.sites().name(site);
            event.commit();
        }
    }

    @Override
    public void poolMisuse(long address, String misuse, String strategy, String site) {
        PoolMisuseEvent event = new PoolMisuseEvent();
        if (event.isEnabled()) {
            event.misuse = misuse;
            event.address = address;
            event.strategy = strategy;
            event.site = site;
            event.commit();
        }
    }

    /**
     * Starts a recording with the JDK's {@code default} settings plus {@code jfcText} (the shipped
     * {@code alloc.jfc}), written at exit (or when stopped) to {@code target}; {@code on} names the
     * file {@code alloc-<pid>-<JVM start time>.jfr} in the working directory. Flight Recorder writes
     * its file itself, following links: it writes into a private directory (mode 0700) next to the
     * target, and the agent renames the finished file into place (see {@link SafeFiles}).
     */
    @Override
    public void startRecording(String target, String jfcText) {
        Path file = Paths.get(target.equals("on") ? defaultName() : target).toAbsolutePath();
        String refused = SafeFiles.refusal(file);
        if (refused != null) {
            Log.warn("jfr=" + target + " refused: " + refused + "; no recording started");
            return;
        }
        Path staging = null;
        try {
            Map<String, String> settings = new LinkedHashMap<>(Configuration.getConfiguration("default").getSettings());
            settings.putAll(Configuration.create(new StringReader(jfcText)).getSettings());
            Recording recording = new Recording(settings);
            recording.setName("alloc");
            recording.setToDisk(true);
            recording.setDumpOnExit(true);
            staging = SafeFiles.createDirectoryNextTo(file);
            recording.setDestination(staging.resolve(file.getFileName()));
            ownRecording = new OwnRecording(recording, file);
            recording.start();
            if (recording.getState() == RecordingState.RUNNING) {
                Log.info("recording off-heap events to " + file + " (written at exit, or now with jcmd <pid> JFR.dump "
                        + "name=alloc filename=<file>)");
            }
        } catch (IOException | ParseException | RuntimeException e) {
            Log.warn("cannot start the Flight Recorder recording to " + file + ": " + e);
            ownRecording = null;
            removeQuietly(staging);
        }
    }

    /** {@code alloc-<pid>-<yyyyMMdd-HHmmss>.jfr}: the JVM's start time makes it hard to plant in advance. */
    static String defaultName() {
        ProcessHandle self = ProcessHandle.current();
        Instant started = self.info().startInstant().orElse(Instant.now());
        return "alloc-" + self.pid() + "-"
                + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneId.systemDefault()).format(started) + ".jfr";
    }

    private static void removeQuietly(Path staging) {
        if (staging != null) {
            try (java.util.stream.Stream<Path> files = Files.list(staging)) {
                java.util.Iterator<Path> each = files.iterator();
                while (each.hasNext()) {
                    Files.deleteIfExists(each.next());
                }
                Files.deleteIfExists(staging);
            } catch (IOException e) {
                // left behind, empty or nearly: nothing else to do
            }
        }
    }

    private static volatile OwnRecording ownRecording;

    /** The agent's recording and where its file goes once Flight Recorder has written it. */
    private static final class OwnRecording {
        final Recording recording;
        final Path target;
        private boolean moved;

        OwnRecording(Recording recording, Path target) {
            this.recording = recording;
            this.target = target;
        }

        /** Called on every state change: once stopped, the destination file is complete. */
        synchronized void stateChanged(Recording changed) {
            if (changed != recording || moved
                    || (changed.getState() != RecordingState.STOPPED && changed.getState() != RecordingState.CLOSED)) {
                return;
            }
            moved = true;
            Path written = recording.getDestination();
            if (written == null || !Files.isRegularFile(written, LinkOption.NOFOLLOW_LINKS)) {
                return; // Flight Recorder wrote nothing (it logs why)
            }
            try {
                SafeFiles.makePrivate(written); // Flight Recorder created it with the default mode
                SafeFiles.moveIntoPlace(written, target);
                Files.deleteIfExists(written.getParent());
            } catch (IOException e) {
                Log.warn("the recording stays at " + written + ": cannot move it to " + target + ": " + e.getMessage());
            }
        }
    }
}
