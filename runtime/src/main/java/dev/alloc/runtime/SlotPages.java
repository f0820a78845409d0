package dev.alloc.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import jdk.internal.vm.annotation.ForceInline;
import jdk.internal.vm.annotation.DontInline;

/**
 * Where every block with a {@link BlockHeader} is registered: one slot in a page of
 * {@value #SLOTS}, named by the header, holding the block's address, info and allocation time.
 * A free finds the slot from the header in O(1) (no hashing, no probing), and the periodic scan
 * of live blocks (the oldest live age per site) walks the pages.
 *
 * <h2>Algorithm</h2>
 * Each page is held by one platform thread at a time (its {@link SiteContext#page}), which
 * alone claims slots: a cursor walks round the page, and the slot under it, if free, takes
 * info, time and, last with release semantics, the address, with plain stores. Any thread frees
 * a slot by a CAS of its address to 0: the one CAS that succeeds decides which free releases
 * the block (a racing double free loses); a free writes nothing else. Blocks freed soon after
 * they were allocated (the common case) leave the slots behind the cursor free by the time it
 * comes round again. When the cursor meets a live slot the holder looks ahead for a free one;
 * if it has to skip more than half the page, the page goes back to the spare pages and the
 * thread takes a spare one with at least 1/4 free, or a new one (under the lock: a slow path).
 * Pages of threads that ended become spare at the next sweep.
 *
 * <h2>Slot states</h2>
 * 0 free; the block's (16-aligned) address: live; address | 1: taken out by a resize, which puts
 * the address back, moves the slot to the block's new address, or frees it.
 *
 * <h2>Invariants</h2>
 * <ul>
 *   <li>A live headed block's address is in exactly one slot, the one its header names.</li>
 *   <li>Only a page's holder turns a slot from 0 to an address, and only a slot it has just
 *       read at 0 (nobody else can fill it meanwhile).</li>
 *   <li>A page changes holder only under the lock, and its old holder is gone from it (gave it
 *       up there, or ended: {@code isAlive()} false orders its writes before the new holder's).</li>
 * </ul>
 */
final class SlotPages {
    static final int SLOT_BITS = 8;
    static final int SLOTS = 1 << SLOT_BITS;
    /** A holder that would skip more live slots than this to find a free one gives the page up. */
    private static final int CROWDED = SLOTS / 2;
    private static final int ADOPT_FROM = SLOTS / 4;
    /** Spare pages looked at per exchange (round robin), so an exchange stays bounded. */
    private static final int CANDIDATES = 4;
    private static final int SWEEP_EVERY = 64;
    private static final VarHandle ADDRESSES = MethodHandles.arrayElementVarHandle(long[].class);

    /** One page of slots; see the class comment for who writes what. */
    static final class Page {
        final SlotPages pages;
        final int id;
        final long[] addresses = new long[SLOTS];
        final long[] infos = new long[SLOTS];
        final int[] stamps = new int[SLOTS];
        /** The slot the holder claims next if it is free. The holder's alone. */
        int cursor;
        /** The thread holding the page, null for a spare page. Under the lock. */
        Thread holder;

        Page(SlotPages pages, int id) {
            this.pages = pages;
            this.id = id;
        }

        /** Whether the slot under the cursor is free (holder only). */
        @ForceInline
        boolean ready() {
            return addresses[cursor] == 0;
        }

        /** Claims the slot under the cursor, which is free ({@link #ready}), for a new block; returns its ref. */
        @ForceInline
        int claim(long address, long info, int stamp) {
            int slot = cursor;
            cursor = (slot + 1) & (SLOTS - 1);
            infos[slot] = info;
            stamps[slot] = stamp;
            ADDRESSES.setRelease(addresses, slot, address);
            return id << SLOT_BITS | slot;
        }

        /**
         * Moves the cursor to the next free slot, skipping at most {@link #CROWDED} live ones;
         * false if the page is more crowded than that.
         */
        boolean advance() {
            for (int skipped = 0; skipped <= CROWDED; skipped++) {
                int slot = (cursor + skipped) & (SLOTS - 1);
                if ((long) ADDRESSES.getAcquire(addresses, slot) == 0) {
                    cursor = slot;
                    return true;
                }
            }
            return false;
        }

        /** Free slots now (a racing free may add one). */
        int free() {
            int found = 0;
            for (int slot = 0; slot < SLOTS; slot++) {
                found += (long) ADDRESSES.getAcquire(addresses, slot) == 0 ? 1 : 0;
            }
            return found;
        }
    }

