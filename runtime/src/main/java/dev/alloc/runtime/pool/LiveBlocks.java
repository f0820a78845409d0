package dev.alloc.runtime.pool;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Which blocks of one chunk the application holds: one bit per 16-byte granule, set at the
 * granule where a live block starts. The pools' front end ({@link RegionAllocator}) sets it
 * when it hands a block out and clears it when the block is freed, both by compare-and-set,
 * so of two racing frees of one block exactly one wins, and a free of a block that sits in a
 * thread cache (allocated in the strategy, but not live) or of an interior address finds the
 * bit clear and is reported, whatever the strategy underneath does.
 *
 * <p>Cost: 1/128 of the chunk on the Java heap (32 KiB for 4 MiB). A word covers 1 KiB of the
 * chunk, so threads contend on it only for blocks that neighbour each other.
 */
final class LiveBlocks {
    private static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);
    static final int GRANULE_SHIFT = 4;

    private final long[] words;

    LiveBlocks(long chunkBytes) {
        words = new long[(int) Math.max(1, chunkBytes >>> (GRANULE_SHIFT + 6))];
    }

    /** Marks the block at {@code offset} live; false if it already was. */
    boolean markLive(long offset) {
        return flip(offset, true);
    }

    /** Marks the block at {@code offset} not live; false if it was not live (a double or interior free). */
    boolean clearLive(long offset) {
        return flip(offset, false);
    }

    boolean isLive(long offset) {
        long granule = offset >>> GRANULE_SHIFT;
        return ((long) WORDS.getVolatile(words, (int) (granule >>> 6)) & (1L << granule)) != 0;
    }

    private boolean flip(long offset, boolean toLive) {
        if ((offset & ((1 << GRANULE_SHIFT) - 1)) != 0) {
            return false;
        }
        long granule = offset >>> GRANULE_SHIFT;
        int word = (int) (granule >>> 6);
        long bit = 1L << granule;
        while (true) {
            long bits = (long) WORDS.getVolatile(words, word);
            if (((bits & bit) != 0) == toLive) {
                return false;
            }
            if (WORDS.compareAndSet(words, word, bits, bits ^ bit)) {
                return true;
            }
        }
    }
}
