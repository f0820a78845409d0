package dev.alloc.runtime;

import dev.alloc.runtime.report.Sizes;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.HashMap;
import java.util.Map;
import jdk.internal.vm.annotation.ForceInline;

/**
 * Interns call sites to small int ids and keeps exact per-site counters.
 *
 * <p>Ids are handed out when a call site is rewritten (class load time) or, for allocations
 * that start inside the JDK or in a skipped library, when a stack walk first names the site.
 * Id 0 means "no site": it collects allocations no site could be named for. Each allocation and
 * each free costs one add to the thread's stripe (see "Storage" below). Counters live in fixed
 * chunks of 256 sites that never move, so a counter update never races with growth; only the
 * chunk directory is replaced when it grows.
 *
 * <p>Striped: each site has {@link #STRIPES} blocks of counters of 128 bytes each, and a thread
 * counts its events in the block of its own stripe ({@link SiteContext#stripe()}), so threads on
 * different stripes never write the same cache line, even at the same site. A leased stripe
 * ({@link StripeLeases}) has one writer, its holder, which updates it with plain reads and
 * release stores; the shared stripes take atomic adds. Readers sum the stripes: live bytes and
 * count, total and freed bytes and counts are exact whenever no event is in flight.
 *
 * <p>Peak live bytes. An exact peak of a sum over stripes would need a shared write per event,
 * so the peak is the larger of (a) the site's live bytes sampled at every allocation of
 * {@value #SAMPLE_SIZE} bytes or more and at every read of the site's peak, and (b) when all of a
 * site's events happened on one stripe (one thread, the common case), that stripe's own exact
 * high-water mark. It is never over-stated; with several threads it may miss a transient rise
 * made only of small allocations between two sample points.
 */
public final class SiteRegistry {
    public static final int LIVE_BYTES = 0;
    public static final int LIVE_COUNT = 1;
    public static final int PEAK_LIVE_BYTES = 2;
    public static final int TOTAL_BYTES = 3;
    public static final int TOTAL_COUNT = 4;
    /** Bytes and count freed explicitly ({@code freeMemory}, {@code invokeCleaner}, {@code free}). */
    public static final int FREED_EXPLICIT_BYTES = 5;
    public static final int FREED_EXPLICIT_COUNT = 6;
    /** Bytes and count freed by a Cleaner after GC found the owner unreachable. */
    public static final int FREED_GC_BYTES = 7;
    public static final int FREED_GC_COUNT = 8;
    /** Bytes and count freed when an FFM arena closed. */
    public static final int FREED_CLOSE_BYTES = 9;
    public static final int FREED_CLOSE_COUNT = 10;
    /** Size of one site's block of counters per stripe, in longs. */
    static final int STRIDE = 16;
    /** Stripes per site: a power of two, 8 to 32, about twice the CPUs (3/4 leased, {@link StripeLeases}). */
    public static final int STRIPES = Math.min(32, Math.max(8,
            Integer.highestOneBit(Math.max(1, Runtime.getRuntime().availableProcessors() - 1) << 1) << 1));
    /** Allocations at least this large sample the site's exact live bytes for its peak. */
    static final long SAMPLE_SIZE = 64 * 1024;

    /** How a block was freed; chooses the FREED_* counters. */
    public static final int FREED_EXPLICITLY = 0;
    public static final int FREED_BY_GC = 1;
    public static final int FREED_BY_CLOSE = 2;

    private static final int CHUNK_SHIFT = 8;
    private static final int CHUNK_SITES = 1 << CHUNK_SHIFT;
    private static final VarHandle COUNTERS = MethodHandles.arrayElementVarHandle(long[].class);

    private final Map<String, Integer> ids = new HashMap<>();
    private volatile String[] names = new String[CHUNK_SITES];
    private volatile int[] kinds = new int[CHUNK_SITES];
    /** Each site's budget ({@link Budgets#NONE} outside every prefix), resolved when it is interned. */
    private volatile int[] budgetLimits = newBudgetLimits(CHUNK_SITES);
    private Budgets budgets = Budgets.EMPTY;
    /** Whether any site can have a budget; set once, at install, before any hook counts (like the budgets). */
    private boolean anyBudget;
    private volatile long[][] chunks = {new long[CHUNK_SITES * STRIPES * STRIDE]};
    private volatile int count = 1;

