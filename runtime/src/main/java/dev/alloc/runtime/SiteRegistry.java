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
 * Id 0 means "no site": it collects allocations no site could be named for. Counters live in fixed chunks of 256 sites
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
    private volatile long[][] chunks = {new long[CHUNK_SITES * STRIDE]};
    private volatile int count = 1;

    public SiteRegistry() {
        names[0] = "(unknown)";
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

    public void onAllocate(int site, long size) {
        long[] chunk = chunks[site >>> CHUNK_SHIFT];
        int base = (site & (CHUNK_SITES - 1)) * STRIDE;
        long live = (long) COUNTERS.getAndAdd(chunk, base + LIVE_BYTES, size) + size;
        COUNTERS.getAndAdd(chunk, base + LIVE_COUNT, 1L);
        COUNTERS.getAndAdd(chunk, base + TOTAL_BYTES, size);
        COUNTERS.getAndAdd(chunk, base + TOTAL_COUNT, 1L);
        long peak;
        while (live > (peak = (long) COUNTERS.getVolatile(chunk, base + PEAK_LIVE_BYTES))) {
            if (COUNTERS.compareAndSet(chunk, base + PEAK_LIVE_BYTES, peak, live)) {
                break;
            }
        }
    }

    public void onFree(int site, long size, int how) {
        long[] chunk = chunks[site >>> CHUNK_SHIFT];
        int base = (site & (CHUNK_SITES - 1)) * STRIDE;
        COUNTERS.getAndAdd(chunk, base + LIVE_BYTES, -size);
        COUNTERS.getAndAdd(chunk, base + LIVE_COUNT, -1L);
        int freed = FREED_EXPLICIT_BYTES + 2 * how;
        COUNTERS.getAndAdd(chunk, base + freed, size);
        COUNTERS.getAndAdd(chunk, base + freed + 1, 1L);
    }

    /** One counter of one site (see the constants above). */
    public long counter(int site, int counter) {
        if (site >= count) {
            return 0;
        }
        long[] chunk = chunks[site >>> CHUNK_SHIFT];
        return (long) COUNTERS.getVolatile(chunk, (site & (CHUNK_SITES - 1)) * STRIDE + counter);
    }

    /** Sets every site's peak to its current live bytes. */
    public void resetPeaks() {
        for (int site = 1; site < count; site++) {
            long[] chunk = chunks[site >>> CHUNK_SHIFT];
            int base = (site & (CHUNK_SITES - 1)) * STRIDE;
            COUNTERS.setVolatile(chunk, base + PEAK_LIVE_BYTES, (long) COUNTERS.getVolatile(chunk, base + LIVE_BYTES));
        }
    }
}
