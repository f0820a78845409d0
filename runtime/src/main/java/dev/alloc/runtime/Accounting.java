package dev.alloc.runtime;

import dev.alloc.OffHeapLimitExceededError;
import dev.alloc.runtime.memory.PoolMemory;
import dev.alloc.runtime.memory.RawMemory;
import dev.alloc.runtime.memory.SystemRawMemory;
import jdk.internal.vm.annotation.ForceInline;
import jdk.internal.vm.annotation.DontInline;

/**
 * The accounting core, one object built from {@link Settings}: the limiter, the block records
 * (headers and their slot pages, the address table), the site registry, the raw memory source,
 * the event sink and the clock. The hooks reach the
 * installed one through one static reference ({@link OffHeap#core()}); tests build their own
 * around failing memory and call the protocol directly, in-process.
 *
 * <h2>Protocol</h2>
 * <ul>
 *   <li>Allocate: {@link #reserve} (names the site, charges the limits, or throws the limit
 *       error), take the memory, {@link #commit} (records the block and counts it at its site).
 *       A platform thread's block of system memory is recorded by a {@link BlockHeader} and a
 *       slot ({@link SlotPages}) instead of the table: {@link #allocate} and {@link #free} do
 *       both halves themselves. If taking the memory fails (a throw, or 0 for a libc call), the
 *       reservation is released and nothing else changes.</li>
 *   <li>Free: {@link #forget} (takes the block out of the table, so no other thread can free it
 *       again), free the memory, {@link #released} (releases the limits and the site's count),
 *       or {@link #restore} when the free did not happen.</li>
 *   <li>Resize: {@link #forget}, {@link #reserveResize} (charges any growth; the block goes back
 *       if this throws), resize the memory, {@link #commitResize}: the old block's count goes,
 *       the new one's comes, at the reallocating site; on failure the old block goes back as
 *       it was and the growth is released.</li>
 * </ul>
 *
 * <h2>Invariants</h2>
 * Between operations, for every limit: used = the sizes ({@link BlockInfo#accounted}) of the
 * recorded blocks that it covers; for every site: live bytes and count = its recorded blocks.
 * Charges come before the memory is taken and releases after it is given back, so the memory
 * really held never exceeds a limit. A block is recorded at most once: whoever takes its record
 * ({@link #forget}, or the CAS of its slot) owns its release.
 *
 * <p>Per-thread state lives in {@link SiteContext}: the thread's limiter budget is cached there
 * for the installed core only ({@link #cachesBudgets}); other cores look it up each time.
 */
final class Accounting {
    /** The token of {@link #reserve} for an allocation that is not tracked. */
    static final long UNTRACKED = -1L;

    /** The settings it was built from; null for the core before install. */
    final Settings settings;
    final Limiter limiter;
    /** Blocks without a header: pool memory, libc's through FFM downcalls, file mappings, virtual threads' blocks. */
    final AddressTable table;
    /** The slots of blocks with a {@link BlockHeader}. */
    final SlotPages slots = new SlotPages();
    final SiteRegistry sites;
    final RawMemory memory;
    final AccountingEvents events;
    final CoarseClock clock;
    /** Bit {@code 1 << kind} for each tracked kind; 0 before install. */
    private final int trackMask;
    private final boolean sitesOn;
    private final int policy;
    private final StackSites stackSites;
    /**
     * Whether this core keeps each thread's limiter budget in its {@link SiteContext}: the
     * installed one only, since a context holds one budget and a budget belongs to one limiter.
     */
    private final boolean cachesBudgets;
    /**
     * Whether a platform thread's blocks carry a {@link BlockHeader} and a slot instead of a table
     * entry: system memory, in the installed core (a context holds pages of one core only).
     */
    private final boolean headed;

    /** The core before install: tracks nothing, so every allocation passes to the system allocator. */
    static Accounting passThrough() {
        return new Accounting(null, new SiteRegistry(), SystemRawMemory.INSTANCE, FlightEvents.EVENTS,
                CoarseClock.SYSTEM, false);
    }

    /**
     * The core the agent installs: the memory and everything else as {@code settings} say. It
     * takes over the registry of the core before install ({@code sites}, where nothing is counted):
     * a registry's first chunk is 256 KiB, heap the start would otherwise touch twice.
     */
    static Accounting create(Settings settings, SiteRegistry sites) {
        RawMemory memory = SystemRawMemory.INSTANCE;
        if (!"system".equals(settings.strategy)) {
            // nothing of the pool package (nor MisuseReports) is named before this test: the
            // agent defines those classes only for a pool strategy
            PoolMemory pool = PoolMemory.create(settings, new MisuseReports(sites, settings.strategy));
            if (pool != null) {
                memory = pool;
            }
        }
        return new Accounting(settings, sites, memory, FlightEvents.EVENTS, CoarseClock.SYSTEM, true);
    }