    public SiteRegistry() {
        names[0] = "(unknown)";
    }

    private static int[] newBudgetLimits(int length) {
        int[] limits = new int[length];
        java.util.Arrays.fill(limits, Budgets.NONE);
        return limits;
    }

    /** Sets the budgets by package prefix; every site gets its own (called once, at install). */
    public synchronized void setBudgets(Budgets newBudgets) {
        budgets = newBudgets;
        anyBudget = newBudgets.count() > 0;
        for (int id = 1; id < count; id++) {
            budgetLimits[id] = newBudgets.limitOf(names[id]);
        }
    }

    public synchronized Budgets budgets() {
        return budgets;
    }

    /** The limit id of a site's budget, or {@link Budgets#NONE}: one array read, for the hot path. */
    @ForceInline
    public int budget(int site) {
        if (!anyBudget) {
            return Budgets.NONE; // the common case: no budget option, no array read
        }
        int[] limits = budgetLimits;
        return site < limits.length ? limits[site] : Budgets.NONE;
    }

    /** The id of a site, registering it on first sight. Not for hot paths. */
    public synchronized int intern(String name, int kind) {
        String key = kind + name;
        Integer known = ids.get(key);
        if (known != null) {
            return known;
        }
        int id = count;
        if (id > BlockInfo.MAX_SITE) {
            return 0; // id space exhausted: attribute to "(unknown)" rather than fail
        }
        ensureCapacity(id);
        names[id] = name;
        kinds[id] = kind;
        budgetLimits[id] = budgets.limitOf(name);
        ids.put(key, id);
        count = id + 1;
        return id;
    }

    private void ensureCapacity(int id) {
        int chunk = id >>> CHUNK_SHIFT;
        long[][] directory = chunks;
        if (chunk < directory.length) {
            return;
        }
        long[][] grown = new long[directory.length * 2][];
        System.arraycopy(directory, 0, grown, 0, directory.length);
        for (int i = directory.length; i < grown.length; i++) {
            grown[i] = new long[CHUNK_SITES * STRIPES * STRIDE];
        }
        String[] grownNames = new String[grown.length * CHUNK_SITES];
        System.arraycopy(names, 0, grownNames, 0, names.length);
        int[] grownKinds = new int[grown.length * CHUNK_SITES];
        System.arraycopy(kinds, 0, grownKinds, 0, kinds.length);
        int[] grownBudgets = newBudgetLimits(grown.length * CHUNK_SITES);
        System.arraycopy(budgetLimits, 0, grownBudgets, 0, budgetLimits.length);
        budgetLimits = grownBudgets;
        names = grownNames;
        kinds = grownKinds;
        chunks = grown;
    }

    /** Number of ids handed out, including id 0. */
    public int size() {
        return count;
    }

    public String name(int site) {
        String name = site < count ? names[site] : null;
        return name != null ? name : "(unknown)";
    }

    public int kind(int site) {
        return site < count ? kinds[site] : Kind.DIRECT;
    }

