package dev.alloc.runtime.pool;

/**
 * The size classes of the slab and arena allocators: slots of 16 to 128 bytes in steps of 16,
 * then four classes per doubling (jemalloc's spacing: at most 25% internal waste) up to
 * 16 KiB. Larger requests are runs of whole pages.
 *
 * <p>An alignment above 16 rounds the request up to a power-of-two class of at least the
 * alignment. Slabs start on a page, so slot {@code i} of such a class starts at a multiple of
 * {@code min(slotSize, 4096)}: aligned, without padding or a second lookup.
 */
final class SizeClasses {
    static final long SMALL_MAX = 16384;
    static final int COUNT = 36;
    private static final int[] SLOT_SIZE = new int[COUNT];

    static {
        for (int i = 0; i < 8; i++) {
            SLOT_SIZE[i] = 16 * (i + 1);
        }
        for (int i = 8; i < COUNT; i++) {
            int doubling = 128 << ((i - 8) / 4);
            SLOT_SIZE[i] = doubling + (doubling / 4) * ((i - 8) % 4 + 1);
        }
    }

    private SizeClasses() {
    }

    /** The class serving {@code size} bytes at {@code alignment}, or -1 if it takes a run of pages. */
    static int classOf(long size, long alignment) {
        long bytes = size;
        if (alignment > NativeAllocator.MIN_ALIGNMENT) {
            bytes = Long.highestOneBit(Math.max(size, alignment) - 1) << 1;
        }
        if (bytes > SMALL_MAX) {
            return -1;
        }
        if (bytes <= 128) {
            return (int) ((bytes + 15) >>> 4) - 1;
        }
        int log = 63 - Long.numberOfLeadingZeros(bytes - 1);
        return 8 + (log - 7) * 4 + (int) ((bytes - 1 - (1L << log)) >>> (log - 2));
    }

    static int slotSize(int sizeClass) {
        return SLOT_SIZE[sizeClass];
    }

    /** Pages per slab: at least 4, and room for at least 8 slots. */
    static int slabPages(int sizeClass) {
        long bytes = Math.max(4 * ChunkedRegion.PAGE_SIZE, 8L * SLOT_SIZE[sizeClass]);
        return (int) ((bytes + ChunkedRegion.PAGE_SIZE - 1) >>> ChunkedRegion.PAGE_SHIFT);
    }

    static int pagesFor(long size) {
        return (int) ((size + ChunkedRegion.PAGE_SIZE - 1) >>> ChunkedRegion.PAGE_SHIFT);
    }

    /** The usable size of the block that serves {@code size} bytes at {@code alignment}. */
    static long blockSize(long size, long alignment) {
        int sizeClass = classOf(size, alignment);
        return sizeClass >= 0 ? SLOT_SIZE[sizeClass] : (long) pagesFor(size) << ChunkedRegion.PAGE_SHIFT;
    }
}
