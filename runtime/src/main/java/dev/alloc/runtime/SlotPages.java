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
 * alone claims slots: it pops a slot from the page's free stack and writes info, time and, last
 * with release semantics, the address, with plain stores. Any thread frees a slot by a CAS of
 * its address to 0: the one CAS that succeeds decides which free releases the block (a racing
 * double free loses). The holder pushes the slots it frees itself back on the stack; slots
 * freed by other threads are found when the stack runs empty and the holder rescans the page.
 * A page with fewer than 1/8 of its slots free goes back to the spare pages, and the thread
 * takes a spare one with at least 1/4 free, or a new one (under the lock: a slow path, at most
 * once per 32 allocations). Pages of threads that ended become spare at the next sweep.
 *
 * <h2>Slot states</h2>
 * 0 free; the block's (16-aligned) address: live; address | 1: taken out by a resize, which puts
 * the address back, moves the slot to the block's new address, or frees it.
 *
 * <h2>Invariants</h2>
 * <ul>
 *   <li>A live headed block's address is in exactly one slot, the one its header names.</li>
 *   <li>Only a page's holder turns a slot from 0 to an address, and only a slot it saw at 0:
 *       the free stack holds slots that were 0 when pushed or rescanned, and nobody else can
 *       fill them meanwhile.</li>
 *   <li>A page changes holder only under the lock, and its old holder is gone from it (gave it
 *       up there, or ended: {@code isAlive()} false orders its writes before the new holder's).</li>
 * </ul>
 */
final class SlotPages {
    static final int SLOT_BITS = 8;
    static final int SLOTS = 1 << SLOT_BITS;
    private static final int KEEP_BELOW = SLOTS / 8;
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
        /** Slots the holder may claim: {@code free[0..top)}. The holder's alone. */
        final int[] free = new int[SLOTS];
        int top;
        /** The thread holding the page, null for a spare page. Under the lock. */
        Thread holder;

        Page(SlotPages pages, int id) {
            this.pages = pages;
            this.id = id;
        }

        /** Claims a slot for a new block (holder only; {@link #top} above 0) and returns its ref. */
        @ForceInline
        int claim(long address, long info, int stamp) {
            int slot = free[--top];
            infos[slot] = info;
            stamps[slot] = stamp;
            ADDRESSES.setRelease(addresses, slot, address);
            return id << SLOT_BITS | slot;
        }

        /** Rebuilds the free stack from the slots at 0; returns how many there are. */
        int rescan() {
            int found = 0;
            for (int slot = 0; slot < SLOTS; slot++) {
                if ((long) ADDRESSES.getAcquire(addresses, slot) == 0) {
                    free[found++] = slot;
                }
            }
            top = found;
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

    /** After {@link #take} to 0: the holder's own frees go back on its stack at once. */
    @ForceInline
    static void freed(SiteContext context, Page page, int ref) {
        if (context.page == page) {
            page.free[page.top++] = ref & (SLOTS - 1);
        }
    }

    /**
     * A page with a free slot for the thread of {@code context}, which has none (no page, or an
     * empty stack): its own page rescanned, or another.
     */
    @DontInline
    Page refill(SiteContext context) {
        Page own = context.page;
        if (own != null && own.pages == this && own.rescan() >= KEEP_BELOW) {
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
            if (candidate != old && candidate.rescan() >= ADOPT_FROM) {
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
        fresh.rescan();
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
