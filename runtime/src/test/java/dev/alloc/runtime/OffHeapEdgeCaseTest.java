package dev.alloc.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.alloc.runtime.report.Log;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The bridge's answers to sizes and reallocations at the edges, in this JVM (issue 10's bugs):
 * the JDK's own checks come first and the agent keeps every block the JDK or libc keeps.
 */
class OffHeapEdgeCaseTest {
    private static final long TIB = 1L << 40;

    @BeforeAll
    static void install() {
        synchronized (OffHeap.class) {
            if (OffHeap.settings() == null) {
                OffHeap.install(Settings.builder().log(Log.QUIET).build());
            }
        }
    }

    private static long used() {
        return OffHeap.limiter().used(Limiter.TOTAL);
    }

    @Test
    void reallocateToANegativeSizeThrowsAndKeepsTheBlock() {
        long block = OffHeap.allocate(Kind.UNSAFE, 1_999_993);
        long before = used();
        try {
            assertThrows(IllegalArgumentException.class, () -> OffHeap.reallocate(Kind.UNSAFE, block, -1));
            assertThrows(IllegalArgumentException.class, () -> OffHeap.reallocate(Kind.UNSAFE, block, Long.MAX_VALUE));
            assertEquals(before, used());
            assertEquals(1_999_993, BlockInfo.size(OffHeap.infoOfLive(block)), "the block is still tracked");
        } finally {
            OffHeap.free(block, SiteRegistry.FREED_EXPLICITLY);
        }
        assertEquals(before - 1_999_993, used());
    }

    @Test
    void sizesTheJdkRefusesGetTheJdkException() {
        long before = used();
        assertThrows(IllegalArgumentException.class, () -> OffHeap.allocate(Kind.UNSAFE, Long.MAX_VALUE));
        assertThrows(IllegalArgumentException.class, () -> OffHeap.allocate(Kind.UNSAFE, -1));
        OffHeap.limiter().setLimit(Limiter.TOTAL, 1L << 30);
        try {
            assertThrows(IllegalArgumentException.class, () -> OffHeap.allocate(Kind.UNSAFE, Long.MAX_VALUE));
        } finally {
            OffHeap.limiter().setLimit(Limiter.TOTAL, 0);
        }
        assertEquals(before, used());
    }

    @Test
    void aRefusedLibcReallocKeepsTheBlockCounted() {
        long block = SystemMemory.allocate(1000); // as if from libc malloc through a downcall
        long token = MallocHooks.beforeMalloc(1000);
        MallocHooks.afterMalloc(null, block, token, 1000);
        long before = used();
        try {
            long realloc = MallocHooks.beforeRealloc(block, -1); // size_t 2^64 - 1: libc answers NULL
            MallocHooks.afterRealloc(null, 0, realloc, block, -1);
            assertEquals(before, used());
            assertEquals(1000, BlockInfo.size(OffHeap.table().get(block)));
        } finally {
            long info = MallocHooks.beforeFree(block);
            SystemMemory.free(block);
            MallocHooks.afterFree(null, info, block);
        }
        assertEquals(before - 1000, used());
    }

    @Test
    void aBlockAboveATebibyteReleasesWhatItReserved() {
        long before = used();
        long size = 2 * TIB + 3;
        long fakeAddress = 0x7000_0000_0010L; // never touched: only the accounting runs
        long token = OffHeap.core().reserve(Kind.MALLOC, size);
        OffHeap.core().commit(token, Kind.MALLOC, fakeAddress, size);
        assertEquals(before + BlockInfo.accounted(size), used());
        long info = OffHeap.core().forget(fakeAddress);
        assertNotEquals(BlockInfo.MISSING, info);
        OffHeap.core().released(fakeAddress, info, SiteRegistry.FREED_EXPLICITLY);
        assertEquals(before, used());
    }

    /**
     * The install-time state is published whole: the hooks read one volatile reference to the
     * core, whose fields are all final (a missing happens-before cannot be provoked reliably on
     * x86, so the guarantee itself is checked).
     */
    @Test
    void theCoreIsPublishedWhole() throws Exception {
        assertTrue(java.lang.reflect.Modifier.isVolatile(OffHeap.class.getDeclaredField("core").getModifiers()));
        for (java.lang.reflect.Field field : Accounting.class.getDeclaredFields()) {
            if (!java.lang.reflect.Modifier.isStatic(field.getModifiers())) {
                assertTrue(java.lang.reflect.Modifier.isFinal(field.getModifiers()), field.getName());
            }
        }
    }
}
