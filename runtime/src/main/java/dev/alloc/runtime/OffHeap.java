package dev.alloc.runtime;

import dev.alloc.OffHeapLimitExceededError;
import dev.alloc.runtime.pool.PoolStatistics;

/**
 * The narrow bridge: every tracked native allocation, reallocation and free passes through
 * these static methods, called by the code the agent weaves into the JDK ({@link JdkHooks}).
 * Behind them sit the limiter, the address table, the site registry and the raw allocator.
 *
 * <p>Until {@link #install} runs, and for kinds that are not tracked, every call passes straight
 * to the system allocator. A thread that is running agent code ({@link SiteContext#inAgent})
 * is never tracked, so the agent's own native memory cannot recurse into the agent.
 *
 * <p>Sizes the JDK (or libc) refuses with its own answer are not tracked, so that answer comes
 * as without the agent ({@link BlockInfo#trackable}); a block is accounted (reserved, counted at
 * its site, released) by {@link BlockInfo#accounted}{@code (size)}, which is what the table
 * gives back at the free.
 */
public final class OffHeap {
    /** Replaced once, at {@link #install}, by one with an extra limit per budget; nothing is tracked before. */
    private static Limiter LIMITER = new Limiter();
    private static final AddressTable TABLE = new AddressTable();
    private static final SiteRegistry SITES = new SiteRegistry();

