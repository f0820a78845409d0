package dev.alloc.runtime;

import dev.alloc.runtime.pool.PoolStatistics;
import dev.alloc.runtime.report.Log;
import dev.alloc.runtime.report.Sizes;
import jdk.internal.vm.annotation.ForceInline;

/**
 * The narrow bridge: every tracked native allocation, reallocation and free passes through
 * these static methods, called by the code the agent weaves into the JDK ({@link JdkHooks}).
 * Behind them sits one {@link Accounting}, reached through one static reference: the limiter,
 * the address table, the site registry, the raw memory, the event sink and the clock.
 *
 * <p>Until {@link #install} runs, and for kinds that are not tracked, every call passes straight
 * to the system allocator (the core before install tracks nothing). A thread that is running
 * agent code ({@link SiteContext#inAgent}) is never tracked, so the agent's own native memory
 * cannot recurse into the agent.
 *
 * <p>Sizes the JDK (or libc) refuses with its own answer are not tracked, so that answer comes
 * as without the agent ({@link BlockInfo#trackable}); a block is accounted (reserved, counted at
 * its site, released) by {@link BlockInfo#accounted}{@code (size)}, which is what the table
 * gives back at the free.
 */
public final class OffHeap {
    /**
     * The accounting core; replaced once, at {@link #install}. Volatile for safe publication of
     * the core built there (on x86 the read is a plain load); every field the hooks read is final.
     */
    private static volatile Accounting core = Accounting.passThrough();

    private OffHeap() {
    }

    /**
     * Starts tracking with the given settings. Called once by the agent, after it has exported
     * the JDK internals the runtime needs and before it weaves the JDK.
     */
    public static synchronized void install(Settings newSettings) {
        Log.setLevel(newSettings.log);
        JdkThreads.discover();
        Accounting installed = Accounting.create(newSettings, core.sites);
        // Initialise everything the hooks touch now, not inside a JDK allocation path later.
        installed.warmUp();
        SystemMemory.free(SystemMemory.allocate(16));
        Reclaimer.warmUp();
        if (FlightEvents.jfrAvailable()) {
            CoarseClock.start(); // block ages, for the recordings that may come
        }
        if (!FlightEvents.deferred()) {
            FlightEvents.install();
        }
        if (newSettings.report != null) {
            String refused = ExitReport.refusal(newSettings.report);
            if (refused != null) {
                Log.warn(refused + "; the report will go to standard error");
            }
            Runtime.getRuntime().addShutdownHook(new Thread(new Runnable() {
                @Override
                public void run() {
                    SiteContext.current().enterAgent();
                    ExitReport.writeTo(newSettings.report, installed);
                }
            }, "alloc-exit-report"));
        }
        core = installed; // published last: a hook that sees it sees it whole
    }

    /** The installed accounting core (before install, one that tracks nothing). */
    static Accounting core() {
        return core;
    }

    /** Whether {@code kind} is tracked (false until installed). */
    static boolean tracks(int kind) {
        return core.tracks(kind);
    }

    /** The installed settings, or null before install. */
    public static Settings settings() {
        return core.settings;
    }

    public static Limiter limiter() {
        return core.limiter;
    }

    public static SiteRegistry sites() {
        return core.sites;
    }

    public static AddressTable table() {
        return core.table;
    }

    /** The info of a live block no other thread can free meanwhile, or {@code BlockInfo.MISSING} (see {@link Accounting#infoOfLive}). */
    public static long infoOfLive(long address) {
        return core.infoOfLive(address);
    }

    /** Visits every live block the agent tracks. */
    public static void forEachLiveBlock(AddressTable.Visitor visitor) {
        core.forEachBlock(visitor);
    }

    /** The raw allocator: {@code system} or the pool strategy's name. */
    public static String strategy() {
        return core.memory.strategy();
    }

    /** Where the block at {@code address} really is: the pool strategy's name, or {@code system} (a fallback, libc's). */
    public static String strategyOf(long address) {
        return core.strategyOf(address);
    }

    /** The pool's figures (poolReserved is {@code reserved()}, poolFree {@code free()}), or null without a pool. */
    public static PoolStatistics poolStatistics() {
        return core.memory.statistics();
    }

    /** Allocations the pool could not serve that the system allocator served instead. */
    public static long poolFallbacks() {
        return core.memory.fallbacks();
    }

    /** Interns a site named at class-load time by a rewritten call site. */
    public static int internSite(String name, int kind) {
        return core.sites.intern(name, kind);
    }

    /** Allocates {@code size} bytes of {@code kind}, reserving them against the limits first. */
    @ForceInline
    public static long allocate(int kind, long size) {
        return core.allocate(kind, size);
    }

    /** {@link #allocate}, taking the site primed on this thread (see {@link Accounting#allocateTakingSite}). */
    @ForceInline
    public static long allocateTakingSite(int kind, long size) {
        return core.allocateTakingSite(kind, size);
    }

    /** Resizes a block (see {@link Accounting#reallocate}). */
    public static long reallocate(int kind, long address, long size) {
        return core.reallocate(kind, address, size);
    }

    /**
     * Frees a block; {@code how} is one of the {@code SiteRegistry.FREED_*} reasons. Never
     * throws: this runs inside Cleaners, where an exception kills the JVM.
     */
    @ForceInline
    public static void free(long address, int how) {
        core.free(address, how);
    }

    /** See {@link Accounting#mapping}: may throw the limit error ({@code limit.mapped}). */
    public static void mapping(long size) {
        core.mapping(size);
    }

    /** A file mapping of {@code size} bytes now exists at {@code address} (kind {@code mapped}, outside the total). */
    public static void mapped(long address, long size) {
        core.mapped(address, size);
    }
}