    /**
     * A core with limits, tracked kinds, sites and policy from {@code settings} (null: none, and
     * nothing tracked), its memory from {@code memory}.
     */
    Accounting(Settings settings, SiteRegistry sites, RawMemory memory, AccountingEvents events, CoarseClock clock,
               boolean cachesBudgets) {
        this.settings = settings;
        this.sites = sites;
        this.memory = memory;
        this.events = events;
        this.clock = clock;
        this.cachesBudgets = cachesBudgets;
        this.table = new AddressTable();
        this.headed = cachesBudgets && settings != null && memory.allowsHeaders();
        if (settings == null) {
            limiter = new Limiter();
            trackMask = 0;
            sitesOn = false;
            policy = Settings.POLICY_THROW;
            stackSites = null;
            return;
        }
        String[] budgetPrefixes = settings.budgetPrefixes();
        limiter = new Limiter(budgetPrefixes.length);
        limiter.setLimit(Limiter.TOTAL, settings.limit);
        for (int kind = 0; kind < Kind.COUNT; kind++) {
            limiter.setLimit(kind, settings.kindLimit(kind));
        }
        for (int i = 0; i < budgetPrefixes.length; i++) {
            limiter.setLimit(Limiter.extraLimit(i), settings.budgetBytes(i));
        }
        sites.setBudgets(new Budgets(budgetPrefixes));
        limiter.setWarnPercent(settings.warnPercent);
        limiter.setWarningListener(new LimitWarnings(sites, events));
        trackMask = settings.trackMask;
        sitesOn = settings.sites;
        policy = settings.policy;
        stackSites = new StackSites(sites, settings.skipPrefixes());
    }

    /** Initialises what the hooks touch now, not inside a JDK allocation path later. */
    void warmUp() {
        budget(SiteContext.current());
        LimitErrors.topHolders(sites, -1);
    }

    /** Whether {@code kind} is tracked. */
    boolean tracks(int kind) {
        return (trackMask & (1 << kind)) != 0;
    }

    /** Where the block at {@code address} really is: the pool strategy's name, or {@code system} (a fallback, libc's). */
    String strategyOf(long address) {
        return memory.ownedByPool(address) ? memory.strategy() : "system";
    }

    /** Allocates {@code size} bytes of {@code kind}, reserving them against the limits first. */
    @ForceInline
    long allocate(int kind, long size) {
        return allocate(kind, size, false);
    }

    /**
     * {@link #allocate}, taking the site primed on this thread (clearing it) whatever happens:
     * for the hook of {@code allocateMemory}, whose woven frame does not un-prime after a normal
     * return (see the agent's {@code SiteFraming}).
     */
    @ForceInline
    long allocateTakingSite(int kind, long size) {
        return allocate(kind, size, true);
    }

    @ForceInline
    private long allocate(int kind, long size, boolean takesSite) {
        SiteContext context = SiteContext.current();
        int primed = context.site;
        if (takesSite) {
            context.site = 0;
        }
        if ((trackMask & (1 << kind)) == 0 || context.inAgent || !BlockInfo.trackable(size)) {
            return SystemMemory.allocate(size); // the JDK's own answer to 0, negative and impossible sizes
        }
        long accounted = BlockInfo.accounted(size);
        int site = reserve(kind, accounted, primed, context);
        if (headed && !context.virtual) {
            return allocateHeaded(context, site, kind, size, accounted);
        }
        long address;
        try {
            address = memory.allocate(size);
        } catch (Throwable mallocFailed) {
            limiter.release(budget(context), kind, sites.budget(site), accounted);
            throw mallocFailed;
        }
        commit(context, site, kind, address, accounted);
        return address;
    }