    /*
     * Storage. Only monotonic counters are kept, so an event costs one atomic add: an allocation
     * adds (size << COUNT_BITS | 1) to the site's packed total, a free adds the same to the
     * packed freed counter of its kind of free. Live bytes and count are derived (live = total -
     * freed). A packed counter holds bytes in its high 44 bits and a count in its low 20; the
     * adder that takes it past SPILL_BYTES or SPILL_COUNT moves it whole (getAndSet to 0) into
     * the plain "spilled" bytes and count counters, so neither field can overflow: passing
     * 2^44 bytes or 2^20 events would take thousands (bytes, each add < 2^32) or half a million
     * (count) adds between one crossing and its spill. Sizes of 2^32 and more go straight to
     * the spilled counters.
     *
     * Per site and stripe, in longs: [0, 1] spilled total bytes and count, [2] (stripe 0 only)
     * the sampled peak of the whole site, [4] packed total, [5..7] packed freed per FREED_*
     * reason, [8] the stripe's own peak (of its live bytes, allocated minus freed on this
     * stripe), [9] (leased stripes) its live bytes, which its holder keeps so that its peak needs
     * no sum, [10..15] spilled freed bytes and count per reason.
     * A spill in flight makes a figure momentarily off, in a chosen direction, so that live bytes
     * (total - freed) are never over-stated and the peak never passes a real value:
     *  - totals spill low: the packed counter is emptied (getAndSet) before spilled grows, and
     *    readers read spilled before packed, so a total can read low, never high;
     *  - freed counters spill high: the one adder whose add crossed a threshold adds its value to
     *    spilled first, then subtracts exactly that value from packed, and readers read packed
     *    before spilled, so freed can read high, never low.
     * Every figure is exact whenever no event is in flight.
     */
    private static final int COUNT_BITS = 20;
    private static final long COUNT_MASK = (1L << COUNT_BITS) - 1;
    private static final long SPILL_COUNT = 1L << 19;
    private static final long SPILL_BYTES = 1L << 42;
    private static final long PACKABLE = 1L << 32;
    // The counters every event writes sit together in the middle of the stripe's 128 bytes,
    // [4, 10), and the rarely written ones around them, so the hot longs of two neighbouring
    // stripes are 80 bytes apart: never on one cache line, wherever the array starts (its
    // elements begin 16 bytes into the object, and objects are only 8-byte aligned).
    private static final int SPILLED_TOTAL = 0;
    private static final int SAMPLED_PEAK = 2;
    private static final int PACKED_TOTAL = 4;
    private static final int PACKED_FREED = 5;
    private static final int PEAK = 8;
    /** In a leased stripe only: the stripe's live bytes, kept by its holder so its peak costs no sum. */
    private static final int LIVE_ALONE = 9;
    private static final int SPILLED_FREED = 10;

    /** The first long of a site's block of counters for one stripe, in its chunk. */
    private static int base(int site, int stripe) {
        return ((site & (CHUNK_SITES - 1)) * STRIPES + stripe) * STRIDE;
    }

    /** Counts an allocation on the current thread's stripe (callers on hot paths pass the stripe). */
    public void onAllocate(int site, long size) {
        onAllocate(SiteContext.current().stripe(), site, size);
    }

    @ForceInline
    public void onAllocate(int stripe, int site, long size) {
        long[] chunk = chunks[site >>> CHUNK_SHIFT];
        int base = base(site, stripe);
        if (StripeLeases.exclusive(stripe)) {
            onAllocateAlone(chunk, base, size);
        } else {
            onAllocateShared(chunk, base, size);
        }
        if (size >= SAMPLE_SIZE) {
            samplePeak(chunk, site);
        }
    }

    private static void onAllocateShared(long[] chunk, int base, long size) {
        long total;
        if (size < PACKABLE) {
            long spilled = (long) COUNTERS.getVolatile(chunk, base + SPILLED_TOTAL);
            long packed = add(chunk, base + PACKED_TOTAL, base + SPILLED_TOTAL, size);
            total = spilled + (packed >>> COUNT_BITS); // at most the total just after our add
        } else {
            long packed = (long) COUNTERS.getVolatile(chunk, base + PACKED_TOTAL);
            total = addSpilled(chunk, base + SPILLED_TOTAL, size) + (packed >>> COUNT_BITS);
        }
        // The stripe's own live bytes; freed read after the total: never over-stated.
        raise(chunk, base + PEAK, total - freedBytes(chunk, base));
    }

