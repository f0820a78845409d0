package dev.alloc.runtime.pool;

import dev.alloc.runtime.SiteContext;

/**
 * Chunks carved from one range of address space mapped once ({@code mmap}, no swap reserved,
 * pages committed on first touch); a released chunk's pages go back to the operating system
 * with {@code madvise(MADV_DONTNEED)} and its slot is reused by the next commit.
 *
 * <p>The range is never unmapped, not even when the pool closes: every address in it stays the
 * pool's for the life of the process, so a stale free of a block whose chunk was released is
 * still recognised ({@link #everHeld}) and can never reach libc {@code free()}.
 */
final class MappedRegionSource implements RegionSource {
    private final long base;
    private final long slotBytes;
    private final long mappedBytes;
    private final int[] freeSlots;
    private int freeCount;

    private MappedRegionSource(long base, long slotBytes, int slots) {
        this.base = base;
        this.slotBytes = slotBytes;
        this.mappedBytes = slotBytes * slots;
        freeSlots = new int[slots];
        for (int i = 0; i < slots; i++) {
            freeSlots[i] = slots - 1 - i;
        }
        freeCount = slots;
    }

    /** A source of {@code slots} chunks of {@code slotBytes}, or null if the range cannot be mapped. */
    static MappedRegionSource map(long slotBytes, int slots) {
        long bytes = slotBytes * slots;
        long address = LibcMappings.map(bytes);
        return address == 0 ? null : new MappedRegionSource(address, slotBytes, slots);
    }

    @Override
    public synchronized long reserve(long bytes) {
        if (bytes > slotBytes || freeCount == 0) {
            return 0;
        }
        return base + freeSlots[--freeCount] * slotBytes;
    }

    /** The pages go first, outside the lock: the slot is nobody's until it is listed free again. */
    @Override
    public void release(long address, long bytes) {
        dropPages(address, slotBytes);
        synchronized (this) {
            freeSlots[freeCount++] = (int) ((address - base) / slotBytes);
        }
    }

    /** A slot of the range mapped once: bookkeeping only. */
    @Override
    public boolean reservesWithoutSystemCall() {
        return true;
    }

    @Override
    public boolean canDropPages() {
        return true;
    }

    /** The downcall runs as agent work: nothing it touches may be tracked through the hooks. */
    @Override
    public void dropPages(long address, long bytes) {
        SiteContext context = SiteContext.current();
        boolean wasInAgent = context.enterAgent();
        try {
            LibcMappings.dropPages(address, bytes);
        } finally {
            context.exitAgent(wasInAgent);
        }
    }

    @Override
    public boolean everHeld(long address) {
        return Long.compareUnsigned(address - base, mappedBytes) < 0;
    }
}