    /** {@link #allocate} of a block with a header: 16 bytes more from malloc, a slot instead of a table entry. */
    @ForceInline
    private long allocateHeaded(SiteContext context, int site, int kind, long size, long accounted) {
        long base;
        try {
            base = memory.allocate(size + BlockHeader.SIZE);
        } catch (Throwable mallocFailed) {
            limiter.release(budget(context), kind, sites.budget(site), accounted);
            if (mallocFailed instanceof OutOfMemoryError) {
                throw jdkOutOfMemory(size); // the JDK's message names the size asked for
            }
            throw mallocFailed;
        }
        SlotPages.Page page = context.page;
        if (page == null || page.pages != slots || !page.ready()) {
            page = slots.refill(context);
        }
        long address = base + BlockHeader.SIZE;
        long info = BlockInfo.pack(accounted, kind, site);
        BlockHeader.write(base, info, page.claim(address, info, clock.stamp()));
        sites.onAllocate(context.stripe(), site, accounted);
        return address;
    }

    /** What {@code jdk.internal.misc.Unsafe} throws when malloc cannot serve {@code size} bytes. */
    @DontInline
    private static OutOfMemoryError jdkOutOfMemory(long size) {
        return new OutOfMemoryError("Unable to allocate " + BlockHeader.jdkRounded(size) + " bytes");
    }

    /**
     * The first half of an allocation: names the site and reserves {@code size} bytes of
     * {@code kind} (throwing the limit error, or waiting for GC, as the policy says). Returns a
     * token for {@link #commit}, or {@link #UNTRACKED} when the allocation is not to be tracked.
     * Separate from the allocation itself for memory the runtime does not allocate (libc called
     * through FFM downcalls, see {@link MallocHooks}).
     */
    long reserve(int kind, long size) {
        if ((trackMask & (1 << kind)) == 0) {
            return UNTRACKED;
        }
        SiteContext context = SiteContext.current();
        if (context.inAgent || !BlockInfo.trackable(size)) {
            return UNTRACKED; // libc refuses it itself
        }
        return reserve(kind, BlockInfo.accounted(size), context.site, context);
    }

    /** Reserves {@code size} bytes for an allocation primed with site {@code primed} (0: none, the stack names it). */
    @ForceInline
    private int reserve(int kind, long size, int primed, SiteContext context) {
        int site = siteOf(kind, primed, context);
        context.reserving = site;
        int budget = sites.budget(site);
        int hit = limiter.tryReserve(budget(context), kind, budget, size);
        if (hit != Limiter.OK) {
            overLimit(kind, size, site, budget, hit, context);
        }
        return site;
    }

    /**
     * This thread's limit budget. Looked up at each use, not held across calls that may block:
     * a virtual thread's budget is its carrier's, and the thread may move to another carrier
     * whenever it blocks. A platform thread's is kept in its context (by the installed core).
     */
    @ForceInline
    private Limiter.Budget budget(SiteContext context) {
        Limiter.Budget budget = context.budget;
        if (budget == null || !cachesBudgets) {
            budget = limiter.budget();
            if (!context.virtual && cachesBudgets) {
                context.budget = budget;
            }
        }
        return budget;
    }

    /**
     * The second half: records the block at {@code address}, or releases the reservation if 0
     * (failed). The caller, the hook, raises the allocation's event ({@link FlightEvents#sink()}).
     */
    void commit(long token, int kind, long address, long size) {
        if (token != UNTRACKED) {
            commit(SiteContext.current(), (int) token, kind, address, BlockInfo.accounted(size));
        }
    }

    private void commit(SiteContext context, int site, int kind, long address, long size) {
        if (address == 0) {
            limiter.release(budget(context), kind, sites.budget(site), size);
            return;
        }
        table.put(address, BlockInfo.pack(size, kind, site), clock.now());
        sites.onAllocate(context.stripe(), site, size);
    }

    /**
     * Resizes a block: the change in size is reserved (or released) and the whole block moves to
     * the reallocating site. Blocks the agent never saw pass through untouched and uncounted.
     * When the memory cannot be resized (a throw, or 0 for a positive size) the block stays as
     * it was, and the answer is the JDK's: {@code OutOfMemoryError}.
     *
     * <p>The old entry is taken out of the table before the block is resized: once realloc has
     * moved (freed) it, another thread may be handed the same address and record it, and a
     * removal after that would remove the other thread's block.
     */
    long reallocate(int kind, long address, long size) {
        if (size != 0 && !BlockInfo.trackable(size)) {
            if (size > 0 && BlockHeader.jdkRounded(size) > 0 && headed(address)) {
                throw jdkOutOfMemory(size); // what the JDK answers, without handing libc a pointer into a chunk
            }
            // the JDK's checks come first: IllegalArgumentException, the block untouched
            return SystemMemory.reallocate(address, size);
        }
        if (address == 0) {
            return allocate(kind, size);
        }
        if (headed) {
            long moved = reallocateHeaded(address, size);
            if (moved != NOT_HEADED) {
                return moved;
            }
        }
        long info = forget(address);
        if (info == BlockInfo.MISSING) {
            // a block we never saw stays unseen (unless it is pool memory: a stale pointer)
            return memory.reallocateUntracked(address, size);
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
            moved = memory.reallocate(address, BlockInfo.size(info), size);
        } catch (Throwable reallocFailed) {
            commitResize(address, info, size, site, 0, true);
            throw reallocFailed;
        }
        if (moved == 0 && size > 0) {
            commitResize(address, info, size, site, 0, true);
            throw new OutOfMemoryError("Unable to allocate " + size + " bytes");
        }
        commitResize(address, info, size, site, moved, false);
        return moved;
    }

