package dev.alloc.runtime.pool;

import java.lang.ref.WeakReference;

/**
 * A thread's small stash of freed slots, per size class, so that a thread that frees and
 * allocates the same sizes does not take its arena's class lock each time (jemalloc's tcache,
 * Netty's PoolThreadCache). Cached slots stay taken in their slab and are not live.
 *
 * <p>The methods are synchronized although the owning thread is nearly always the only caller:
 * {@link #flush} is also called by other threads (trim, or when the owner died), and an
 * uncontended monitor is far cheaper than the arena lock it replaces under contention.
 */
final class ThreadCache {
    final int arena;
    private final WeakReference<Thread> owner;
    private final Slab[][] slabs = new Slab[SizeClasses.COUNT][];
    private final int[][] slots = new int[SizeClasses.COUNT][];
    private final int[] counts = new int[SizeClasses.COUNT];

    ThreadCache(int arena) {
        this.arena = arena;
        owner = new WeakReference<Thread>(Thread.currentThread());
    }

    /** Slots cached per class: more of the small ones, a few of the big ones. */
    private static int capacity(int sizeClass) {
        return SizeClasses.slotSize(sizeClass) <= 1024 ? 32 : 8;
    }

    /** Keeps a freed slot; false when this class's stash is full. */
    synchronized boolean offer(Slab slab, int slot) {
        int sizeClass = slab.sizeClass;
        if (slabs[sizeClass] == null) {
            slabs[sizeClass] = new Slab[capacity(sizeClass)];
            slots[sizeClass] = new int[capacity(sizeClass)];
        }
        int count = counts[sizeClass];
        if (count == slabs[sizeClass].length) {
            return false;
        }
        slabs[sizeClass][count] = slab;
        slots[sizeClass][count] = slot;
        counts[sizeClass] = count + 1;
        return true;
    }

    /** A cached slot of {@code sizeClass}, now live: its address, or 0 if none is cached. */
    synchronized long poll(int sizeClass) {
        int count = counts[sizeClass];
        if (count == 0) {
            return 0;
        }
        counts[sizeClass] = --count;
        Slab slab = slabs[sizeClass][count];
        slabs[sizeClass][count] = null;
        int slot = slots[sizeClass][count];
        slab.markLive(slot);
        return slab.address(slot);
    }

    /** Gives every cached slot back to {@code heap}. */
    synchronized void flush(SlabHeap heap) {
        for (int sizeClass = 0; sizeClass < counts.length; sizeClass++) {
            for (int i = 0; i < counts[sizeClass]; i++) {
                heap.giveBack(slabs[sizeClass][i], slots[sizeClass][i]);
                slabs[sizeClass][i] = null;
            }
            counts[sizeClass] = 0;
        }
    }

    boolean ownerDied() {
        Thread thread = owner.get();
        return thread == null || !thread.isAlive();
    }
}
