package dev.alloc.runtime.pool;

import dev.alloc.runtime.SystemMemory;

/**
 * Chunks from the system allocator, as {@link RegionSource#SYSTEM}, that remembers the ranges
 * it gave back (the last {@value #REMEMBERED}), for JDKs without the FFM API. A stale free of a
 * block whose chunk was released then lies in a remembered range, and is caught instead of
 * reaching libc {@code free()} (which aborts the process on such a pointer).
 *
 * <p>The price: glibc may later hand part of a released range to someone else. A block the
 * agent tracked is recognised by its table entry and freed normally; only an untracked block
 * freed through the agent's hooks at such an address would be taken for a stale free (reported
 * and leaked, never a crash).
 */
final class RecordingSystemSource implements RegionSource {
    static final int REMEMBERED = 256;
    /** Pairs of start and end; replaced whole on change, so readers need no lock. */
    private volatile long[] released = new long[0];

    @Override
    public long reserve(long bytes) {
        long address = SystemMemory.allocate(bytes); // outside the lock: malloc may map memory
        if (address != 0) {
            synchronized (this) {
                forget(address, address + bytes);
            }
        }
        return address;
    }

    /** Remembered first, freed after, outside the lock: a reserve that gets the range back forgets it again. */
    @Override
    public void release(long address, long bytes) {
        synchronized (this) {
            remember(address, bytes);
        }
        SystemMemory.free(address);
    }

    private void remember(long address, long bytes) {
        forget(address, address + bytes);
        long[] old = released;
        int keep = Math.min(old.length, 2 * (REMEMBERED - 1));
        long[] next = new long[keep + 2];
        next[0] = address;
        next[1] = address + bytes;
        System.arraycopy(old, 0, next, 2, keep);
        released = next;
    }

    @Override
    public boolean everHeld(long address) {
        long[] ranges = released;
        for (int i = 0; i < ranges.length; i += 2) {
            if (address >= ranges[i] && address < ranges[i + 1]) {
                return true;
            }
        }
        return false;
    }

    /** Drops remembered ranges overlapping {@code [start, end)}: that memory is live again. */
    private void forget(long start, long end) {
        long[] old = released;
        int count = 0;
        long[] next = new long[old.length];
        for (int i = 0; i < old.length; i += 2) {
            if (old[i + 1] <= start || old[i] >= end) {
                next[count++] = old[i];
                next[count++] = old[i + 1];
            }
        }
        if (count != old.length) {
            long[] trimmed = new long[count];
            System.arraycopy(next, 0, trimmed, 0, count);
            released = trimmed;
        }
    }
}