    /** Pages by id; replaced whole when it grows (under the lock), read without it. */
    private volatile Page[] pages = new Page[16];
    private int count;
    private Page[] spares = new Page[16];
    private int spareCount;
    private int cursor;
    private int exchanges;

    /** The page of {@code ref}, or null if no page has that id. */
    @ForceInline
    Page page(int ref) {
        Page[] all = pages;
        int id = ref >>> SLOT_BITS;
        return id < all.length ? all[id] : null;
    }

    /** The slot's address becomes {@code replacement} if it is {@code expected}: the one winner of a free or resize. */
    @ForceInline
    static boolean take(Page page, int ref, long expected, long replacement) {
        return ADDRESSES.compareAndSet(page.addresses, ref & (SLOTS - 1), expected, replacement);
    }

    /** Whether the slot of {@code ref} holds {@code address} (a live block). */
    static boolean holds(Page page, int ref, long address) {
        return (long) ADDRESSES.getAcquire(page.addresses, ref & (SLOTS - 1)) == address;
    }

    /** Puts a slot taken by {@link #take} (to address | 1) back to {@code address}, with its new info and time. */
    static void settle(Page page, int ref, long address, long info, int stamp) {
        int slot = ref & (SLOTS - 1);
        page.infos[slot] = info;
        page.stamps[slot] = stamp;
        ADDRESSES.setRelease(page.addresses, slot, address);
    }

    /**
     * A page whose cursor is on a free slot, for the thread of {@code context}, whose page has
     * none there (or which has no page): its own page, if not crowded, or another.
     */
    @DontInline
    Page refill(SiteContext context) {
        Page own = context.page;
        if (own != null && own.pages == this && own.advance()) {
            return own;
        }
        Page page = exchange(own != null && own.pages == this ? own : null, Thread.currentThread());
        context.page = page;
        return page;
    }

    private synchronized Page exchange(Page old, Thread thread) {
        if (old != null) {
            old.holder = null;
            addSpare(old);
        }
        if (++exchanges % SWEEP_EVERY == 0) {
            sweepEnded();
        }
        for (int tried = 0; tried < CANDIDATES && spareCount > 0; tried++) {
            int index = cursor++ % spareCount;
            Page candidate = spares[index];
            if (candidate != old && candidate.free() >= ADOPT_FROM && candidate.advance()) {
                spares[index] = spares[--spareCount];
                spares[spareCount] = null;
                candidate.holder = thread;
                return candidate;
            }
        }
        Page fresh = new Page(this, count);
        Page[] all = pages;
        if (count == all.length) {
            all = java.util.Arrays.copyOf(all, count * 2);
        }
        all[count++] = fresh;
        pages = all; // published after the page is in it
        fresh.holder = thread;
        return fresh;
    }

    private void addSpare(Page page) {
        if (spareCount == spares.length) {
            spares = java.util.Arrays.copyOf(spares, spareCount * 2);
        }
        spares[spareCount++] = page;
    }

    /** Pages whose holder ended become spare. */
    private void sweepEnded() {
        Page[] all = pages;
        for (int i = 0; i < count; i++) {
            Thread holder = all[i].holder;
            if (holder != null && !holder.isAlive()) {
                all[i].holder = null;
                addSpare(all[i]);
            }
        }
    }

    /** Visits every live block; one resized or freed during the scan may be missed or seen with its old info. */
    void forEach(AddressTable.Visitor visitor) {
        Page[] all = pages;
        for (Page page : all) {
            if (page == null) {
                break;
            }
            for (int slot = 0; slot < SLOTS; slot++) {
                long address = (long) ADDRESSES.getAcquire(page.addresses, slot);
                if (address != 0 && (address & 1) == 0) {
                    visitor.visit(address, page.infos[slot], AddressTable.millis(page.stamps[slot]));
                }
            }
        }
    }

    /** Pages made so far (for tests and statistics). */
    synchronized int pageCount() {
        return count;
    }

    /** Live blocks registered here (for tests and statistics). */
    int live() {
        int live = 0;
        for (Page page : pages) {
            for (int slot = 0; page != null && slot < SLOTS; slot++) {
                long address = (long) ADDRESSES.getAcquire(page.addresses, slot);
                live += address != 0 && (address & 1) == 0 ? 1 : 0;
            }
        }
        return live;
    }
}