    /** Never an address the system allocator hands out (they are even). */
    private static final long NOT_HEADED = -1L;

    /**
     * {@link #reallocate} of a block with a header: its slot goes to {@code address | 1} while it
     * is resized (no other free or resize can take it), then follows the block: the same slot
     * names the moved block, or is freed with it, or gets the old address back if nothing
     * changed. {@link #NOT_HEADED} if the block has no header of ours.
     */
    private long reallocateHeaded(long address, long size) {
        long info = SystemMemory.getLong(address - BlockHeader.SIZE);
        long tag = SystemMemory.getLong(address - 8);
        SlotPages.Page page = namedPage(address, info, tag);
        int ref = BlockHeader.ref(tag);
        if (page == null || !SlotPages.take(page, ref, address, address | 1)) {
            return NOT_HEADED;
        }
        int site;
        try {
            site = reserveResize(info, size);
        } catch (Throwable overLimit) {
            SlotPages.take(page, ref, address | 1, address);
            throw overLimit;
        }
        long base = address - BlockHeader.SIZE;
        long movedBase;
        try {
            if (size == 0) {
                memory.free(base, BlockInfo.size(info));
                movedBase = 0;
            } else {
                movedBase = memory.reallocate(base, BlockInfo.size(info) + BlockHeader.SIZE, size + BlockHeader.SIZE);
            }
        } catch (Throwable reallocFailed) {
            commitResize(address, info, size, site, 0, true, page, ref);
            if (reallocFailed instanceof OutOfMemoryError) {
                throw jdkOutOfMemory(size);
            }
            throw reallocFailed;
        }
        long moved = movedBase == 0 ? 0 : movedBase + BlockHeader.SIZE;
        commitResize(address, info, size, site, moved, false, page, ref);
        return moved;
    }

    /** Whether {@code address} is a live block with a header of this core (it reads the 16 bytes in front). */
    boolean headed(long address) {
        if (!headed || address == 0) {
            return false;
        }
        long tag = SystemMemory.getLong(address - 8);
        SlotPages.Page page = namedPage(address, SystemMemory.getLong(address - BlockHeader.SIZE), tag);
        return page != null && SlotPages.holds(page, BlockHeader.ref(tag), address);
    }

    /** The page of the slot that the header in front of {@code address} names, or null if the header does not check. */
    @ForceInline
    private SlotPages.Page namedPage(long address, long info, long tag) {
        return BlockHeader.checks(address, info, tag) ? slots.page(BlockHeader.ref(tag)) : null;
    }

    /**
     * The info of a live block that no other thread can free meanwhile (one just allocated on
     * this thread and not yet handed out, for its event), or {@code MISSING}. The table comes
     * first: only blocks it does not know (file mappings are there) may have a header to read.
     */
    long infoOfLive(long address) {
        long info = table.get(address);
        if (info == BlockInfo.MISSING && headed(address)) {
            info = SystemMemory.getLong(address - BlockHeader.SIZE);
        }
        return info;
    }

    /** Visits every live block (the table's and the headed ones). */
    void forEachBlock(AddressTable.Visitor visitor) {
        table.forEach(visitor);
        slots.forEach(visitor);
    }

    /**
     * Frees a block; {@code how} is one of the {@code SiteRegistry.FREED_*} reasons. Never
     * throws: this runs inside Cleaners, where an exception kills the JVM.
     */
    @ForceInline
    void free(long address, int how) {
        if (headed && address != 0 && freeHeaded(address, how)) {
            return;
        }
        long info = forget(address);
        if (info == BlockInfo.MISSING) {
            memory.freeUntracked(address);
        } else {
            memory.free(address, BlockInfo.size(info));
            // Released after the memory is really gone, so used never under-counts it.
            released(address, info, how);
        }
    }

