package dev.alloc.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A lock-free map from a native address to its {@link BlockInfo}, so that a free, which gets
 * only an address, finds the size, kind and site of the block in O(1).
 *
 * <p>Why a side table and not a header before each block: frees of addresses the agent never
 * saw (allocated before it attached, or by a kind it does not track) must pass through
 * untouched, and a header would mean reading memory in front of an unknown pointer. A side
 * table also keeps the bookkeeping outside the user's bytes, where an overrun cannot reach it.
 *
 * <p>Layout: a generation is one {@code long[]} of 2-long entries, the key (the address;
 * {@code 0} empty, {@code -1} tombstone) and the packed info, four to a 64-byte cache line, and
 * one {@code int[]} of the entries' allocation times to 100 ms ({@link #stamp}): 20 bytes a slot
 * (it was 32, with the time as a long and a long of padding), so a table of a million live
 * blocks, sized at 4 to 8 slots each, takes 80 to 160 MB of heap instead of 128 to 256. Probing
 * is linear from a multiplicative hash of the address.
 *
 * <p>An info of 0 (never a valid {@link BlockInfo}: tracked blocks have a size) marks an entry
 * in transition: being inserted, moved or removed. Readers that meet their key with info 0 wait
 * the few instructions until it settles.
 *
 * <ul>
 *   <li>Insert claims the first empty or tombstone slot on its probe path by a CAS on the key,
 *       then publishes info (its info slot is 0: every tombstone is made by {@link #take}).
 *       No free of that address can race with it: the address is not handed out until the
 *       insert returns.</li>
 *   <li>Remove ({@link #take}) CASes the info from its value to 0, which decides who owns the
 *       entry (a racing double free, or the mover, loses), then writes the tombstone key.</li>
 *   <li>Growth: when claims of never-used slots pass 3/4 of the newest generation (tombstones
 *       count: churn fills a table too), a new one is pushed in front under a lock (rare), the
 *       old newest is marked {@code closed}, and every settled entry of the old generations is
 *       moved into the new one, so the chain stays short even when a few blocks live forever
 *       (without moving, each such block pinned its generation: one in 5,000 allocations
 *       living forever built a chain of 268 generations in two million operations). Inserts go
 *       to the newest generation only; empty generations are dropped.</li>
 *   <li>Moving an entry: claim an empty slot of the newest generation for the key (its info
 *       stays 0), take the old entry, then publish the info in the new slot, or tombstone the
 *       new slot if the take lost to a free. Readers search newest to oldest; one that misses,
 *       or loses a take, while entries may have moved (the {@code moves} counter, odd during a
 *       move, changed) searches again.</li>
 *   <li>An insert that raced with growth may land in a generation that is no longer the newest,
 *       and a generation must never be dropped with an entry in it. This is a Dekker handshake
 *       over two volatile variables: the inserter writes the key, then reads {@code closed};
 *       the grower writes {@code closed}, then reads every key before dropping. Volatile
 *       accesses are totally ordered, so at least one sees the other's write: either the grower
 *       sees the key and keeps the generation, or the inserter sees {@code closed}, takes its
 *       entry back and inserts again into the newest. Both may happen; that only delays the
 *       drop. An entry the mover skipped (info not yet visible) stays findable where it is and
 *       moves at the next growth.</li>
 * </ul>
 */
public final class AddressTable {
    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final long EMPTY = 0L;
    private static final long TOMBSTONE = -1L;
    /** The info of an entry being inserted, moved or removed. */
    private static final long IN_TRANSITION = 0L;
    private static final int STRIDE = 2;
    private static final int INITIAL_CAPACITY = 1 << 12;
    private static final int SPINS_BEFORE_YIELD = 64;

    /**
     * One open-addressing table. Claims of never-used slots are counted per region of
     * 1/{@value #REGIONS} of the slots, each count on its own cache line, so an insert writes no
     * line but its slot's and, when it takes a never-used slot, its region's count (threads
     * inserting in different regions share nothing). A region with more than 3/4 of its slots
     * claimed makes the table grow; a claim that would leave a region without an empty slot is
     * refused, so every region keeps one and a probe for a missing key always ends.
     */
    private static final class Generation {
        final long[] slots;
        /** Each entry's allocation time ({@link #stamp}), written before its info is published. */
        final int[] stamps;
        final int mask;
        final int regionShift;
        final int regionGrowAt;
        final int regionFull;
        /** claims[region * CLAIMS_PAD]: slots of the region that ever left the empty state. */
        final int[] claims = new int[REGIONS * CLAIMS_PAD];
        /** Set once this is no longer the newest generation; see the class comment. */
        volatile boolean closed;

        Generation(int capacity) {
            slots = new long[capacity * STRIDE];
            stamps = new int[capacity];
            mask = capacity - 1;
            int regionSlots = capacity / REGIONS;
            regionShift = Integer.numberOfTrailingZeros(regionSlots);
            regionGrowAt = regionSlots - (regionSlots >>> 2);
            regionFull = regionSlots - 1;
        }

        int claimsIndex(int slot) {
            return (slot >>> regionShift) * CLAIMS_PAD;
        }
    }

    private static final int REGIONS = 16;
    private static final int CLAIMS_PAD = 32; // 128 bytes between regions' counts
    private static final VarHandle CLAIMS = MethodHandles.arrayElementVarHandle(int[].class);

    /** Newest first. Replaced as a whole, never mutated. */
    private volatile Generation[] generations = {new Generation(INITIAL_CAPACITY)};
    /** How many times entries started or finished moving: odd while they move. Written under the lock. */
    private volatile long moves;

    private static int home(long address, int mask) {
        return (int) ((address * 0x9E3779B97F4A7C15L) >>> 40) & mask;
    }

    /** Records a live block. {@code address} must not be 0 or -1, {@code info} not 0. */
    public void put(long address, long info, long timeMillis) {
        while (true) {
            Generation newest = generations[0];
            int claimed = claim(newest, address, false);
            if (claimed < 0) {
                grow(newest);
                continue;
            }
            int index = claimed & (FRESH - 1);
            int base = index * STRIDE;
            newest.stamps[index] = stamp(timeMillis);
            SLOTS.setRelease(newest.slots, base + 1, info);
            // Only a claim of a never-used slot can fill a region: a reused tombstone reads no count.
            if (claimed >= FRESH && (int) CLAIMS.getVolatile(newest.claims, newest.claimsIndex(index)) >= newest.regionGrowAt) {
                grow(newest);
            }
            if (newest.closed && take(newest.slots, base, address, info)) {
                continue; // growth raced with us: insert it again, into the newest
            }
            return;
        }
    }

    /** Added by {@link #claim} to the index of a slot that was never used before. */
    private static final int FRESH = 1 << 30;

    /**
     * Claims a slot for {@code address} in {@code g} (an empty one, or also a tombstone unless
     * {@code emptyOnly}); returns its index, plus {@link #FRESH} if the slot was empty, or -1
     * when full. The claimed slot's info is 0.
     */
    private static int claim(Generation g, long address, boolean emptyOnly) {
        long[] slots = g.slots;
        int mask = g.mask;
        int index = home(address, mask);
        for (int probes = 0; probes <= mask; probes++, index = (index + 1) & mask) {
            long key = (long) SLOTS.getAcquire(slots, index * STRIDE);
            if (key == EMPTY) {
                int region = g.claimsIndex(index);
                if ((int) CLAIMS.getVolatile(g.claims, region) >= g.regionFull) {
                    return -1; // keep an empty slot in every region so that misses terminate
                }
                if (SLOTS.compareAndSet(slots, index * STRIDE, EMPTY, address)) {
                    CLAIMS.getAndAdd(g.claims, region, 1);
                    return index + FRESH;
                }
                key = (long) SLOTS.getAcquire(slots, index * STRIDE);
            }
            if (!emptyOnly && key == TOMBSTONE && SLOTS.compareAndSet(slots, index * STRIDE, TOMBSTONE, address)) {
                return index;
            }
        }
        return -1;
    }

    /**
     * Removes the entry at {@code base} if it is still {@code address} with {@code info}: info
     * to 0, then the tombstone. The key is checked after the info CAS: the slot may have been
     * freed and reused by another address with an equal info meanwhile (only a racing double
     * free gets here); then the info is put back, which is safe because nobody changes a slot
     * whose info is 0 but the one who zeroed it. One atomic instruction: the CAS read the
     * info its owner published after writing the key, so an acquire read sees that key; the
     * tombstone needs only a release store (a reader that sees the old key with info 0 waits
     * for it, a claim CASes the key, a drop that still sees the key keeps the generation).
     */
    private static boolean take(long[] slots, int base, long address, long info) {
        if (!SLOTS.compareAndSet(slots, base + 1, info, IN_TRANSITION)) {
            return false;
        }
        if ((long) SLOTS.getAcquire(slots, base) != address) {
            SLOTS.setRelease(slots, base + 1, info);
            return false;
        }
        SLOTS.setRelease(slots, base, TOMBSTONE);
        return true;
    }

    /** The info of a live block, or {@link BlockInfo#MISSING}. */
    public long get(long address) {
        while (true) {
            long version = moves;
            for (Generation g : generations) {
                int index = find(g, address);
                if (index >= 0) {
                    long info = (long) SLOTS.getAcquire(g.slots, index * STRIDE + 1);
                    if (info != IN_TRANSITION) {
                        return info;
                    }
                }
            }
            if (settled(version)) {
                return BlockInfo.MISSING;
            }
        }
    }

    /** Removes a live block and returns its info, or {@link BlockInfo#MISSING} if unknown. */
    public long remove(long address) {
        long version = moves;
        Generation[] chain = generations;
        // The common case first: the entry is settled in the newest generation.
        long[] slots = chain[0].slots;
        int index = findSettled(slots, chain[0].mask, address);
        if (index >= 0) {
            long info = (long) SLOTS.getAcquire(slots, index * STRIDE + 1);
            if (info != IN_TRANSITION && take(slots, index * STRIDE, address, info)) {
                return info;
            }
        }
        return removeSlowly(address, version);
    }

    /** The slot of {@code address} if it is there and settled (no wait), else -1. */
    private static int findSettled(long[] slots, int mask, long address) {
        int index = home(address, mask);
        for (int probes = 0; probes <= mask; probes++, index = (index + 1) & mask) {
            long key = (long) SLOTS.getAcquire(slots, index * STRIDE);
            if (key == address) {
                return index;
            }
            if (key == EMPTY) {
                return -1;
            }
        }
        return -1;
    }

    private long removeSlowly(long address, long version) {
        while (true) {
            for (Generation g : generations) {
                int index = find(g, address);
                if (index >= 0) {
                    long info = (long) SLOTS.getAcquire(g.slots, index * STRIDE + 1);
                    if (info != IN_TRANSITION && take(g.slots, index * STRIDE, address, info)) {
                        return info;
                    }
                    break; // lost to a racing free or to a move: decide below
                }
            }
            if (settled(version)) {
                return BlockInfo.MISSING;
            }
            version = moves;
        }
    }

    /**
     * True when no entry moved since {@code version} was read (a miss, or a lost take, is then
     * real); otherwise waits for the move to finish and returns false: search again.
     */
    private boolean settled(long version) {
        if ((version & 1) == 0 && moves == version) {
            return true;
        }
        for (int spins = 0; (moves & 1) != 0; spins++) {
            pause(spins);
        }
        return false;
    }

    /** The index of {@code address}'s entry in {@code g} once its info has settled, or -1. */
    private static int find(Generation g, long address) {
        long[] slots = g.slots;
        int mask = g.mask;
        int index = home(address, mask);
        for (int probes = 0; probes <= mask; probes++, index = (index + 1) & mask) {
            long key = (long) SLOTS.getAcquire(slots, index * STRIDE);
            for (int spins = 0; key == address; spins++) {
                if ((long) SLOTS.getAcquire(slots, index * STRIDE + 1) != IN_TRANSITION) {
                    return index;
                }
                pause(spins); // being moved or removed: a few instructions
                key = (long) SLOTS.getAcquire(slots, index * STRIDE);
            }
            if (key == EMPTY) {
                return -1;
            }
        }
        return -1;
    }

    private static void pause(int spins) {
        if (spins < SPINS_BEFORE_YIELD) {
            Thread.onSpinWait();
        } else {
            Thread.yield();
        }
    }

    private synchronized void grow(Generation full) {
        Generation[] chain = generations;
        if (chain[0] != full) {
            return; // somebody grew it already
        }
        int live = 0;
        for (Generation g : chain) {
            live += liveEntries(g);
        }
        int capacity = INITIAL_CAPACITY;
        while (capacity < live * 4) {
            capacity <<= 1;
        }
        Generation newest = new Generation(capacity);
        Generation[] next = new Generation[chain.length + 1];
        next[0] = newest;
        System.arraycopy(chain, 0, next, 1, chain.length);
        generations = next;
        full.closed = true; // every generation but the newest is closed before any is dropped
        moves = moves + 1;
        try {
            for (Generation g : chain) {
                if (!moveAll(g, newest)) {
                    break;
                }
            }
        } finally {
            moves = moves + 1;
        }
        // Readers may be walking 'next' now: build the trimmed chain in a fresh array.
        Generation[] kept = new Generation[next.length];
        kept[0] = newest;
        int n = 1;
        for (Generation g : chain) {
            if (liveEntries(g) > 0) {
                kept[n++] = g;
            }
        }
        if (n < next.length) {
            Generation[] trimmed = new Generation[n];
            System.arraycopy(kept, 0, trimmed, 0, n);
            generations = trimmed;
        }
    }

    /** Moves every settled entry of {@code from} into {@code to}; false when {@code to} is full. */
    private static boolean moveAll(Generation from, Generation to) {
        long[] slots = from.slots;
        for (int base = 0; base < slots.length; base += STRIDE) {
            long key = (long) SLOTS.getAcquire(slots, base);
            if (key == EMPTY || key == TOMBSTONE) {
                continue;
            }
            long info = (long) SLOTS.getAcquire(slots, base + 1);
            if (info == IN_TRANSITION) {
                continue; // being inserted or removed; an insert moves itself (it sees closed)
            }
            int index = claim(to, key, true);
            if (index < 0) {
                return false;
            }
            index -= FRESH; // emptyOnly: always a fresh slot
            int target = index * STRIDE;
            to.stamps[index] = from.stamps[base / STRIDE];
            if (take(slots, base, key, info)) {
                SLOTS.setRelease(to.slots, target + 1, info);
            } else {
                SLOTS.setVolatile(to.slots, target, TOMBSTONE); // freed meanwhile; info is still 0
            }
        }
        return true;
    }

    private static int liveEntries(Generation g) {
        int live = 0;
        for (int i = 0; i < g.slots.length; i += STRIDE) {
            long key = (long) SLOTS.getVolatile(g.slots, i);
            if (key != EMPTY && key != TOMBSTONE) {
                live++;
            }
        }
        return live;
    }

    /** When the stamps count from (the class's initialisation; the clock reads later times). */
    private static final long EPOCH_MILLIS = System.currentTimeMillis();
    private static final long STAMP_MILLIS = 100;

    /**
     * A time in milliseconds as an unsigned int of 100 ms steps since {@link #EPOCH_MILLIS}, plus
     * one: 13 years of range; 0 stays 0 (no known time: stamped before the clock ran).
     */
    static int stamp(long timeMillis) {
        if (timeMillis == 0) {
            return 0;
        }
        long steps = Math.max(0L, timeMillis - EPOCH_MILLIS) / STAMP_MILLIS + 1;
        return (int) Math.min(steps, 0xFFFF_FFFFL);
    }

    /** The time a stamp stands for, to 100 ms (rounded down); 0 for 0. */
    static long millis(int stamp) {
        return stamp == 0 ? 0L : EPOCH_MILLIS + ((stamp & 0xFFFF_FFFFL) - 1) * STAMP_MILLIS;
    }

    /** Receives each live block of a {@link #forEach} scan. */
    public interface Visitor {
        void visit(long address, long info, long timeMillis);
    }

    /**
     * Visits live blocks; a block inserted, removed or moved during the scan may be seen once,
     * not at all, or (moved) twice.
     */
    public void forEach(Visitor visitor) {
        for (Generation g : generations) {
            long[] slots = g.slots;
            for (int i = 0; i < slots.length; i += STRIDE) {
                long key = (long) SLOTS.getAcquire(slots, i);
                if (key != EMPTY && key != TOMBSTONE) {
                    long info = (long) SLOTS.getAcquire(slots, i + 1);
                    if (info != IN_TRANSITION) {
                        visitor.visit(key, info, millis(g.stamps[i / STRIDE]));
                    }
                }
            }
        }
    }

    /** Number of generations in the chain (for tests and statistics). */
    int generationCount() {
        return generations.length;
    }
}
