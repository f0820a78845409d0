package dev.alloc.runtime.pool;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A run of pages cut into equal slots of one size class.
 *
 * <p>Two bitmaps, one bit per slot, both on the Java heap:
 * <ul>
 *   <li>{@code taken}: the slot is not available to the slab, because it is live or sits in a
 *       thread cache. Guarded by the size class's lock.</li>
 *   <li>{@code live}: the application holds the slot. Set and cleared by CAS, without the
 *       lock, so that a double free is caught even when the slot is parked in a thread cache
 *       (where {@code taken} stays set).</li>
 * </ul>
 * {@code live} implies {@code taken}. {@code prev/next} link the slab into its class's list of
 * slabs with free slots.
 */
final class Slab {
    private static final VarHandle BITS = MethodHandles.arrayElementVarHandle(long[].class);

    final int sizeClass;
    final int slotSize;
    final int slots;
    final int pages;
    final long base;
    private final long[] taken;
    private final long[] live;
    private int searchFrom;
    int freeSlots;
    /** When the slab last became entirely free (System.nanoTime); meaningful only while it is. Under the class lock. */
    long emptySince;
    Slab prev;
    Slab next;

    Slab(int sizeClass, long base) {
        this.sizeClass = sizeClass;
        this.base = base;
        slotSize = SizeClasses.slotSize(sizeClass);
        pages = SizeClasses.slabPages(sizeClass);
        slots = (int) ((pages * ChunkedRegion.PAGE_SIZE) / slotSize);
        taken = new long[(slots + 63) >>> 6];
        live = new long[taken.length];
        freeSlots = slots;
    }

    /** Takes a free slot (there must be one): its index. Under the class lock. */
    int take() {
        for (int word = searchFrom; ; word = (word + 1) % taken.length) {
            long available = ~taken[word];
            if (available != 0) {
                int slot = (word << 6) + Long.numberOfTrailingZeros(available);
                if (slot < slots) {
                    taken[word] |= 1L << slot;
                    freeSlots--;
                    searchFrom = word;
                    return slot;
                }
            }
        }
    }

    /** Gives a slot back to the slab. Under the class lock. */
    void give(int slot) {
        taken[slot >>> 6] &= ~(1L << slot);
        freeSlots++;
    }

    /** The slot starting at {@code address}, or -1 if no slot starts there. */
    int slotAt(long address) {
        long offset = address - base;
        if (offset < 0 || offset % slotSize != 0 || offset / slotSize >= slots) {
            return -1;
        }
        return (int) (offset / slotSize);
    }

    long address(int slot) {
        return base + (long) slot * slotSize;
    }

    boolean isLive(int slot) {
        return ((long) BITS.getVolatile(live, slot >>> 6) & (1L << slot)) != 0;
    }

    /** Marks the slot live; false if it already was. */
    boolean markLive(int slot) {
        return flipLive(slot, true);
    }

    /** Marks the slot not live; false if it was not live (a double free). */
    boolean clearLive(int slot) {
        return flipLive(slot, false);
    }

    private boolean flipLive(int slot, boolean toLive) {
        int word = slot >>> 6;
        long bit = 1L << slot;
        while (true) {
            long bits = (long) BITS.getVolatile(live, word);
            if (((bits & bit) != 0) == toLive) {
                return false;
            }
            if (BITS.compareAndSet(live, word, bits, bits ^ bit)) {
                return true;
            }
        }
    }
}
