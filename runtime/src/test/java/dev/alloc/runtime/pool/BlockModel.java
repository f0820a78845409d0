package dev.alloc.runtime.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The reference model of a pool's live blocks, shared by all test threads: their extents
 * (start to start + usable size), which must never overlap, and a pattern in each block's
 * first and last eight bytes, which must be intact until it is freed.
 *
 * <p>Overlap is checked after inserting, against both neighbours: of two overlapping blocks
 * inserted concurrently, the one inserted second sees the first.
 */
final class BlockModel {
    private final ConcurrentSkipListMap<Long, Long> ends = new ConcurrentSkipListMap<Long, Long>();

    /** Records a block just allocated and writes its pattern, over its whole usable size. */
    void add(long address, long usable) {
        long end = address + usable;
        assertTrue(ends.putIfAbsent(address, end) == null, () -> "address handed out twice: " + address);
        Map.Entry<Long, Long> below = ends.lowerEntry(address);
        if (below != null && below.getValue() > address) {
            fail("block " + address + ".." + end + " overlaps " + below.getKey() + ".." + below.getValue());
        }
        Map.Entry<Long, Long> above = ends.higherEntry(address);
        if (above != null && above.getKey() < end) {
            fail("block " + address + ".." + end + " overlaps " + above.getKey() + ".." + above.getValue());
        }
        writePattern(address, usable);
    }

    /** Checks the pattern and forgets the block; call before freeing it. */
    void remove(long address, long usable) {
        checkPattern(address, usable);
        assertTrue(ends.remove(address) != null, () -> "not in the model: " + address);
    }

    int size() {
        return ends.size();
    }

    /** Usable sizes are at least 16, so head and tail never overlap. */
    static void checkPattern(long address, long usable) {
        assertEquals(pattern(address, 0), UnsafeMemory.getLong(address), () -> "head overwritten at " + address);
        assertEquals(pattern(address, usable), UnsafeMemory.getLong(address + usable - 8),
                () -> "tail overwritten at " + address);
    }

    private static void writePattern(long address, long usable) {
        UnsafeMemory.putLong(address, pattern(address, 0));
        UnsafeMemory.putLong(address + usable - 8, pattern(address, usable));
    }

    private static long pattern(long address, long salt) {
        long x = (address ^ salt) * 0x9E3779B97F4A7C15L;
        return x ^ (x >>> 31);
    }
}
