package dev.alloc.runtime.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Best fit over a chunk's pages: the smallest free run that holds a request, the lowest of equal ones. */
class PageAllocatorTest {
    @Test
    void takesTheSmallestRunThatFits() {
        PageAllocator pages = new PageAllocator(64);
        // Runs 0-9 (10 pages), 10-12 (3), 13-19 (7), 20-22 (3), 23-63 (41); then free 0, 13 and 23's neighbours apart.
        assertEquals(0, pages.allocate(10));
        assertEquals(10, pages.allocate(3));
        assertEquals(13, pages.allocate(7));
        assertEquals(20, pages.allocate(3));
        assertEquals(23, pages.allocate(1)); // a fence: keeps page 24 on apart from the free runs below
        assertEquals(10, pages.free(0));
        assertEquals(7, pages.free(13));
        assertEquals(3, pages.free(20));
        // Free now: 0-9 (10), 13-22 (10: 13-19 and 20-22 merged), 24-63 (40).
        assertEquals(0, pages.allocate(9), "the lowest of two 10-page runs");
        assertEquals(-1L, pages.bestFit(41));
        assertEquals(13, pages.allocate(10), "exact fit before the first free run that is big enough");
        assertEquals(9, pages.allocate(1), "the single page left at 9, not the 40-page run");
        assertEquals(24, pages.allocate(40));
        assertEquals(-1, pages.allocate(1));
    }

    @Test
    void knowsWhenNoRunCanServe() {
        PageAllocator pages = new PageAllocator(1024);
        for (int start = 0; start < 1024; start += 8) {
            assertEquals(start, pages.allocate(8));
        }
        for (int start = 0; start < 1024; start += 16) {
            assertEquals(8, pages.free(start)); // 64 holes of 8 pages: 512 pages free, none longer than 8
        }
        assertEquals(-1L, pages.bestFit(9));
        assertEquals(-1L, pages.bestFit(9), "the cached longest run answers the same");
        assertEquals((8L << 32) | 0, pages.bestFit(5));
        assertEquals(8, pages.free(8)); // 0-23 merge: a run of 24
        assertEquals((24L << 32) | 0, pages.bestFit(9), "a free makes the cache stale");
        assertEquals(32, pages.allocate(8), "exact fit at 32, not the 24-page run at 0");
    }
}
