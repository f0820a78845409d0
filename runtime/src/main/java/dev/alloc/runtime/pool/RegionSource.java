package dev.alloc.runtime.pool;

import dev.alloc.runtime.SystemMemory;

/**
 * Where a pool's raw memory comes from: whole chunks, taken and given back. Injectable so that
 * tests can run the pools without the agent's access to {@code jdk.internal.misc}.
 */
public interface RegionSource {
    /** The system allocator. glibc serves a chunk-sized request with its own mapping and unmaps it on free. */
    RegionSource SYSTEM = new RegionSource() {
        @Override
        public long reserve(long bytes) {
            return SystemMemory.allocate(bytes);
        }

        @Override
        public void release(long address, long bytes) {
            SystemMemory.free(address);
        }
    };

    /** Returns the address of {@code bytes} bytes, or 0 (or throws {@link OutOfMemoryError}) if there are none. */
    long reserve(long bytes);

    void release(long address, long bytes);

    /**
     * Gives the pages of {@code [address, address + bytes)}, inside a chunk the caller holds and
     * does not use, back to the operating system, keeping the range; they read as zeros later.
     * Does nothing where the source cannot (the system allocator's memory).
     */
    default void dropPages(long address, long bytes) {
    }

    /** Whether {@link #reserve} is mere bookkeeping (no malloc, no mmap), so that it may be called under a lock. */
    default boolean reservesWithoutSystemCall() {
        return false;
    }

    /** Whether {@link #dropPages} does anything, so that pools note dirty pages only where they can be dropped. */
    default boolean canDropPages() {
        return false;
    }

    /**
     * Whether {@code address} lies in memory this source handed out at some time, released or
     * not, so that it cannot be a system block: a free there is a stale free, never one for
     * libc. False when the source cannot tell (the system allocator reuses what it got back).
     */
    default boolean everHeld(long address) {
        return false;
    }
}
