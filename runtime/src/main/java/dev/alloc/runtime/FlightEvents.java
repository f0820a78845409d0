package dev.alloc.runtime;

import dev.alloc.runtime.report.Log;

/**
 * Where the bridge hands events to Flight Recorder, without naming a {@code jdk.jfr} class: a
 * runtime built by jlink without the {@code jdk.jfr} module must still load and run. The JFR
 * side ({@code dev.alloc.runtime.jfr.JfrSupport}) is loaded by name only when the module is
 * present, and plugs itself in as the {@link Sink}.
 *
 * <p>The hot paths pay one volatile read each: an allocation becomes an event only if its size
 * reaches {@link #allocationMinSize()}, which stays {@code Long.MAX_VALUE} while no running
 * recording enables {@code dev.alloc.Allocation} (likewise for frees). The JFR side keeps the
 * two gates equal to the enabled events' {@code minSize} setting.
 *
 * <p>Plugging in loads {@code jdk.jfr} (its listener API), so the agent defers it until Flight
 * Recorder is about to start: it weaves a call to {@link #recorderStarting} into the start of
 * {@code jdk.jfr.FlightRecorder.getFlightRecorder()}, through which every recording is created
 * ({@code -XX:StartFlightRecording}, {@code jcmd JFR.start}, the API, JMX). The listener is then
 * in place before the recorder initialises, so a late recording misses nothing.
 */
public final class FlightEvents {
    private static volatile long allocationGate = Long.MAX_VALUE;
    private static volatile long freeGate = Long.MAX_VALUE;
    private static volatile Sink sink;
    private static volatile boolean failed;
    /** Set by the agent before {@link OffHeap#install}: plug in when the recorder starts, not at install. */
    private static boolean deferred;
    /** Set once plugging in has begun, on the thread doing it: guards against re-entry from inside JFR. */
    private static volatile boolean installing;

    /** The JFR side: builds and commits the events. Calls arrive inside agent code. */
    public interface Sink {
        /**
         * The block just allocated at {@code address} (0: none), called by the allocation hook
         * itself, so that the event's stack trace starts with two agent frames on JDKs without
         * stack filters. Never throws; finds the kind and site in the address table.
         */
        void allocated(long size, long address);

        void freed(int kind, long size, long address, int site);

        void limitExceeded(int kind, long requested, long used, long limit, int which, int site);

        void limitWarning(int which, long used, long limit, int site);

        void poolMisuse(long address, String misuse, String strategy, String site);

        /** Starts the agent's own recording ({@code jfr=on} or a file). */
        void startRecording(String target, String jfcText);
    }

    /** The accounting's events as Flight Recorder events (when the JFR side is plugged in). */
    static final AccountingEvents EVENTS = new RecorderEvents();

    private FlightEvents() {
    }

    /** True when this JVM has the {@code jdk.jfr} module. */
    public static boolean jfrAvailable() {
        return ModuleLayer.boot().findModule("jdk.jfr").isPresent();
    }

    /**
     * Makes {@link OffHeap#install} leave the JFR side out; {@link #recorderStarting} (woven into
     * the JDK) or {@link #install} plugs it in later.
     */
    public static void deferUntilRecorderStarts() {
        deferred = true;
    }

    static boolean deferred() {
        return deferred;
    }

    /**
     * Woven into the start of {@code FlightRecorder.getFlightRecorder()}: plugs in the JFR side
     * the first time. Never throws into the JDK.
     */
    public static void recorderStarting() {
        if (sink != null || installing) {
            return;
        }
        SiteContext context = SiteContext.current();
        boolean wasInAgent = context.enterAgent();
        try {
            install();
        } catch (Throwable e) {
            lost(e);
        } finally {
            context.exitAgent(wasInAgent);
        }
    }

    /** Plugs in the JFR side if the module is present; returns whether it did. */
    public static synchronized boolean install() {
        if (sink != null) {
            return true;
        }
        if (installing || !jfrAvailable()) {
            return false;
        }
        installing = true;
        try {
            // Not reflection: Method.invoke spins method handles on JDK 18+; the class is named
            // only here, so a runtime without jdk.jfr never resolves it.
            sink = dev.alloc.runtime.jfr.JfrSupport.install();
            return true;
        } catch (Throwable e) {
            Log.warn("Flight Recorder events are off: " + e);
            return false;
        }
    }

    /** Whether the JFR side is plugged in. */
    static boolean active() {
        return sink != null;
    }

    /** Sets the smallest sizes that become events; {@code Long.MAX_VALUE} for none. */
    public static void setGates(long allocationMinSize, long freeMinSize) {
        allocationGate = allocationMinSize;
        freeGate = freeMinSize;
    }

    public static long allocationMinSize() {
        return allocationGate;
    }

    public static long freeMinSize() {
        return freeGate;
    }

    /** Starts the agent's own recording; false when this JVM has no Flight Recorder. */
    public static boolean startRecording(String target, String jfcText) {
        Sink s = sink;
        if (s == null) {
            return false;
        }
        SiteContext context = SiteContext.current();
        boolean wasInAgent = context.enterAgent();
        try {
            s.startRecording(target, jfcText);
            return true;
        } finally {
            context.exitAgent(wasInAgent);
        }
    }

    /**
     * The JFR side, or null. The allocation hooks call its {@link Sink#allocated} themselves,
     * behind the {@link #allocationMinSize()} gate: no frame of the bridge in between.
     */
    public static Sink sink() {
        return sink;
    }

    // Called by the bridge behind the gates. None of them throws: a lost event must never cost
    // the application its allocation, and frees run inside Cleaners.

    static void freed(int kind, long size, long address, int site) {
        Sink s = sink;
        if (s == null) {
            return;
        }
        SiteContext context = SiteContext.current();
        boolean wasInAgent = context.enterAgent();
        try {
            s.freed(kind, size, address, site);
        } catch (Throwable e) {
            lost(e);
        } finally {
            context.exitAgent(wasInAgent);
        }
    }

    static void limitExceeded(int kind, long requested, long used, long limit, int which, int site) {
        Sink s = sink;
        if (s != null) {
            try {
                s.limitExceeded(kind, requested, used, limit, which, site);
            } catch (Throwable e) {
                lost(e);
            }
        }
    }

    static void limitWarning(int which, long used, long limit, int site) {
        Sink s = sink;
        if (s != null) {
            try {
                s.limitWarning(which, used, limit, site);
            } catch (Throwable e) {
                lost(e);
            }
        }
    }

    /** Called inside agent code ({@link MisuseReports}). */
    static void poolMisuse(long address, String misuse, String strategy, String site) {
        Sink s = sink;
        if (s != null) {
            try {
                s.poolMisuse(address, misuse, strategy, site);
            } catch (Throwable e) {
                lost(e);
            }
        }
    }

    /** Warns once that events are being lost. */
    public static void lost(Throwable e) {
        if (!failed) {
            failed = true;
            Log.warn("a Flight Recorder event failed, later events may be missing: " + e);
        }
    }
}
