package dev.alloc.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.alloc.OffHeapLimitExceededError;
import dev.alloc.runtime.memory.RawMemory;
import dev.alloc.runtime.memory.SystemRawMemory;
import dev.alloc.runtime.report.Log;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Blocks of platform threads with a {@link BlockHeader} and a slot ({@link SlotPages}), on real
 * malloc'd memory, in-process: the header is found and trusted only when its slot holds the
 * address, the slot follows the block through resizes and frees on any thread, the JDK's answers
 * stay the JDK's, and nothing is left behind (used 0, no live slot, every malloc'd base freed
 * exactly once).
 */
class HeadedBlocksTest {
    private static final int UNSAFE = Kind.UNSAFE;

    @BeforeAll
    static void quiet() {
        Log.setLevel(Log.QUIET);
    }

    @AfterEach
    void unprime() {
        SiteContext.unprime();
    }

    @Test
    void aBlockCarriesItsInfoInFrontAndItsSlotGoesWithTheFree() throws Exception {
        onItsOwnThread(() -> {
            Core core = new Core(Settings.builder().limit(1L << 30));
            int site = core.site("app.Cache.grow(Cache.java:42)");
            SiteContext.prime(site);
            long block = core.accounting.allocate(UNSAFE, 1_999_993);
            assertEquals(0, block & 15, "16-byte aligned, as malloc's");
            assertEquals(1, core.memory.live.size());
            assertEquals(block - BlockHeader.SIZE, core.memory.live.keySet().iterator().next());
            assertEquals(1_999_993 + BlockHeader.SIZE, core.memory.live.get(block - BlockHeader.SIZE));
            assertTrue(core.accounting.headed(block));
            assertEquals(BlockInfo.MISSING, core.accounting.table.get(block), "no table entry");
            assertEquals(BlockInfo.pack(1_999_993, UNSAFE, site), core.accounting.infoOfLive(block));
            assertEquals(1_999_993, core.used());
            assertEquals(1_999_993, core.sites.counter(site, SiteRegistry.LIVE_BYTES));
            List<Long> seen = new ArrayList<>();
            core.accounting.forEachBlock((address, info, millis) -> seen.add(address));
            assertEquals(List.of(block), seen);
            SystemMemory.setMemory(block, 1_999_993, (byte) 0x5A); // every byte the program asked for is its own

            core.accounting.free(block, SiteRegistry.FREED_EXPLICITLY);
            assertEquals(1_999_993, core.sites.counter(site, SiteRegistry.FREED_EXPLICIT_BYTES));
            core.assertNothingLeft(site);
        });
    }

    @Test
    void aFreeOfMemoryTheAgentNeverSawPassesToLibcAsItIs() throws Exception {
        onItsOwnThread(() -> {
            Core core = new Core(Settings.builder().limit(1L << 30));
            long stranger = SystemMemory.allocate(4_099);
            assertFalse(core.accounting.headed(stranger));
            core.accounting.free(stranger, SiteRegistry.FREED_EXPLICITLY); // libc frees it: no crash, nothing counted
            assertEquals(List.of(stranger), List.copyOf(core.memory.untrackedFrees));
            core.assertNothingLeft();
        });
    }

    @Test
    void aHeaderIsTrustedOnlyWhenItsSlotHoldsTheAddress() throws Exception {
        onItsOwnThread(() -> {
            Core core = new Core(Settings.builder().limit(1L << 30));
            int site = core.site("app.Forge.copy(Forge.java:7)");
            SiteContext.prime(site);
            long real = core.accounting.allocate(UNSAFE, 777_781);
            long fake = SystemMemory.allocate(64);
            try {
                // a perfect copy of the real block's header in front of another address: the check fails
                SystemMemory.copyMemory(real - BlockHeader.SIZE, fake, BlockHeader.SIZE);
                assertFalse(core.accounting.headed(fake + BlockHeader.SIZE));
                // a header made for this address that names the real block's slot: checks, but the slot holds another address
                long info = SystemMemory.getLong(real - BlockHeader.SIZE);
                int ref = BlockHeader.ref(SystemMemory.getLong(real - 8));
                BlockHeader.write(fake, info, ref);
                assertFalse(core.accounting.headed(fake + BlockHeader.SIZE));
                core.accounting.free(fake + BlockHeader.SIZE, SiteRegistry.FREED_EXPLICITLY); // left alone: nothing freed twice
                assertEquals(777_781, core.used());
                assertTrue(core.accounting.headed(real));
            } finally {
                SystemMemory.free(fake);
            }
            core.accounting.free(real, SiteRegistry.FREED_EXPLICITLY);
            assertEquals(List.of(), List.copyOf(core.memory.untrackedFrees));
            core.assertNothingLeft(site);
        });
    }

