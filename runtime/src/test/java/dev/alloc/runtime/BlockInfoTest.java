package dev.alloc.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BlockInfoTest {
    private static final long TIB = 1L << 40;

    @Test
    void sizesBelow512GiBAreKeptToTheByte() {
        for (long size : new long[] {1, 1_999_993, TIB / 2 - 1}) {
            long info = BlockInfo.pack(size, Kind.MALLOC, BlockInfo.MAX_SITE);
            assertEquals(size, BlockInfo.size(info));
            assertEquals(size, BlockInfo.accounted(size));
            assertEquals(Kind.MALLOC, BlockInfo.kind(info));
            assertEquals(BlockInfo.MAX_SITE, BlockInfo.site(info));
        }
    }

    @Test
    void largerSizesComeBackAsTheyWereAccountedNeverClamped() {
        for (long size : new long[] {TIB / 2, TIB + 1, 2 * TIB + 3, 100 * TIB + 12_345, BlockInfo.MAX_SIZE}) {
            long accounted = BlockInfo.accounted(size);
            long info = BlockInfo.pack(size, Kind.UNSAFE, 77_777);
            assertEquals(accounted, BlockInfo.size(info), "released must equal reserved for " + size);
            assertTrue(accounted >= size && accounted - size < 128 * 1024, size + " -> " + accounted);
            assertEquals(Kind.UNSAFE, BlockInfo.kind(info));
            assertEquals(77_777, BlockInfo.site(info));
            assertTrue(info >= 0 && info != BlockInfo.MISSING);
        }
        assertEquals(2 * TIB + 128 * 1024, BlockInfo.accounted(2 * TIB + 3));
    }

    @Test
    void sizesTheJdkRefusesAreNotTracked() {
        assertFalse(BlockInfo.trackable(0));
        assertFalse(BlockInfo.trackable(-1));
        assertFalse(BlockInfo.trackable(Long.MAX_VALUE));
        assertFalse(BlockInfo.trackable(Long.MAX_VALUE - 7));
        assertTrue(BlockInfo.trackable(3 * TIB));
    }
}