    /**
     * {@link #free} of a block with a header: the CAS of its slot to 0 decides the one free that
     * releases it. False if the address has no header of ours. A header that checks but whose
     * slot no longer holds the address (a second free racing the first, or with a resize) is
     * left alone: nothing is freed twice.
     */
    @ForceInline
    private boolean freeHeaded(long address, int how) {
        long info = SystemMemory.getLong(address - BlockHeader.SIZE);
        long tag = SystemMemory.getLong(address - 8);
        SlotPages.Page page = namedPage(address, info, tag);
        if (page == null) {
            return false;
        }
        int ref = BlockHeader.ref(tag);
        if (SlotPages.take(page, ref, address, 0L)) {
            memory.free(address - BlockHeader.SIZE, BlockInfo.size(info));
            release(SiteContext.current(), address, info, how);
        }
        return true;
    }

    /** The first half of a free: takes the block out of the table; its info, or {@code MISSING}. */
    long forget(long address) {
        return address == 0 ? BlockInfo.MISSING : table.remove(address);
    }

    /** The second half, once the memory is gone: releases what {@link #forget} returned. */
    void released(long address, long info, int how) {
        if (info != BlockInfo.MISSING) {
            release(SiteContext.current(), address, info, how);
        }
    }

    @ForceInline
    private void release(SiteContext context, long address, long info, int how) {
        limiter.release(budget(context), BlockInfo.kind(info), sites.budget(BlockInfo.site(info)), BlockInfo.size(info));
        sites.onFree(context.stripe(), BlockInfo.site(info), BlockInfo.size(info), how);
        if (BlockInfo.size(info) >= FlightEvents.freeMinSize()) {
            events.freed(BlockInfo.kind(info), BlockInfo.size(info), address, BlockInfo.site(info));
        }
    }

    /** Puts back a block whose free or resize did not happen. */
    void restore(long address, long info) {
        table.put(address, info, clock.now());
    }