    @Test
    void aResizeKeepsTheDataAndTheSlotFollowsTheBlock() throws Exception {
        onItsOwnThread(() -> {
            Core core = new Core(Settings.builder().limit(5_000_000));
            int site = core.site("app.Buffer.grow(Buffer.java:19)");
            SiteContext.prime(site);
            long block = core.accounting.allocate(UNSAFE, 999_983);
            for (long i = 0; i < 999_983; i += 4_096) {
                SystemMemory.setMemory(block + i, 1, (byte) (i >>> 12));
            }
            long grown = core.accounting.reallocate(UNSAFE, block, 3_999_971);
            assertEquals(3_999_971, core.used());
            assertEquals(3_999_971, core.sites.counter(site, SiteRegistry.LIVE_BYTES));
            assertEquals(1, core.accounting.slots.live());
            for (long i = 0; i < 999_983; i += 4_096) {
                assertEquals((byte) (i >>> 12), (byte) SystemMemory.getLong(grown + i), "byte " + i);
            }
            // over the limit: the limit error, and the block stays as it was
            assertThrows(OffHeapLimitExceededError.class, () -> core.accounting.reallocate(UNSAFE, grown, 5_000_001));
            assertTrue(core.accounting.headed(grown));
            assertEquals(3_999_971, core.used());
            // a size libc cannot serve: the JDK's OutOfMemoryError, the block kept
            OutOfMemoryError refused = assertThrows(OutOfMemoryError.class,
                    () -> core.accounting.reallocate(UNSAFE, grown, 1L << 60));
            assertEquals("Unable to allocate " + (1L << 60) + " bytes", refused.getMessage());
            assertTrue(core.accounting.headed(grown));

            assertEquals(0, core.accounting.reallocate(UNSAFE, grown, 0)); // realloc to 0 frees it
            core.assertNothingLeft(site);
        });
    }

    @Test
    void mallocRefusingASizeGivesTheJdksOwnMessage() throws Exception {
        onItsOwnThread(() -> {
            Core core = new Core(Settings.builder());
            long huge = 1L << 50; // trackable, and more than this machine can map
            OutOfMemoryError jdk = assertThrows(OutOfMemoryError.class, () -> SystemMemory.allocate(huge));
            OutOfMemoryError agent = assertThrows(OutOfMemoryError.class, () -> core.accounting.allocate(UNSAFE, huge));
            assertEquals(jdk.getMessage(), agent.getMessage());
            core.assertNothingLeft();
        });
    }

    @Test
    void blocksFreedOnOtherThreadsGiveTheirSlotsBack() throws Exception {
        Core core = new Core(Settings.builder().limit(1L << 30));
        int site = core.site("app.Pipeline.stage(Pipeline.java:88)");
        ConcurrentLinkedQueue<Long> handedOver = new ConcurrentLinkedQueue<>();
        Thread producer = new Thread(() -> {
            SiteContext.prime(site);
            for (int round = 0; round < 20; round++) {
                for (int i = 0; i < 1_000; i++) {
                    handedOver.add(core.accounting.allocate(UNSAFE, 1_031));
                }
                while (!handedOver.isEmpty()) {
                    Thread.onSpinWait(); // the consumer frees them all before the next round
                }
            }
        });
        Thread consumer = new Thread(() -> {
            int freed = 0;
            while (freed < 20_000) {
                Long block = handedOver.poll();
                if (block != null) {
                    core.accounting.free(block, SiteRegistry.FREED_EXPLICITLY);
                    freed++;
                }
            }
        });
        producer.start();
        consumer.start();
        producer.join();
        consumer.join();
        assertEquals(20_000, core.sites.counter(site, SiteRegistry.TOTAL_COUNT));
        assertEquals(20_000L * 1_031, core.sites.counter(site, SiteRegistry.FREED_EXPLICIT_BYTES));
        // 1,000 live at most at a time: the pages found the freed slots again instead of growing
        assertTrue(core.accounting.slots.pageCount() <= 2 * (1_000 / SlotPages.SLOTS + 2),
                core.accounting.slots.pageCount() + " pages");
        core.assertNothingLeft(site);
    }