    /**
     * The same, by the stripe's lease holder, the only writer of these counters: plain reads and
     * release stores in the order the readers rely on (see "Storage"), no atomic instruction.
     */
    @ForceInline
    private static void onAllocateAlone(long[] chunk, int base, long size) {
        int packed = base + PACKED_TOTAL;
        int spilled = base + SPILLED_TOTAL;
        if (size < PACKABLE) {
            long now = (long) COUNTERS.get(chunk, packed) + (size << COUNT_BITS | 1);
            if ((now & COUNT_MASK) >= SPILL_COUNT || now >>> COUNT_BITS >= SPILL_BYTES) {
                COUNTERS.setRelease(chunk, packed, 0L); // totals spill low: packed empties first
                COUNTERS.setRelease(chunk, spilled, (long) COUNTERS.get(chunk, spilled) + (now >>> COUNT_BITS));
                COUNTERS.setRelease(chunk, spilled + 1, (long) COUNTERS.get(chunk, spilled + 1) + (now & COUNT_MASK));
            } else {
                COUNTERS.setRelease(chunk, packed, now);
            }
        } else {
            COUNTERS.setRelease(chunk, spilled + 1, (long) COUNTERS.get(chunk, spilled + 1) + 1);
            COUNTERS.setRelease(chunk, spilled, (long) COUNTERS.get(chunk, spilled) + size);
        }
        long live = (long) COUNTERS.get(chunk, base + LIVE_ALONE) + size;
        COUNTERS.set(chunk, base + LIVE_ALONE, live);
        if (live > (long) COUNTERS.get(chunk, base + PEAK)) {
            COUNTERS.setRelease(chunk, base + PEAK, live);
        }
    }

    public void onFree(int site, long size, int how) {
        onFree(SiteContext.current().stripe(), site, size, how);
    }

    @ForceInline
    public void onFree(int stripe, int site, long size, int how) {
        long[] chunk = chunks[site >>> CHUNK_SHIFT];
        int base = base(site, stripe);
        if (StripeLeases.exclusive(stripe)) {
            onFreeAlone(chunk, base, base + PACKED_FREED + how, base + SPILLED_FREED + 2 * how, size);
        } else if (size < PACKABLE) {
            addFreed(chunk, base + PACKED_FREED + how, base + SPILLED_FREED + 2 * how, size);
        } else {
            addSpilled(chunk, base + SPILLED_FREED + 2 * how, size);
        }
    }

    /** A free counted by the stripe's lease holder alone; freed counters spill high (see "Storage"). */
    @ForceInline
    private static void onFreeAlone(long[] chunk, int base, int packed, int spilled, long size) {
        COUNTERS.set(chunk, base + LIVE_ALONE, (long) COUNTERS.get(chunk, base + LIVE_ALONE) - size);
        if (size < PACKABLE) {
            long now = (long) COUNTERS.get(chunk, packed) + (size << COUNT_BITS | 1);
            if ((now & COUNT_MASK) >= SPILL_COUNT || now >>> COUNT_BITS >= SPILL_BYTES) {
                COUNTERS.setRelease(chunk, spilled, (long) COUNTERS.get(chunk, spilled) + (now >>> COUNT_BITS));
                COUNTERS.setRelease(chunk, spilled + 1, (long) COUNTERS.get(chunk, spilled + 1) + (now & COUNT_MASK));
                now = 0; // packed empties last
            }
            COUNTERS.setRelease(chunk, packed, now);
        } else {
            COUNTERS.setRelease(chunk, spilled + 1, (long) COUNTERS.get(chunk, spilled + 1) + 1);
            COUNTERS.setRelease(chunk, spilled, (long) COUNTERS.get(chunk, spilled) + size);
        }
    }

    private static void raise(long[] chunk, int index, long now) {
        long high;
        while (now > (high = (long) COUNTERS.getVolatile(chunk, index))) {
            if (COUNTERS.compareAndSet(chunk, index, high, now)) {
                return;
            }
        }
    }

    /** Raises the site's sampled peak to its live bytes now; returns them. */
    private static long samplePeak(long[] chunk, int site) {
        long live = liveBytes(chunk, site);
        raise(chunk, base(site, 0) + SAMPLED_PEAK, live);
        return live;
    }