    /**
     * The first half of a resize: the old block ({@code info}, already taken out of the table
     * with {@link #forget}) grows or shrinks to {@code size}. Names the site and reserves any
     * growth; returns the site. The caller puts the block back if this throws.
     */
    int reserveResize(long info, long size) {
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
            int hit = limiter.tryReserve(budget(context), BlockInfo.kind(info), checked, growth);
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
    void commitResize(long address, long info, long size, int site, long moved, boolean failed) {
        commitResize(address, info, size, site, moved, failed, null, 0);
    }

    /**
     * The same for a block in slot {@code ref} of {@code page} (null: a table block); {@code moved}
     * is the new user address, the header's 16 bytes in front of it.
     */
    private void commitResize(long address, long info, long size, int site, long moved, boolean failed,
                              SlotPages.Page page, int ref) {
        size = BlockInfo.accounted(size);
        int kind = BlockInfo.kind(info);
        long oldSize = BlockInfo.size(info);
        long growth = size - oldSize;
        SiteContext context = SiteContext.current();
        int checked = checkedBudget(BlockInfo.site(info), site);
        if (failed) {
            if (growth > 0) {
                limiter.release(budget(context), kind, checked, growth);
            }
            if (page != null) {
                SlotPages.take(page, ref, address | 1, address);
            } else {
                restore(address, info);
            }
            return;
        }
        if (checked == Budgets.NONE) {
            // between budgets (or none): the old one gives the whole block back, the new one takes it
            moveBetweenBudgets(context, kind, sites.budget(BlockInfo.site(info)), oldSize,
                    moved == 0 ? Budgets.NONE : sites.budget(site), size);
        }
        sites.onFree(context.stripe(), BlockInfo.site(info), oldSize, SiteRegistry.FREED_EXPLICITLY);
        if (oldSize >= FlightEvents.freeMinSize()) {
            events.freed(kind, oldSize, address, BlockInfo.site(info));
        }
        if (moved == 0) {
            if (page != null) {
                SlotPages.take(page, ref, address | 1, 0L);
            }
            limiter.release(budget(context), kind, checked, oldSize + Math.max(growth, 0)); // freed: nothing of it is left
            return;
        }
        long newInfo = BlockInfo.pack(size, kind, site);
        if (page != null) {
            BlockHeader.write(moved - BlockHeader.SIZE, newInfo, ref);
            SlotPages.settle(page, ref, moved, newInfo, clock.stamp());
        } else {
            table.put(moved, newInfo, clock.now());
        }
        if (growth < 0) {
            limiter.release(budget(context), kind, checked, -growth);
        }
        sites.onAllocate(context.stripe(), site, size);
    }

    /**
     * Before the JDK maps {@code size} bytes of a file: applies {@code limit.mapped} (after
     * letting GC unmap dead buffers, as for direct buffers) and the policy, and reserves nothing:
     * the mapping is counted once it exists ({@link #mapped}). So concurrent mappings may pass
     * the cap by what they map at the same instant; a failed mapping is never counted.
     */
    void mapping(long size) {
        if (!tracks(Kind.MAPPED) || size <= 0) {
            return;
        }
        SiteContext context = SiteContext.current();
        if (context.inAgent) {
            return;
        }
        int site = siteOf(Kind.MAPPED, context);
        int budget = sites.budget(site);
        if (limiter.limit(Kind.MAPPED) == 0 && budget == Budgets.NONE) {
            return;
        }
        context.reserving = site;
        int hit = limiter.tryReserve(budget(context), Kind.MAPPED, budget, size);
        if (hit != Limiter.OK) {
            overLimit(Kind.MAPPED, size, site, budget, hit, context);
        }
        // allowed (or reserved by policy=warn): counted by mapped()
        limiter.release(budget(context), Kind.MAPPED, budget, size);
    }

    /** A file mapping of {@code size} bytes now exists at {@code address} (kind {@code mapped}, outside the total). */
    void mapped(long address, long size) {
        if (!tracks(Kind.MAPPED) || address == 0 || size <= 0) {
            return;
        }
        SiteContext context = SiteContext.current();
        if (context.inAgent) {
            return;
        }
        int site = siteOf(Kind.MAPPED, context);
        size = BlockInfo.accounted(size);
        limiter.forceReserve(budget(context), Kind.MAPPED, sites.budget(site), size);
        table.put(address, BlockInfo.pack(size, Kind.MAPPED, site), clock.now());
        sites.onAllocate(site, size);
    }

    /**
     * The budget a resize is checked against: the block's own when it stays in it, else none. A
     * block that a site of another budget resizes moves there whole, unchecked (a rare case: the
     * same block resized from two packages), so every budget's figure stays exact.
     */
    private int checkedBudget(int oldSite, int newSite) {
        int budget = sites.budget(newSite);
        return budget == sites.budget(oldSite) ? budget : Budgets.NONE;
    }

    /** Moves a block's charge from one budget to another: its kind and the total are charged and released alike. */
    private void moveBetweenBudgets(SiteContext context, int kind, int from, long oldSize, int to, long size) {
        if (from != Budgets.NONE) {
            limiter.forceReserve(budget(context), kind, Budgets.NONE, oldSize);
            limiter.release(budget(context), kind, from, oldSize);
        }
        if (to != Budgets.NONE) {
            limiter.forceReserve(budget(context), kind, to, size);
            limiter.release(budget(context), kind, Budgets.NONE, size);
        }
    }

    @ForceInline
    private int siteOf(int kind, SiteContext context) {
        return siteOf(kind, context.site, context);
    }

    @ForceInline
    private int siteOf(int kind, int primed, SiteContext context) {
        int site = primed;
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
    @DontInline
    private void overLimit(int kind, long size, int site, int budget, int hit, SiteContext context) {
        boolean wasInAgent = context.enterAgent();
        try {
            if (Reclaimer.mayHelp(limiter, hit)) {
                hit = Reclaimer.retry(limiter, kind, size, budget);
                if (hit == Limiter.OK) {
                    return;
                }
            }
            long used = limiter.used(hit);
            long limit = limiter.limit(hit);
            events.limitExceeded(kind, size, used, limit, hit, site);
            if (policy == Settings.POLICY_WARN) {
                limiter.forceReserve(budget(context), kind, budget, size);
                OverLimitWarnings.report(kind, size, sites.name(site), site, used, limit, hit, sites);
                return;
            }
            OffHeapLimitExceededError error = LimitErrors.create(kind, size, sites.name(site), hit, used, limit, sites);
            if (policy == Settings.POLICY_EXIT) {
                ExitOnLimit.exit(error, settings.report, this);
            }
            throw error;
        } finally {
            context.exitAgent(wasInAgent);
        }
    }
}