    @Test
    void crowdedPagesAreGivenUpAndTakenBackWhenTheirBlocksGo() throws Exception {
        onItsOwnThread(() -> {
            Core core = new Core(Settings.builder().limit(1L << 30));
            int site = core.site("app.Registry.keep(Registry.java:31)");
            SiteContext.prime(site);
            List<Long> kept = new ArrayList<>();
            for (int i = 0; i < 700; i++) { // long-lived: the cursor meets them when it comes round
                kept.add(core.accounting.allocate(UNSAFE, 4_093));
            }
            for (int i = 0; i < 3_000; i++) { // short-lived, between the long-lived ones
                core.accounting.free(core.accounting.allocate(UNSAFE, 61), SiteRegistry.FREED_EXPLICITLY);
            }
            assertEquals(700, core.accounting.slots.live());
            for (int i = 0; i < kept.size(); i += 2) {
                core.accounting.free(kept.get(i), SiteRegistry.FREED_EXPLICITLY);
            }
            for (int i = 0; i < 350; i++) {
                kept.set(i * 2, core.accounting.allocate(UNSAFE, 4_093));
            }
            assertEquals(700, core.accounting.slots.live());
            assertEquals(700L * 4_093, core.used());
            assertEquals(700L * 4_093, core.sites.counter(site, SiteRegistry.LIVE_BYTES));
            // 700 live fill 3 pages; the short-lived ones had a fourth; the re-allocations, once it
            // was full, took back a page the freed half made roomy instead of a fifth
            assertTrue(core.accounting.slots.pageCount() <= 4, core.accounting.slots.pageCount() + " pages");
            for (long block : kept) {
                core.accounting.free(block, SiteRegistry.FREED_EXPLICITLY);
            }
            core.assertNothingLeft(site);
        });
    }

    /**
     * Runs a test on a thread of its own: a core that keeps pages and budgets in the threads'
     * contexts (as the installed one does) must not share a thread with another such core.
     */
    private static void onItsOwnThread(Runnable test) throws Exception {
        Throwable[] failed = {null};
        Thread thread = new Thread(() -> {
            try {
                test.run();
            } catch (Throwable e) {
                failed[0] = e;
            }
        });
        thread.start();
        thread.join();
        if (failed[0] instanceof Error) {
            throw (Error) failed[0];
        }
        if (failed[0] != null) {
            throw new AssertionError(failed[0]);
        }
    }

    /** An installed-like core (it keeps pages in the threads' contexts) over real memory that remembers its bases. */
    private static final class Core {
        final RecordingMemory memory = new RecordingMemory();
        final SiteRegistry sites = new SiteRegistry();
        final Accounting accounting;

        Core(Settings.Builder settings) {
            accounting = new Accounting(settings.sites(false).log(Log.QUIET).build(), sites, memory,
                    FlightEvents.EVENTS, new CoarseClock(), true);
        }

        int site(String name) {
            return sites.intern(name, UNSAFE);
        }

        long used() {
            return accounting.limiter.used(Limiter.TOTAL);
        }

        void assertNothingLeft(int... sitesUsed) {
            AccountingTest.assertNothingCounted(accounting, sitesUsed);
            assertEquals(0, accounting.slots.live(), "live slots");
            assertEquals(Map.of(), memory.live, "blocks left in the memory");
            assertEquals(List.of(), List.copyOf(memory.errors));
        }
    }

    /** The system allocator, remembering each base it handed out and checking each free against them. */
    private static final class RecordingMemory implements RawMemory {
        final Map<Long, Long> live = new ConcurrentHashMap<>();
        final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Long> untrackedFrees = new ConcurrentLinkedQueue<>();

        @Override
        public boolean allowsHeaders() {
            return true;
        }

        @Override
        public long allocate(long size) {
            long base = SystemRawMemory.INSTANCE.allocate(size);
            live.put(base, size);
            return base;
        }

        @Override
        public long reallocate(long address, long oldSize, long size) {
            if (live.remove(address) == null) {
                errors.add("realloc of unknown " + address);
            }
            long moved;
            try {
                moved = SystemRawMemory.INSTANCE.reallocate(address, oldSize, size);
            } catch (RuntimeException | Error failed) {
                live.put(address, oldSize);
                throw failed;
            }
            if (moved != 0) {
                live.put(moved, size);
            }
            return moved;
        }

        @Override
        public void free(long address, long size) {
            if (live.remove(address) == null) {
                errors.add("free of unknown " + address);
            }
            SystemRawMemory.INSTANCE.free(address, size);
        }

        @Override
        public void freeUntracked(long address) {
            untrackedFrees.add(address);
            SystemRawMemory.INSTANCE.freeUntracked(address);
        }

        @Override
        public long reallocateUntracked(long address, long size) {
            return SystemRawMemory.INSTANCE.reallocateUntracked(address, size);
        }

        @Override
        public String strategy() {
            return "system";
        }
    }
}