    /**
     * Bit {@code 1 << kind} for each tracked kind; 0 until installed. Read on every call, first:
     * volatile and written last by {@link #install}, so a hook that sees a kind tracked also sees
     * every other install-time field below (on x86 the read is a plain load).
     */
    private static volatile int trackMask;
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
        String[] budgetPrefixes = newSettings.budgetPrefixes();
        LIMITER = new Limiter(budgetPrefixes.length);
        Log.setLevel(newSettings.log);
        sitesOn = newSettings.sites;
        policy = newSettings.policy;
        stackSites = new StackSites(SITES, newSettings.skipPrefixes());
        LIMITER.setLimit(Limiter.TOTAL, newSettings.limit);
        for (int kind = 0; kind < Kind.COUNT; kind++) {
            LIMITER.setLimit(kind, newSettings.kindLimit(kind));
        }
        for (int i = 0; i < budgetPrefixes.length; i++) {
            LIMITER.setLimit(Limiter.extraLimit(i), newSettings.budgetBytes(i));
        }
        SITES.setBudgets(new Budgets(budgetPrefixes));
        LIMITER.setWarnPercent(newSettings.warnPercent);
        LIMITER.setWarningListener(new LimitWarnings());
        JdkThreads.discover();
        // Initialise everything the hooks touch now, not inside a JDK allocation path later.
        budget(SiteContext.current());
        SystemMemory.free(SystemMemory.allocate(16));
        LimitErrors.topHolders(SITES, -1);
        Reclaimer.warmUp();
        RawMemory.install(newSettings, SITES);
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
                    ExitReport.writeTo(newSettings.report, LIMITER, SITES);
                }
            }, "alloc-exit-report"));
        }
        trackMask = newSettings.trackMask;
    }

    /** Whether {@code kind} is tracked (false until installed). */
    static boolean tracks(int kind) {
        return (trackMask & (1 << kind)) != 0;
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

    /** Where the block at {@code address} really is: the pool strategy's name, or {@code system} (a fallback, libc's). */
    public static String strategyOf(long address) {
        return RawMemory.ownedByPool(address) ? RawMemory.strategy() : "system";
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
        if (context.inAgent || !BlockInfo.trackable(size)) {
            return SystemMemory.allocate(size); // the JDK's own answer to 0, negative and impossible sizes
        }
        long accounted = BlockInfo.accounted(size);
        int site = reserve(kind, accounted, context);
        long address;
        try {
            address = RawMemory.allocate(size);
        } catch (Throwable mallocFailed) {
            LIMITER.release(budget(context), kind, SITES.budget(site), accounted);
            throw mallocFailed;
        }
        commit(context, site, kind, address, accounted);
        return address;
    }

    /** The token of {@link #reserve} for an allocation that is not tracked. */
    static final long UNTRACKED = -1L;

    /**
     * The first half of an allocation: names the site and reserves {@code size} bytes of
     * {@code kind} (throwing the limit error, or waiting for GC, as the policy says). Returns a
     * token for {@link #commit}, or {@link #UNTRACKED} when the allocation is not to be tracked.
     * Separate from the allocation itself for memory the runtime does not allocate (libc called
     * through FFM downcalls, see {@link MallocHooks}).
     */
    static long reserve(int kind, long size) {
        if ((trackMask & (1 << kind)) == 0) {
            return UNTRACKED;
        }
        SiteContext context = SiteContext.current();
        if (context.inAgent || !BlockInfo.trackable(size)) {
            return UNTRACKED; // libc refuses it itself
        }
        return reserve(kind, BlockInfo.accounted(size), context);
    }

    private static int reserve(int kind, long size, SiteContext context) {
        int site = siteOf(kind, context);
        context.reserving = site;
        int budget = SITES.budget(site);
        int hit = LIMITER.tryReserve(budget(context), kind, budget, size);
        if (hit != Limiter.OK) {
            overLimit(kind, size, site, budget, hit, context);
        }
        return site;
    }

    /**
     * This thread's limit budget. Looked up at each use, not held across calls that may block:
     * a virtual thread's budget is its carrier's, and the thread may move to another carrier
     * whenever it blocks. A platform thread's is kept in its context.
     */
    private static Limiter.Budget budget(SiteContext context) {
        Limiter.Budget budget = context.budget;
        if (budget == null) {
            budget = LIMITER.budget();
            if (!context.virtual) {
                context.budget = budget;
            }
        }
        return budget;
    }

    /**
     * The second half: records the block at {@code address}, or releases the reservation if 0
     * (failed). The caller, the hook, raises the allocation's event ({@link FlightEvents#sink()}).
     */
    static void commit(long token, int kind, long address, long size) {
        if (token != UNTRACKED) {
            commit(SiteContext.current(), (int) token, kind, address, BlockInfo.accounted(size));
        }
    }

    private static void commit(SiteContext context, int site, int kind, long address, long size) {
        if (address == 0) {
            LIMITER.release(budget(context), kind, SITES.budget(site), size);
            return;
        }
        TABLE.put(address, BlockInfo.pack(size, kind, site), CoarseClock.millis());
        SITES.onAllocate(context.stripe(), site, size);
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
        if (size != 0 && !BlockInfo.trackable(size)) {
            // the JDK's checks come first: IllegalArgumentException, the block untouched
            return SystemMemory.reallocate(address, size);
        }
        if (address == 0) {
            return allocate(kind, size);
        }
        long info = forget(address);
        if (info == BlockInfo.MISSING) {
            // a block we never saw stays unseen (unless it is pool memory: a stale pointer)
            return RawMemory.reallocateUntracked(address, size);
        }
        int site;
        try {
            site = reserveResize(info, size);
        } catch (Throwable overLimit) {
            restore(address, info);
            throw overLimit;
        }
        long moved;
        try {
            moved = RawMemory.reallocate(address, BlockInfo.size(info), size);
        } catch (Throwable reallocFailed) {
            commitResize(address, info, size, site, 0, true);
            throw reallocFailed;
        }
        commitResize(address, info, size, site, moved, false);
        return moved;
    }

    /**
     * Frees a block; {@code how} is one of the {@code SiteRegistry.FREED_*} reasons. Never
     * throws: this runs inside Cleaners, where an exception kills the JVM.
     */
    public static void free(long address, int how) {
        long info = forget(address);
        if (info == BlockInfo.MISSING) {
            RawMemory.freeUntracked(address);
        } else {
            RawMemory.free(address, BlockInfo.size(info));
            // Released after the memory is really gone, so used never under-counts it.
            released(address, info, how);
        }
    }

    /** The first half of a free: takes the block out of the table; its info, or {@code MISSING}. */
    static long forget(long address) {
        return address == 0 ? BlockInfo.MISSING : TABLE.remove(address);
    }

    /** The second half, once the memory is gone: releases what {@link #forget} returned. */
    static void released(long address, long info, int how) {
        if (info != BlockInfo.MISSING) {
            SiteContext context = SiteContext.current();
            LIMITER.release(budget(context), BlockInfo.kind(info), SITES.budget(BlockInfo.site(info)), BlockInfo.size(info));
            SITES.onFree(context.stripe(), BlockInfo.site(info), BlockInfo.size(info), how);
            if (BlockInfo.size(info) >= FlightEvents.freeMinSize()) {
                FlightEvents.freed(BlockInfo.kind(info), BlockInfo.size(info), address, BlockInfo.site(info));
            }
        }
    }

    /** Puts back a block whose free or resize did not happen. */
    static void restore(long address, long info) {
        TABLE.put(address, info, CoarseClock.millis());
    }

    /**
     * The first half of a resize: the old block ({@code info}, already taken out of the table
     * with {@link #forget}) grows or shrinks to {@code size}. Names the site and reserves any
     * growth; returns the site. The caller puts the block back if this throws.
     */
    static int reserveResize(long info, long size) {
        size = BlockInfo.accounted(size);
        int site = BlockInfo.site(info);
        long growth = size - BlockInfo.size(info);
        SiteContext context = SiteContext.current();
        if (!context.inAgent && size > 0) {
            site = siteOf(BlockInfo.kind(info), context);
        }
        if (growth > 0) {
            context.reserving = site;
            int checked = checkedBudget(BlockInfo.site(info), site);
            int hit = LIMITER.tryReserve(budget(context), BlockInfo.kind(info), checked, growth);
            if (hit != Limiter.OK) {
                overLimit(BlockInfo.kind(info), growth, site, checked, hit, context);
            }
        }
        return site;
    }

    /**
     * The second half of a resize: {@code moved} is the new address, or 0 when the block was
     * freed ({@code size} 0). {@code failed} means nothing changed: the old block is put back.
     */
    static void commitResize(long address, long info, long size, int site, long moved, boolean failed) {
        size = BlockInfo.accounted(size);
        int kind = BlockInfo.kind(info);
        long oldSize = BlockInfo.size(info);
        long growth = size - oldSize;
        SiteContext context = SiteContext.current();
        int checked = checkedBudget(BlockInfo.site(info), site);
        if (failed) {
            if (growth > 0) {
                LIMITER.release(budget(context), kind, checked, growth);
            }
            restore(address, info);
            return;
        }
        if (checked == Budgets.NONE) {
            // between budgets (or none): the old one gives the whole block back, the new one takes it
            moveBetweenBudgets(context, kind, SITES.budget(BlockInfo.site(info)), oldSize,
                    moved == 0 ? Budgets.NONE : SITES.budget(site), size);
        }
        SITES.onFree(context.stripe(), BlockInfo.site(info), oldSize, SiteRegistry.FREED_EXPLICITLY);
        if (oldSize >= FlightEvents.freeMinSize()) {
            FlightEvents.freed(kind, oldSize, address, BlockInfo.site(info));
        }
        if (moved == 0) {
            LIMITER.release(budget(context), kind, checked, oldSize + Math.max(growth, 0)); // freed: nothing of it is left
            return;
        }
        TABLE.put(moved, BlockInfo.pack(size, kind, site), CoarseClock.millis());
        if (growth < 0) {
            LIMITER.release(budget(context), kind, checked, -growth);
        }
        SITES.onAllocate(context.stripe(), site, size);
    }

    /**
     * Before the JDK maps {@code size} bytes of a file: applies {@code limit.mapped} (after
     * letting GC unmap dead buffers, as for direct buffers) and the policy, and reserves nothing:
     * the mapping is counted once it exists ({@link #mapped}). So concurrent mappings may pass
     * the cap by what they map at the same instant; a failed mapping is never counted.
     */
    public static void mapping(long size) {
        if (!tracks(Kind.MAPPED) || size <= 0) {
            return;
        }
        SiteContext context = SiteContext.current();
        if (context.inAgent) {
            return;
        }
        int site = siteOf(Kind.MAPPED, context);
        int budget = SITES.budget(site);
        if (LIMITER.limit(Kind.MAPPED) == 0 && budget == Budgets.NONE) {
            return;
        }
        context.reserving = site;
        int hit = LIMITER.tryReserve(budget(context), Kind.MAPPED, budget, size);
        if (hit != Limiter.OK) {
            overLimit(Kind.MAPPED, size, site, budget, hit, context);
        }
        // allowed (or reserved by policy=warn): counted by mapped()
        LIMITER.release(budget(context), Kind.MAPPED, budget, size);
    }

    /** A file mapping of {@code size} bytes now exists at {@code address} (kind {@code mapped}, outside the total). */
    public static void mapped(long address, long size) {
        if (!tracks(Kind.MAPPED) || address == 0 || size <= 0) {
            return;
        }
        SiteContext context = SiteContext.current();
        if (context.inAgent) {
            return;
        }
        int site = siteOf(Kind.MAPPED, context);
        size = BlockInfo.accounted(size);
        LIMITER.forceReserve(budget(context), Kind.MAPPED, SITES.budget(site), size);
        TABLE.put(address, BlockInfo.pack(size, Kind.MAPPED, site), CoarseClock.millis());
        SITES.onAllocate(site, size);
    }

    /**
     * The budget a resize is checked against: the block's own when it stays in it, else none. A
     * block that a site of another budget resizes moves there whole, unchecked (a rare case: the
     * same block resized from two packages), so every budget's figure stays exact.
     */
    private static int checkedBudget(int oldSite, int newSite) {
        int budget = SITES.budget(newSite);
        return budget == SITES.budget(oldSite) ? budget : Budgets.NONE;
    }

    /** Moves a block's charge from one budget to another: its kind and the total are charged and released alike. */
    private static void moveBetweenBudgets(SiteContext context, int kind, int from, long oldSize, int to, long size) {
        if (from != Budgets.NONE) {
            LIMITER.forceReserve(budget(context), kind, Budgets.NONE, oldSize);
            LIMITER.release(budget(context), kind, from, oldSize);
        }
        if (to != Budgets.NONE) {
            LIMITER.forceReserve(budget(context), kind, to, size);
            LIMITER.release(budget(context), kind, Budgets.NONE, size);
        }
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
    private static void overLimit(int kind, long size, int site, int budget, int hit, SiteContext context) {
        boolean wasInAgent = context.enterAgent();
        try {
            if (Reclaimer.mayHelp(LIMITER, hit)) {
                hit = Reclaimer.retry(LIMITER, kind, size, budget);
                if (hit == Limiter.OK) {
                    return;
                }
            }
            long used = LIMITER.used(hit);
            long limit = LIMITER.limit(hit);
            FlightEvents.limitExceeded(kind, size, used, limit, hit, site);
            if (policy == Settings.POLICY_WARN) {
                LIMITER.forceReserve(budget(context), kind, budget, size);
                OverLimitWarnings.report(kind, size, SITES.name(site), site, used, limit, hit, SITES);
                return;
            }
            OffHeapLimitExceededError error = LimitErrors.create(kind, size, SITES.name(site), hit, used, limit, SITES);
            if (policy == Settings.POLICY_EXIT) {
                ExitOnLimit.exit(error, settings.report, LIMITER, SITES);
            }
            throw error;
        } finally {
            context.exitAgent(wasInAgent);
        }
    }
}
