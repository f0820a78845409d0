package dev.alloc.runtime.pool;

import dev.alloc.runtime.VirtualThreads;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One thread's front end to a pool (glibc's tcache, mimalloc's per-thread free lists, Netty's
 * PoolThreadCache): per size class a small stack of free blocks, and the thread's own counters.
 *
 * <p>Only the owning thread touches the stacks while it is alive, so a hit is a few plain
 * loads and stores on lines no other thread writes. A cached block is allocated in the
 * strategy underneath (so its chunk stays committed) but not live: its bit in the chunk's
 * {@link LiveBlocks} is clear, which is how a double free of it is caught. Another thread
 * reaches the stacks only when the owner is dead ({@link #ownerDied()}: a thread's termination
 * happens-before {@code isAlive()} returning false), to flush them.
 *
 * <p>Counters: written by the owner only, with opaque writes (whole longs, no fence), read by
 * anyone summing them; a thread's allocation and another's free of the same block land in
 * different cells, and the sum is exact once both are done.
 *
 * <p>A virtual thread uses its carrier's cache (see {@link RegionAllocator} and {@link Carriers}):
 * the owner is then the carrier, and the virtual threads mounted on it in turn are the cache's
 * only users. Where carriers cannot be told (JDK 17–20, or without the agent's exports), a
 * virtual thread gets a cache of its own with no stacks ({@link #cachesBlocks} false), only
 * counters: there may be millions of them, each living briefly, and nothing tells a pool when
 * one ends; memory parked per virtual thread would be unbounded. Its blocks go to the strategy.
 */
final class ThreadCache {
    private static final VarHandle COUNTER = MethodHandles.arrayElementVarHandle(long[].class);
    /** The counters sit mid-array: 56 bytes of it before them, 48 after, so no other object shares their line. */
    static final int ALLOCATIONS = 7;
    static final int FREES = 8;
    static final int IN_USE = 9;
    /** Bytes a class's stack may hold, so big classes keep few blocks; and the bounds on the count. */
    private static final int BYTES_PER_CLASS = 32 << 10;
    private static final int MIN_BLOCKS = 2;
    private static final int MAX_BLOCKS = 32;

    /** The thread's home in the strategy (arena, shard, starting chunk), assigned round-robin. */
    final int home;
    final boolean cachesBlocks;
    /** The owner (a carrier, for virtual threads' caches); strong, so that the pool's thread-indexed table can recognise it (dropped with the cache once it died). */
    final Thread owner;
    private final long[][] stacks = new long[SizeClasses.COUNT][];
    private final int[] counts = new int[SizeClasses.COUNT];
    /** allocations, frees, bytes in use; padded so that two threads' cells never share a line. */
    private final long[] counters = new long[16];
    /** The drain request this thread last obeyed (see {@link RegionAllocator}). */
    int drainSeen;

    ThreadCache(int home, int drainEpoch, Thread owner) {
        this.home = home;
        this.owner = owner;
        cachesBlocks = !VirtualThreads.isVirtual(owner);
        drainSeen = drainEpoch;
    }

    static int capacity(int sizeClass) {
        return Math.max(MIN_BLOCKS, Math.min(MAX_BLOCKS, BYTES_PER_CLASS / SizeClasses.slotSize(sizeClass)));
    }

    /** A cached block of {@code sizeClass}, taken off the stack, or 0. Owner only. */
    long pop(int sizeClass) {
        int count = counts[sizeClass];
        if (count == 0) {
            return 0;
        }
        counts[sizeClass] = --count;
        return stacks[sizeClass][count];
    }

    /** Keeps a free block; false when the class's stack is full (or this thread caches nothing). Owner only. */
    boolean push(int sizeClass, long address) {
        long[] stack = stacks[sizeClass];
        if (stack == null) {
            if (!cachesBlocks) {
                return false;
            }
            stack = stacks[sizeClass] = new long[capacity(sizeClass)];
        }
        int count = counts[sizeClass];
        if (count == stack.length) {
            return false;
        }
        stack[count] = address;
        counts[sizeClass] = count + 1;
        return true;
    }

    /** Room for {@code n} more blocks of {@code sizeClass}: the stack, created if needed; null if none. Owner only. */
    long[] stackFor(int sizeClass) {
        if (!cachesBlocks) {
            return null;
        }
        if (stacks[sizeClass] == null) {
            stacks[sizeClass] = new long[capacity(sizeClass)];
        }
        return stacks[sizeClass];
    }

    int count(int sizeClass) {
        return counts[sizeClass];
    }

    void setCount(int sizeClass, int count) {
        counts[sizeClass] = count;
    }

    /** Hands every cached block to {@code sink} and empties the stacks. Owner, or anyone once the owner died. */
    void flush(BlockSink sink) {
        for (int sizeClass = 0; sizeClass < SizeClasses.COUNT; sizeClass++) {
            int count = counts[sizeClass];
            if (count > 0) {
                counts[sizeClass] = 0;
                sink.giveBack(stacks[sizeClass], 0, count);
            }
        }
    }

    /** Where flushed blocks go: the strategy, which takes them back as free. */
    interface BlockSink {
        void giveBack(long[] addresses, int from, int count);
    }

    void count(int counter, long delta) {
        COUNTER.setOpaque(counters, counter, (long) COUNTER.getOpaque(counters, counter) + delta);
    }

    long counter(int counter) {
        return (long) COUNTER.getOpaque(counters, counter);
    }

    boolean ownerDied() {
        return !owner.isAlive();
    }
}
