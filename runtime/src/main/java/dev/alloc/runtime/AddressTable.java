package dev.alloc.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A lock-free map from a native address to its {@link BlockInfo}, so that a free, which gets
 * only an address, finds the size, kind and site of the block in O(1).
 *
 * <p>Why a side table and not a header before each block: frees of addresses the agent never
 * saw (allocated before it attached, or by a kind it does not track) must pass through
 * untouched, and a header would mean reading memory in front of an unknown pointer. A side
 * table also keeps the bookkeeping outside the user's bytes, where an overrun cannot reach it.
 *
 * <p>Layout: a generation is one {@code long[]} of 4-long entries: the key (the address;
 * {@code 0} empty, {@code -1} tombstone), the packed info, the allocation time in milliseconds
 * and one unused long, so two entries share a 64-byte cache line. Probing is linear from a
 * multiplicative hash of the address.
 *
 * <ul>
 *   <li>Insert claims the first empty or tombstone slot on its probe path by a CAS on the key,
 *       then publishes info and time with release stores. No free of that address can race
 *       with it: the address is not handed out until the insert returns.</li>
 *   <li>Remove finds the key and CASes it to a tombstone, so a racing double free removes the
 *       entry at most once.</li>
 *   <li>Growth: when claims of never-used slots pass 3/4 of the newest generation, a new one
 *       is pushed in front (under a lock: this is rare) and the old newest is then marked
 *       {@code closed}. Inserts go to the newest generation only; older ones only lose entries
 *       and are dropped once empty. Lookups search from newest to oldest.</li>
 *   <li>An insert that raced with growth may land in a generation that is no longer the newest,
 *       and a generation must never be dropped with an entry in it. This is a Dekker handshake
 *       over two volatile variables: the inserter writes the key, then reads {@code closed};
 *       the grower writes {@code closed}, then reads every key before dropping. Volatile
 *       accesses are totally ordered, so at least one sees the other's write: either the grower
 *       sees the key and keeps the generation, or the inserter sees {@code closed}, takes its
 *       entry back (CAS key to tombstone) and inserts again into the newest. Both may happen;
 *       that only delays the drop.</li>
 * </ul>
 */
public final class AddressTable {
    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final long EMPTY = 0L;
    private static final long TOMBSTONE = -1L;
    private static final int STRIDE = 4;
    private static final int INITIAL_CAPACITY = 1 << 12;

    /** One open-addressing table; {@code claimed} counts slots that ever left the empty state. */
    private static final class Generation {
        final long[] slots;
        final int mask;
        final int growAt;
        final AtomicInteger claimed = new AtomicInteger();
        /** Set once this is no longer the newest generation; see the class comment. */
        volatile boolean closed;

        Generation(int capacity) {
            slots = new long[capacity * STRIDE];
            mask = capacity - 1;
            growAt = capacity - (capacity >>> 2);
        }

        int capacity() {
            return mask + 1;
        }
    }

    /** Newest first. Replaced as a whole, never mutated. */
    private volatile Generation[] generations = {new Generation(INITIAL_CAPACITY)};

    private static int home(long address, int mask) {
        return (int) ((address * 0x9E3779B97F4A7C15L) >>> 40) & mask;
    }

    /** Records a live block. {@code address} must not be 0 or -1. */
    public void put(long address, long info, long timeMillis) {
        while (true) {
            Generation[] chain = generations;
            Generation newest = chain[0];
            int index = claim(newest, address);
            if (index < 0) {
                grow(newest);
                continue;
            }
            int base = index * STRIDE;
            newest.slots[base + 2] = timeMillis;
            SLOTS.setRelease(newest.slots, base + 1, info);
            if (newest.claimed.get() >= newest.growAt) {
                grow(newest);
            }
            if (newest.closed) {
                // Growth raced with us: take the entry back and insert it into the newest.
                if (SLOTS.compareAndSet(newest.slots, base, address, TOMBSTONE)) {
                    continue;
                }
            }
            return;
        }
    }

    /** Claims a slot for {@code address} in {@code g}; returns its index or -1 when full. */
    private static int claim(Generation g, long address) {
        long[] slots = g.slots;
        int mask = g.mask;
        int index = home(address, mask);
        for (int probes = 0; probes <= mask; probes++, index = (index + 1) & mask) {
            long key = (long) SLOTS.getAcquire(slots, index * STRIDE);
            if (key == EMPTY) {
                if (g.claimed.get() >= g.capacity() - 1) {
                    return -1; // keep at least one empty slot so that misses terminate
                }
                if (SLOTS.compareAndSet(slots, index * STRIDE, EMPTY, address)) {
                    g.claimed.incrementAndGet();
                    return index;
                }
                key = (long) SLOTS.getAcquire(slots, index * STRIDE);
            }
            if (key == TOMBSTONE && SLOTS.compareAndSet(slots, index * STRIDE, TOMBSTONE, address)) {
                return index;
            }
        }
        return -1;
    }

    /** The info of a live block, or {@link BlockInfo#MISSING}. */
    public long get(long address) {
        for (Generation g : generations) {
            int index = find(g, address);
            if (index >= 0) {
                return (long) SLOTS.getAcquire(g.slots, index * STRIDE + 1);
            }
        }
        return BlockInfo.MISSING;
    }

    /** Removes a live block and returns its info, or {@link BlockInfo#MISSING} if unknown. */
    public long remove(long address) {
        for (Generation g : generations) {
            int index = find(g, address);
            if (index >= 0) {
                long info = (long) SLOTS.getAcquire(g.slots, index * STRIDE + 1);
                if (SLOTS.compareAndSet(g.slots, index * STRIDE, address, TOMBSTONE)) {
                    return info;
                }
                return BlockInfo.MISSING;
            }
        }
        return BlockInfo.MISSING;
    }

    private static int find(Generation g, long address) {
        long[] slots = g.slots;
        int mask = g.mask;
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

    private synchronized void grow(Generation full) {
        Generation[] chain = generations;
        if (chain[0] != full) {
            return; // somebody grew it already
        }
        int live = liveEntries(full);
        int capacity = INITIAL_CAPACITY;
        while (capacity < live * 4) {
            capacity <<= 1;
        }
        Generation[] next = new Generation[chain.length + 1];
        next[0] = new Generation(capacity);
        System.arraycopy(chain, 0, next, 1, chain.length);
        generations = next;
        full.closed = true; // every generation but the newest is closed before any is dropped
        // Readers may be walking 'next' now: build the trimmed chain in a fresh array.
        Generation[] kept = new Generation[next.length];
        kept[0] = next[0];
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

    /** Receives each live block of a {@link #forEach} scan. */
    public interface Visitor {
        void visit(long address, long info, long timeMillis);
    }

    /** Visits live blocks; a block inserted or removed during the scan may or may not be seen. */
    public void forEach(Visitor visitor) {
        for (Generation g : generations) {
            long[] slots = g.slots;
            for (int i = 0; i < slots.length; i += STRIDE) {
                long key = (long) SLOTS.getAcquire(slots, i);
                if (key != EMPTY && key != TOMBSTONE) {
                    long info = (long) SLOTS.getAcquire(slots, i + 1);
                    if (info != 0) {
                        visitor.visit(key, info, slots[i + 2]);
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
