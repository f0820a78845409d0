package dev.alloc.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.HashMap;
import java.util.Map;

/**
 * Interns call sites to small int ids and keeps exact per-site counters.
 *
 * <p>Ids are handed out when a call site is rewritten (class load time) or, for allocations
 * that start inside the JDK or in a skipped library, when a stack walk first names the site.
 * Id 0 means "no site": it collects allocations no site could be named for. Each allocation and
 * each free costs one atomic add (see "Storage" below). Counters live in fixed chunks of 256 sites
 * that never move, so a counter update never races with growth; only the chunk directory is
 * replaced when it grows. Each site's counters fill 128 bytes, so two sites updated by two
 * threads do not share a cache line.
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
    /** Size of one site's block of counters, in longs. */
    static final int STRIDE = 16;

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
    /** Each site's budget slot ({@link Budgets#NONE} outside every prefix), resolved when it is interned. */
    private volatile int[] budgetSlots = newBudgetSlots(CHUNK_SITES);
    private Budgets budgets = Budgets.EMPTY;
    private volatile long[][] chunks = {new long[CHUNK_SITES * STRIDE]};
    private volatile int count = 1;

    public SiteRegistry() {
        names[0] = "(unknown)";
    }

    private static int[] newBudgetSlots(int length) {
        int[] slots = new int[length];
        java.util.Arrays.fill(slots, Budgets.NONE);
        return slots;
    }

    /** Sets the budgets by package prefix; sites interned from now on get theirs (called once, at install). */
    public synchronized void setBudgets(Budgets newBudgets) {
        budgets = newBudgets;
        for (int id = 1; id < count; id++) {
            budgetSlots[id] = newBudgets.slotOf(names[id]);
        }
    }

    public synchronized Budgets budgets() {
        return budgets;
    }

    /** The budget slot of a site, or {@link Budgets#NONE}: one array read, for the hot path. */
    public int budget(int site) {
        int[] slots = budgetSlots;
        return site < slots.length ? slots[site] : Budgets.NONE;
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
        budgetSlots[id] = budgets.slotOf(name);
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
            grown[i] = new long[CHUNK_SITES * STRIDE];
        }
        String[] grownNames = new String[grown.length * CHUNK_SITES];
        System.arraycopy(names, 0, grownNames, 0, names.length);
        int[] grownKinds = new int[grown.length * CHUNK_SITES];
        System.arraycopy(kinds, 0, grownKinds, 0, kinds.length);
        int[] grownBudgets = newBudgetSlots(grown.length * CHUNK_SITES);
        System.arraycopy(budgetSlots, 0, grownBudgets, 0, budgetSlots.length);
        budgetSlots = grownBudgets;
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
     * Per site, in longs: [0] packed total, [1..3] packed freed per FREED_* reason, [4, 5]
     * spilled total bytes and count, [6..11] spilled freed bytes and count per reason, [12] peak.
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
    private static final int PACKED_TOTAL = 0;
    private static final int PACKED_FREED = 1;
    private static final int SPILLED_TOTAL = 4;
    private static final int SPILLED_FREED = 6;
    private static final int PEAK = 12;

    public void onAllocate(int site, long size) {
        long[] chunk = chunks[site >>> CHUNK_SHIFT];
        int base = (site & (CHUNK_SITES - 1)) * STRIDE;
        long total;
        if (size < PACKABLE) {
            long spilled = (long) COUNTERS.getVolatile(chunk, base + SPILLED_TOTAL);
            long packed = add(chunk, base + PACKED_TOTAL, base + SPILLED_TOTAL, size);
            total = spilled + (packed >>> COUNT_BITS); // at most the total just after our add
        } else {
            long packed = (long) COUNTERS.getVolatile(chunk, base + PACKED_TOTAL);
            total = addSpilled(chunk, base + SPILLED_TOTAL, size) + (packed >>> COUNT_BITS);
        }
        // Freed read after the total: live is never over-stated, and exact on a single thread.
        long live = total - freedBytes(chunk, base);
        long peak;
        while (live > (peak = (long) COUNTERS.getVolatile(chunk, base + PEAK))) {
            if (COUNTERS.compareAndSet(chunk, base + PEAK, peak, live)) {
                break;
            }
        }
    }

    public void onFree(int site, long size, int how) {
        long[] chunk = chunks[site >>> CHUNK_SHIFT];
        int base = (site & (CHUNK_SITES - 1)) * STRIDE;
        if (size < PACKABLE) {
            addFreed(chunk, base + PACKED_FREED + how, base + SPILLED_FREED + 2 * how, size);
        } else {
            addSpilled(chunk, base + SPILLED_FREED + 2 * how, size);
        }
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

    /** One counter of one site (see the constants above). */
    public long counter(int site, int counter) {
        if (site >= count) {
            return 0;
        }
        long[] chunk = chunks[site >>> CHUNK_SHIFT];
        int base = (site & (CHUNK_SITES - 1)) * STRIDE;
        switch (counter) {
            case LIVE_BYTES: {
                long freed = freedBytes(chunk, base); // freed first, so live is not negative
                return Math.max(0L, bytes(chunk, base + PACKED_TOTAL, base + SPILLED_TOTAL) - freed);
            }
            case LIVE_COUNT: {
                long freed = freedCount(chunk, base);
                return Math.max(0L, count(chunk, base + PACKED_TOTAL, base + SPILLED_TOTAL) - freed);
            }
            case PEAK_LIVE_BYTES:
                return (long) COUNTERS.getVolatile(chunk, base + PEAK);
            case TOTAL_BYTES:
                return bytes(chunk, base + PACKED_TOTAL, base + SPILLED_TOTAL);
            case TOTAL_COUNT:
                return count(chunk, base + PACKED_TOTAL, base + SPILLED_TOTAL);
            default: {
                if (counter < FREED_EXPLICIT_BYTES || counter > FREED_CLOSE_COUNT) {
                    throw new IllegalArgumentException("no counter " + counter);
                }
                int how = (counter - FREED_EXPLICIT_BYTES) / 2;
                int packed = base + PACKED_FREED + how;
                int spilled = base + SPILLED_FREED + 2 * how;
                return (counter - FREED_EXPLICIT_BYTES) % 2 == 0 ? freedBytes(chunk, packed, spilled)
                        : freedCount(chunk, packed, spilled);
            }
        }
    }

    /** Sets every site's peak to its current live bytes. */
    public void resetPeaks() {
        for (int site = 1; site < count; site++) {
            long[] chunk = chunks[site >>> CHUNK_SHIFT];
            int base = (site & (CHUNK_SITES - 1)) * STRIDE;
            COUNTERS.setVolatile(chunk, base + PEAK, counter(site, LIVE_BYTES));
        }
    }
}
