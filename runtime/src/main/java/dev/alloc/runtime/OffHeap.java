package dev.alloc.runtime;

import dev.alloc.runtime.pool.PoolStatistics;

/**
 * The narrow bridge: every tracked native allocation, reallocation and free passes through
 * these static methods, called by the code the agent weaves into the JDK ({@link JdkHooks}).
 * Behind them sit the limiter, the address table, the site registry and the raw allocator.
 *
 * <p>Until {@link #install} runs, and for kinds that are not tracked, every call passes straight
 * to the system allocator. A thread that is running agent code ({@link SiteContext#inAgent})
 * is never tracked, so the agent's own native memory cannot recurse into the agent.
 */
public final class OffHeap {
    private static final Limiter LIMITER = new Limiter();
    private static final AddressTable TABLE = new AddressTable();
    private static final SiteRegistry SITES = new SiteRegistry();

    /** Bit {@code 1 << kind} for each tracked kind; 0 until installed. Read on every call. */
    private static int trackMask;
    private static boolean sitesOn;
    private static int policy;
    private static StackSites stackSites;
    private static Settings settings;

    private OffHeap() {
    }

    /**
     * Starts tracking with the given settings. Called once by the agent, after it has exported
     * the JDK internals the runtime needs and before it weaves the JDK.
     */
    public static synchronized void install(Settings newSettings) {
        settings = newSettings;
        Log.setLevel(newSettings.log);
        sitesOn = newSettings.sites;
        policy = newSettings.policy;
        stackSites = new StackSites(SITES, newSettings.skipPrefixes());
        LIMITER.setLimit(Limiter.TOTAL, newSettings.limit);
        for (int kind = 0; kind < Kind.COUNT; kind++) {
            LIMITER.setLimit(kind, newSettings.kindLimit(kind));
        }
        LIMITER.setWarnPercent(newSettings.warnPercent);
        LIMITER.setWarningListener(new LimitWarnings());
        JdkThreads.discover();
        // Initialise everything the hooks touch now, not inside a JDK allocation path later.
        SiteContext.current();
        SystemMemory.free(SystemMemory.allocate(16));
        LimitErrors.topHolders(SITES, -1);
        RawMemory.install(newSettings, new MisuseReports(SITES));
        FlightEvents.install();
        if (newSettings.report != null) {
            Runtime.getRuntime().addShutdownHook(new Thread(new Runnable() {
                @Override
                public void run() {
                    SiteContext.current().enterAgent();
                    ExitReport.writeTo(newSettings.report, LIMITER, SITES);
                }
            }, "alloc-exit-report"));
        }
        trackMask = newSettings.trackMask;
    }

    public static Settings settings() {
        return settings;
    }

    public static Limiter limiter() {
        return LIMITER;
    }

    public static SiteRegistry sites() {
        return SITES;
    }

    public static AddressTable table() {
        return TABLE;
    }

    /** The raw allocator: {@code system} or the pool strategy's name. */
    public static String strategy() {
        return RawMemory.strategy();
    }

    /** The pool's figures (poolReserved is {@code reserved()}, poolFree {@code free()}), or null without a pool. */
    public static PoolStatistics poolStatistics() {
        return RawMemory.statistics();
    }

    /** Allocations the pool could not serve that the system allocator served instead. */
    public static long poolFallbacks() {
        return RawMemory.fallbacks();
    }

    /** Interns a site named at class-load time by a rewritten call site. */
    public static int internSite(String name, int kind) {
        return SITES.intern(name, kind);
    }

    /** Allocates {@code size} bytes of {@code kind}, reserving them against the limits first. */
    public static long allocate(int kind, long size) {
        if ((trackMask & (1 << kind)) == 0) {
            return SystemMemory.allocate(size);
        }
        SiteContext context = SiteContext.current();
        if (context.inAgent || size <= 0) {
            return SystemMemory.allocate(size);
        }
        int site = siteOf(kind, context);
        int hit = LIMITER.tryReserve(kind, size);
        if (hit != Limiter.OK) {
            overLimit(kind, size, site, hit, context);
        }
        long address;
        try {
            address = RawMemory.allocate(size);
        } catch (Throwable mallocFailed) {
            LIMITER.release(kind, size);
            throw mallocFailed;
        }
        TABLE.put(address, BlockInfo.pack(size, kind, site), CoarseClock.millis());
        SITES.onAllocate(site, size);
        if (size >= FlightEvents.allocationMinSize()) {
            FlightEvents.allocated(kind, size, address, site);
        }
        return address;
    }

