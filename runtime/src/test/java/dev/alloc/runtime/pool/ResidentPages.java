package dev.alloc.runtime.pool;

import java.util.BitSet;

/**
 * A {@link RegionSource} of address space only, for fragmentation models: chunks are numbers
 * handed out from 2^40 up (the strategies keep their bookkeeping on the Java heap and never
 * touch a chunk's bytes), and a page counts as resident from the moment a block covering it is
 * handed out ({@link #touch}, as the JDK's zeroing of a direct buffer does) until the pool
 * drops it or releases its chunk. So the peak of {@link #residentBytes} is what peak RSS would
 * be, without a byte of memory.
 */
final class ResidentPages implements RegionSource {
    private static final long BASE = 1L << 40;
    private final BitSet resident = new BitSet();
    private long next = BASE;
    private long pages;

    @Override
    public long reserve(long bytes) {
        long address = next;
        next += bytes + ChunkedRegion.PAGE_SIZE;
        return address;
    }

    @Override
    public void release(long address, long bytes) {
        dropPages(address, bytes);
    }

    @Override
    public void dropPages(long address, long bytes) {
        set(address, address + bytes, false);
    }

    @Override
    public boolean reservesWithoutSystemCall() {
        return true;
    }

    @Override
    public boolean canDropPages() {
        return true;
    }

    /** The pages of {@code [address, address + bytes)} were written. */
    void touch(long address, long bytes) {
        set(address, address + bytes, true);
    }

    long residentBytes() {
        return pages << ChunkedRegion.PAGE_SHIFT;
    }

    private void set(long from, long to, boolean value) {
        int first = (int) ((from - BASE) >>> ChunkedRegion.PAGE_SHIFT);
        int end = (int) ((to - BASE + ChunkedRegion.PAGE_SIZE - 1) >>> ChunkedRegion.PAGE_SHIFT);
        for (int page = first; page < end; page++) {
            if (resident.get(page) != value) {
                resident.set(page, value);
                pages += value ? 1 : -1;
            }
        }
    }
}