    private static long liveBytes(long[] chunk, int site) {
        return live(chunk, site, true);
    }

    /** Freed of every stripe first, then the totals: live is never over-stated. */
    private static long live(long[] chunk, int site, boolean bytes) {
        long freed = 0;
        for (int stripe = 0; stripe < STRIPES; stripe++) {
            int base = base(site, stripe);
            freed += bytes ? freedBytes(chunk, base) : freedCount(chunk, base);
        }
        long total = 0;
        for (int stripe = 0; stripe < STRIPES; stripe++) {
            int base = base(site, stripe);
            total += bytes ? bytes(chunk, base + PACKED_TOTAL, base + SPILLED_TOTAL)
                    : count(chunk, base + PACKED_TOTAL, base + SPILLED_TOTAL);
        }
        return Math.max(0L, total - freed);
    }

    /** The peak as the class comment defines it. */
    private static long peak(long[] chunk, int site) {
        long peak = Math.max(samplePeak(chunk, site), (long) COUNTERS.getVolatile(chunk, base(site, 0) + SAMPLED_PEAK));
        int active = -1;
        for (int stripe = 0; stripe < STRIPES; stripe++) {
            int base = base(site, stripe);
            if (count(chunk, base + PACKED_TOTAL, base + SPILLED_TOTAL) + freedCount(chunk, base) > 0) {
                if (active >= 0) {
                    return peak; // several stripes: their own peaks do not add up
                }
                active = stripe;
            }
        }
        return active < 0 ? peak : Math.max(peak, (long) COUNTERS.getVolatile(chunk, base(site, active) + PEAK));
    }

    /** The sum over stripes of a total ({@code freed} false) or of the freed counter of reason {@code offset}. */
    private static long sum(long[] chunk, int site, int offset, boolean freed, boolean bytes) {
        long sum = 0;
        for (int stripe = 0; stripe < STRIPES; stripe++) {
            int base = base(site, stripe);
            if (freed) {
                int how = offset;
                int packed = base + PACKED_FREED + how;
                int spilled = base + SPILLED_FREED + 2 * how;
                sum += bytes ? freedBytes(chunk, packed, spilled) : freedCount(chunk, packed, spilled);
            } else {
                sum += bytes ? bytes(chunk, base + PACKED_TOTAL, base + SPILLED_TOTAL)
                        : count(chunk, base + PACKED_TOTAL, base + SPILLED_TOTAL);
            }
        }
        return sum;
    }

    /** Adds one allocation of {@code size} bytes to the packed total, spilling low; returns it just after the add. */
    private static long add(long[] chunk, int packed, int spilled, long size) {
        long event = size << COUNT_BITS | 1;
        long now = (long) COUNTERS.getAndAdd(chunk, packed, event) + event;
        if ((now & COUNT_MASK) >= SPILL_COUNT || now >>> COUNT_BITS >= SPILL_BYTES) {
            long moved = (long) COUNTERS.getAndSet(chunk, packed, 0L);
            COUNTERS.getAndAdd(chunk, spilled, moved >>> COUNT_BITS);
            COUNTERS.getAndAdd(chunk, spilled + 1, moved & COUNT_MASK);
        }
        return now;
    }

    /** Adds one free of {@code size} bytes to a packed freed counter, spilling high (see "Storage"). */
    private static void addFreed(long[] chunk, int packed, int spilled, long size) {
        long event = size << COUNT_BITS | 1;
        long before = (long) COUNTERS.getAndAdd(chunk, packed, event);
        long now = before + event;
        if (crossed(before, now)) {
            // Only the adder that crossed spills; packed stays at or above `now` until it does.
            COUNTERS.getAndAdd(chunk, spilled, now >>> COUNT_BITS);
            COUNTERS.getAndAdd(chunk, spilled + 1, now & COUNT_MASK);
            COUNTERS.getAndAdd(chunk, packed, -now);
        }
    }

    private static boolean crossed(long before, long now) {
        return (now & COUNT_MASK) >= SPILL_COUNT && (before & COUNT_MASK) < SPILL_COUNT
                || now >>> COUNT_BITS >= SPILL_BYTES && before >>> COUNT_BITS < SPILL_BYTES;
    }

