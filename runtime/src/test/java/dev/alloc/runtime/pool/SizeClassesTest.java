package dev.alloc.runtime.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SizeClassesTest {

    @Test
    void everySizeGetsTheSmallestClassThatHoldsItAligned() {
        for (long alignment = 16; alignment <= 4096; alignment <<= 1) {
            for (long size = 1; size <= SizeClasses.SMALL_MAX; size++) {
                int sizeClass = SizeClasses.classOf(size, alignment);
                if (sizeClass < 0) {
                    assertTrue(alignment > 16 && Math.max(size, alignment) > SizeClasses.SMALL_MAX / 2);
                    continue;
                }
                int slot = SizeClasses.slotSize(sizeClass);
                assertTrue(slot >= size, "slot " + slot + " for " + size);
                assertEquals(0, slot % Math.min(alignment, 4096), "slot " + slot + " aligned to " + alignment);
                if (alignment == 16 && sizeClass > 0) {
                    assertTrue(SizeClasses.slotSize(sizeClass - 1) < size, "smallest class for " + size);
                }
            }
        }
        assertEquals(-1, SizeClasses.classOf(SizeClasses.SMALL_MAX + 1, 16));
    }
}