    /**
     * Resizes a block: the change in size is reserved (or released) and the whole block moves to
     * the reallocating site. Blocks the agent never saw pass through untouched and uncounted.
     *
     * <p>The old entry is taken out of the table before the block is resized: once realloc has
     * moved (freed) it, another thread may be handed the same address and record it, and a
     * removal after that would remove the other thread's block.
     */
    public static long reallocate(int kind, long address, long size) {
        if (address == 0) {
            return allocate(kind, size);
        }
        long info = TABLE.remove(address);
        if (info == BlockInfo.MISSING) {
            // a block we never saw stays unseen (unless it is pool memory: a stale pointer)
            return RawMemory.reallocateUntracked(address, size);
        }
        int oldKind = BlockInfo.kind(info);
        long oldSize = BlockInfo.size(info);
        long growth = size - oldSize;
        int site = BlockInfo.site(info);
        try {
            SiteContext context = SiteContext.current();
            if (!context.inAgent && size > 0) {
                site = siteOf(oldKind, context);
            }
            if (growth > 0) {
                int hit = LIMITER.tryReserve(oldKind, growth);
                if (hit != Limiter.OK) {
                    overLimit(oldKind, growth, site, hit, context);
                }
            }
        } catch (Throwable overLimit) {
            TABLE.put(address, info, 0L);
            throw overLimit;
        }
        long moved;
        try {
            moved = RawMemory.reallocate(address, oldSize, size);
        } catch (Throwable reallocFailed) {
            if (growth > 0) {
                LIMITER.release(oldKind, growth);
            }
            TABLE.put(address, info, 0L);
            throw reallocFailed;
        }
        SITES.onFree(BlockInfo.site(info), oldSize, SiteRegistry.FREED_EXPLICITLY);
        if (moved == 0) {
            LIMITER.release(oldKind, oldSize); // size 0: the block was freed
            return 0;
        }
        TABLE.put(moved, BlockInfo.pack(size, oldKind, site), CoarseClock.millis());
        if (growth < 0) {
            LIMITER.release(oldKind, -growth);
        }
        SITES.onAllocate(site, size);
        if (oldSize >= FlightEvents.freeMinSize()) {
            FlightEvents.freed(oldKind, oldSize, address, BlockInfo.site(info));
        }
        if (size >= FlightEvents.allocationMinSize()) {
            FlightEvents.allocated(oldKind, size, moved, site);
        }
        return moved;
    }

    /**
     * Frees a block; {@code how} is one of the {@code SiteRegistry.FREED_*} reasons. Never
     * throws: this runs inside Cleaners, where an exception kills the JVM.
     */
    public static void free(long address, int how) {
        long info = address == 0 ? BlockInfo.MISSING : TABLE.remove(address);
        if (info == BlockInfo.MISSING) {
            RawMemory.freeUntracked(address);
        } else {
            RawMemory.free(address);
            // Released after the memory is really gone, so used never under-counts it.
            LIMITER.release(BlockInfo.kind(info), BlockInfo.size(info));
            SITES.onFree(BlockInfo.site(info), BlockInfo.size(info), how);
            if (BlockInfo.size(info) >= FlightEvents.freeMinSize()) {
                FlightEvents.freed(BlockInfo.kind(info), BlockInfo.size(info), address, BlockInfo.site(info));
            }
        }
    }

    /** The site of the allocation this thread is making, for an event raised inside it. */
    static int currentSite(int kind) {
        return siteOf(kind, SiteContext.current());
    }

    private static int siteOf(int kind, SiteContext context) {
        int site = context.site;
        if (site != 0 || !sitesOn) {
            return site;
        }
        boolean wasInAgent = context.enterAgent();
        try {
            return stackSites.resolve(kind);
        } finally {
            context.exitAgent(wasInAgent);
        }
    }

    /** The slow path of a reservation that hit a limit: wait for GC, then apply the policy. */
    private static void overLimit(int kind, long size, int site, int hit, SiteContext context) {
        boolean wasInAgent = context.enterAgent();
        try {
            if (Reclaimer.mayHelp(LIMITER)) {
                hit = Reclaimer.retry(LIMITER, kind, size);
                if (hit == Limiter.OK) {
                    return;
                }
            }
            long used = LIMITER.used(hit);
            long limit = LIMITER.limit(hit);
            FlightEvents.limitExceeded(kind, size, used, limit, hit, site);
            if (policy == Settings.POLICY_WARN) {
                LIMITER.forceReserve(kind, size);
                OverLimitWarnings.report(kind, size, SITES.name(site), site, used, limit, hit, SITES);
                return;
            }
            throw LimitErrors.create(kind, size, SITES.name(site), hit, used, limit, SITES);
        } finally {
            context.exitAgent(wasInAgent);
        }
    }
}