    /** Adds one event to spilled bytes and count directly; returns the spilled bytes after the add. */
    private static long addSpilled(long[] chunk, int spilled, long size) {
        COUNTERS.getAndAdd(chunk, spilled + 1, 1L);
        return (long) COUNTERS.getAndAdd(chunk, spilled, size) + size;
    }

    /** Spilled then packed: a racing spill makes the sum low for a moment, never double. */
    private static long bytes(long[] chunk, int packed, int spilled) {
        long s = (long) COUNTERS.getVolatile(chunk, spilled);
        return s + ((long) COUNTERS.getVolatile(chunk, packed) >>> COUNT_BITS);
    }

    private static long count(long[] chunk, int packed, int spilled) {
        long s = (long) COUNTERS.getVolatile(chunk, spilled + 1);
        return s + ((long) COUNTERS.getVolatile(chunk, packed) & COUNT_MASK);
    }

    /** Packed then spilled: a racing spill of a freed counter makes the sum high for a moment, never low. */
    private static long freedBytes(long[] chunk, int packed, int spilled) {
        long p = (long) COUNTERS.getVolatile(chunk, packed);
        return (long) COUNTERS.getVolatile(chunk, spilled) + (p >>> COUNT_BITS);
    }

    private static long freedCount(long[] chunk, int packed, int spilled) {
        long p = (long) COUNTERS.getVolatile(chunk, packed);
        return (long) COUNTERS.getVolatile(chunk, spilled + 1) + (p & COUNT_MASK);
    }

    private static long freedBytes(long[] chunk, int base) {
        long freed = 0;
        for (int how = FREED_EXPLICITLY; how <= FREED_BY_CLOSE; how++) {
            freed += freedBytes(chunk, base + PACKED_FREED + how, base + SPILLED_FREED + 2 * how);
        }
        return freed;
    }

    private static long freedCount(long[] chunk, int base) {
        long freed = 0;
        for (int how = FREED_EXPLICITLY; how <= FREED_BY_CLOSE; how++) {
            freed += freedCount(chunk, base + PACKED_FREED + how, base + SPILLED_FREED + 2 * how);
        }
        return freed;
    }

    /** One counter of one site (see the constants above), summed over the stripes. */
    public long counter(int site, int counter) {
        if (site >= count) {
            return 0;
        }
        long[] chunk = chunks[site >>> CHUNK_SHIFT];
        switch (counter) {
            case LIVE_BYTES:
                return liveBytes(chunk, site);
            case LIVE_COUNT:
                return live(chunk, site, false);
            case PEAK_LIVE_BYTES:
                return peak(chunk, site);
            case TOTAL_BYTES:
                return sum(chunk, site, 0, false, true);
            case TOTAL_COUNT:
                return sum(chunk, site, 0, false, false);
            default: {
                if (counter < FREED_EXPLICIT_BYTES || counter > FREED_CLOSE_COUNT) {
                    throw new IllegalArgumentException("no counter " + counter);
                }
                int how = (counter - FREED_EXPLICIT_BYTES) / 2;
                return sum(chunk, site, how, true, (counter - FREED_EXPLICIT_BYTES) % 2 == 0);
            }
        }
    }

    /** Sets every site's peak to its current live bytes. */
    public void resetPeaks() {
        for (int site = 1; site < count; site++) {
            long[] chunk = chunks[site >>> CHUNK_SHIFT];
            COUNTERS.setVolatile(chunk, base(site, 0) + SAMPLED_PEAK, liveBytes(chunk, site));
            for (int stripe = 0; stripe < STRIPES; stripe++) {
                int base = base(site, stripe);
                long stripeLive = bytes(chunk, base + PACKED_TOTAL, base + SPILLED_TOTAL) - freedBytes(chunk, base);
                COUNTERS.setVolatile(chunk, base + PEAK, Math.max(0L, stripeLive));
            }
        }
    }
}
