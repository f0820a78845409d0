package dev.alloc.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.alloc.OffHeapLimitExceededError;
import dev.alloc.runtime.memory.RawMemory;
import dev.alloc.runtime.report.Log;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The reserve/commit/resize/free protocol of {@link Accounting}, in-process, on memory that
 * fails when told to ({@link FakeMemory}: addresses that are never dereferenced, a map of what
 * is live, every double or unknown free recorded). Each test ends with everything freed and
 * checks that nothing leaked or was counted twice: used 0 on every limit, the sites' live
 * figures 0, the table empty, the fake memory empty.
 */
class AccountingTest {
    private static final int UNSAFE = Kind.UNSAFE;

    @BeforeAll
    static void quiet() {
        Log.setLevel(Log.QUIET);
    }

    @AfterEach
    void unprime() {
        SiteContext.unprime(); // the JUnit thread is shared with other test classes
    }

    @Test
    void theHookOfAllocateMemoryTakesThePrimedSiteWhateverFollows() {
        Core core = new Core(Settings.builder().limit(10_007));
        int site = core.site("app.Take.once(Take.java:5)");
        SiteContext.prime(site);
        long block = core.accounting.allocateTakingSite(UNSAFE, 6_007);
        assertEquals(0, SiteContext.current().site, "taken by a normal allocation");
        assertEquals(6_007, core.counter(site, SiteRegistry.LIVE_BYTES));

        SiteContext.prime(site);
        assertEquals(0, core.accounting.allocateTakingSite(UNSAFE, 0)); // the JDK's own answer to 0 bytes
        assertEquals(0, SiteContext.current().site, "taken by an allocation that is not tracked");

        SiteContext.prime(site);
        assertThrows(OffHeapLimitExceededError.class, () -> core.accounting.allocateTakingSite(UNSAFE, 4_001));
        assertEquals(0, SiteContext.current().site, "taken by an allocation over the limit");

        SiteContext.prime(site);
        long other = core.accounting.allocate(UNSAFE, 3_989); // the plain allocate leaves it to the frame's unprime
        assertEquals(site, SiteContext.current().site);
        assertEquals(2, core.counter(site, SiteRegistry.LIVE_COUNT));
        core.accounting.free(block, SiteRegistry.FREED_EXPLICITLY);
        core.accounting.free(other, SiteRegistry.FREED_EXPLICITLY);
        core.assertNothingLeft(List.of(block, other), site);
    }

    @Test
    void aMallocThatThrowsGivesItsReservationBackAndRecordsNothing() {
        Core core = new Core(Settings.builder().limit(10_000));
        int site = core.site("app.Alloc.fail(Alloc.java:11)");
        OutOfMemoryError refused = new OutOfMemoryError("fake malloc refused");
        core.memory.failAllocations = refused;
        SiteContext.prime(site);
        assertSame(refused, assertThrows(OutOfMemoryError.class, () -> core.accounting.allocate(UNSAFE, 4_099)));
        assertEquals(0, core.used());
        assertEquals(0, core.counter(site, SiteRegistry.TOTAL_COUNT));
        assertEquals(0, core.memory.live.size());

        core.memory.failAllocations = null;
        long block = core.accounting.allocate(UNSAFE, 9_973); // 4,099 + 9,973 > 10,000: fits only if all was given back
        assertEquals(9_973, core.used());
        assertEquals(9_973, core.accounting.limiter.used(UNSAFE));
        assertEquals(BlockInfo.pack(9_973, UNSAFE, site), core.accounting.table.get(block));
        assertEquals(9_973, core.counter(site, SiteRegistry.LIVE_BYTES));
        assertEquals(1, core.counter(site, SiteRegistry.LIVE_COUNT));
        assertEquals(1, core.counter(site, SiteRegistry.TOTAL_COUNT));

        core.accounting.free(block, SiteRegistry.FREED_EXPLICITLY);
        assertEquals(9_973, core.counter(site, SiteRegistry.FREED_EXPLICIT_BYTES));
        core.assertNothingLeft(List.of(block), site);
    }

    @Test
    void aLibcMallocThatAnswersNullGivesItsReservationBack() {
        Core core = new Core(Settings.builder().limit(10_000));
        int site = core.site("app.Native.malloc(Native.java:23)");
        SiteContext.prime(site);
        long token = core.accounting.reserve(Kind.MALLOC, 5_003);
        assertEquals(site, token);
        assertEquals(5_003, core.used());
        core.accounting.commit(token, Kind.MALLOC, 0, 5_003); // malloc answered NULL
        assertEquals(0, core.used());
        assertEquals(0, core.accounting.limiter.used(Kind.MALLOC));
        assertEquals(0, core.counter(site, SiteRegistry.TOTAL_COUNT));

        long fake = 0x5_0000_0010L;
        token = core.accounting.reserve(Kind.MALLOC, 9_999);
        core.accounting.commit(token, Kind.MALLOC, fake, 9_999);
        assertEquals(BlockInfo.pack(9_999, Kind.MALLOC, site), core.accounting.table.get(fake));
        assertEquals(9_999, core.accounting.limiter.used(Kind.MALLOC));
        long info = core.accounting.forget(fake);
        core.accounting.released(fake, info, SiteRegistry.FREED_EXPLICITLY);
        core.assertNothingLeft(List.of(fake), site);
    }

    @Test
    void aReallocThatAnswersZeroKeepsTheOldBlockAsItWas() {
        Core core = new Core(Settings.builder().limit(100_000));
        int allocating = core.site("app.Buffers.make(Buffers.java:40)");
        int growing = core.site("app.Buffers.grow(Buffers.java:77)");
        SiteContext.prime(allocating);
        long block = core.accounting.allocate(UNSAFE, 3_001);
        core.memory.reallocReturnsZero = true;
        SiteContext.prime(growing);
        OutOfMemoryError error = assertThrows(OutOfMemoryError.class,
                () -> core.accounting.reallocate(UNSAFE, block, 70_001));
        assertEquals("Unable to allocate 70001 bytes", error.getMessage()); // the JDK's own answer
        assertEquals(3_001, core.used());
        assertEquals(BlockInfo.pack(3_001, UNSAFE, allocating), core.accounting.table.get(block));
        assertEquals(3_001, core.counter(allocating, SiteRegistry.LIVE_BYTES));
        assertEquals(1, core.counter(allocating, SiteRegistry.LIVE_COUNT));
        assertEquals(0, core.counter(growing, SiteRegistry.TOTAL_COUNT));
        assertEquals(Long.valueOf(3_001), core.memory.live.get(block));

        // libc's realloc through a downcall: NULL for a positive size, the block kept (MallocHooks' protocol)
        long info = core.accounting.forget(block);
        int site = core.accounting.reserveResize(info, 50_000);
        assertEquals(3_001 + 46_999, core.used());
        core.accounting.commitResize(block, info, 50_000, site, 0, true);
        assertEquals(3_001, core.used());
        assertEquals(BlockInfo.pack(3_001, UNSAFE, allocating), core.accounting.table.get(block));

        core.memory.reallocReturnsZero = false;
        long other = core.accounting.allocate(UNSAFE, 96_999); // exactly the limit: the growths were given back whole
        assertEquals(100_000, core.used());
        core.accounting.free(other, SiteRegistry.FREED_EXPLICITLY);
        core.accounting.free(block, SiteRegistry.FREED_EXPLICITLY);
        assertEquals(3_001, core.counter(allocating, SiteRegistry.FREED_EXPLICIT_BYTES));
        core.assertNothingLeft(List.of(block, other), allocating, growing);
    }

    @Test
    void aReallocThatThrowsKeepsTheOldBlockAsItWas() {
        Core core = new Core(Settings.builder().limit(100_000));
        int site = core.site("app.Buffers.make(Buffers.java:41)");
        SiteContext.prime(site);
        long block = core.accounting.allocate(UNSAFE, 12_345);
        OutOfMemoryError refused = new OutOfMemoryError("fake realloc refused");
        core.memory.failAllocations = refused;
        assertSame(refused, assertThrows(OutOfMemoryError.class, () -> core.accounting.reallocate(UNSAFE, block, 54_321)));
        assertEquals(12_345, core.used());
        assertEquals(BlockInfo.pack(12_345, UNSAFE, site), core.accounting.table.get(block));
        assertEquals(1, core.counter(site, SiteRegistry.TOTAL_COUNT));
        core.memory.failAllocations = null;
        core.accounting.free(block, SiteRegistry.FREED_EXPLICITLY);
        core.assertNothingLeft(List.of(block), site);
    }

    @Test
    void overTheLimitDuringAReallocKeepsTheBlockAtItsSite() {
        Core core = new Core(Settings.builder().limit(10_000));
        int allocating = core.site("app.Frames.read(Frames.java:12)");
        int growing = core.site("app.Frames.grow(Frames.java:99)");
        SiteContext.prime(allocating);
        long x = core.accounting.allocate(UNSAFE, 6_007);
        long y = core.accounting.allocate(UNSAFE, 3_001);
        SiteContext.prime(growing);
        OffHeapLimitExceededError error = assertThrows(OffHeapLimitExceededError.class,
                () -> core.accounting.reallocate(UNSAFE, x, 7_000));
        assertEquals(993, error.requested());
        assertEquals(9_008, error.used());
        assertEquals(10_000, error.limit());
        assertEquals("app.Frames.grow(Frames.java:99)", error.site());
        assertEquals(List.of("exceeded unsafe 993 used 9008 limit 10000 which " + Limiter.TOTAL + " site " + growing),
                core.events.exceeded);
        assertEquals(0, core.memory.reallocs.get(), "the memory is never asked to grow over the limit");
        assertEquals(9_008, core.used());
        assertEquals(BlockInfo.pack(6_007, UNSAFE, allocating), core.accounting.table.get(x));
        assertEquals(9_008, core.counter(allocating, SiteRegistry.LIVE_BYTES));
        assertEquals(2, core.counter(allocating, SiteRegistry.LIVE_COUNT));
        assertEquals(0, core.counter(growing, SiteRegistry.TOTAL_COUNT));

        long grown = core.accounting.reallocate(UNSAFE, x, 6_999); // 992 more: exactly the limit
        assertEquals(10_000, core.used());
        assertEquals(BlockInfo.pack(6_999, UNSAFE, growing), core.accounting.table.get(grown));
        assertEquals(BlockInfo.MISSING, core.accounting.table.get(x));
        assertEquals(6_999, core.counter(growing, SiteRegistry.LIVE_BYTES));
        assertEquals(3_001, core.counter(allocating, SiteRegistry.LIVE_BYTES));
        assertEquals(6_007, core.counter(allocating, SiteRegistry.FREED_EXPLICIT_BYTES));

        long shrunk = core.accounting.reallocate(UNSAFE, grown, 1_000);
        assertEquals(4_001, core.used());
        assertEquals(1_000, core.counter(growing, SiteRegistry.LIVE_BYTES));
        assertEquals(2, core.counter(growing, SiteRegistry.TOTAL_COUNT));
        assertEquals(0, core.accounting.reallocate(UNSAFE, shrunk, 0)); // realloc to 0 frees
        core.accounting.free(y, SiteRegistry.FREED_EXPLICITLY);
        core.assertNothingLeft(List.of(x, y, grown, shrunk), allocating, growing);
    }

    @Test
    void aLimitLoweredBetweenReserveAndCommitKeepsTheBlockExact() throws Exception {
        Core core = new Core(Settings.builder().limit(1_000_000));
        int site = core.site("app.Cache.fill(Cache.java:64)");
        core.memory.duringAllocate = () -> {
            Thread lowering = new Thread(() -> core.accounting.limiter.setLimit(Limiter.TOTAL, 5_000));
            lowering.start();
            try {
                lowering.join();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        };
        SiteContext.prime(site);
        long block = core.accounting.allocate(UNSAFE, 7_919); // reserved before the limit fell: kept
        core.memory.duringAllocate = null;
        assertEquals(5_000, core.accounting.limiter.limit(Limiter.TOTAL));
        assertEquals(7_919, core.used());
        assertEquals(BlockInfo.pack(7_919, UNSAFE, site), core.accounting.table.get(block));
        OffHeapLimitExceededError error = assertThrows(OffHeapLimitExceededError.class,
                () -> core.accounting.allocate(UNSAFE, 1));
        assertEquals(7_919, error.used());
        assertEquals(5_000, error.limit());

        core.accounting.free(block, SiteRegistry.FREED_EXPLICITLY);
        assertEquals(0, core.used());
        long fits = core.accounting.allocate(UNSAFE, 4_999);
        assertThrows(OffHeapLimitExceededError.class, () -> core.accounting.allocate(UNSAFE, 2));
        long last = core.accounting.allocate(UNSAFE, 1);
        assertEquals(5_000, core.used());
        core.accounting.free(fits, SiteRegistry.FREED_EXPLICITLY);
        core.accounting.free(last, SiteRegistry.FREED_EXPLICITLY);
        assertEquals(3, core.counter(site, SiteRegistry.TOTAL_COUNT));
        core.assertNothingLeft(List.of(block, fits, last), site);
    }

    @Test
    void limitChangesRacingAllocationsAndFreesLeaveExactCounts() throws Exception {
        Core core = new Core(Settings.builder().limit(64_000));
        int threads = 4;
        int[] sites = new int[threads];
        for (int t = 0; t < threads; t++) {
            sites[t] = core.site("app.Worker.run(Worker.java:" + (100 + t) + ")");
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread toggler = new Thread(() -> {
            for (int i = 0; !stop.get(); i++) {
                core.accounting.limiter.setLimit(Limiter.TOTAL, i % 3 == 0 ? 0 : i % 3 == 1 ? 20_000 : 64_000);
            }
        });
        long[] allocated = new long[threads];
        long[] bytes = new long[threads];
        AtomicLong refused = new AtomicLong();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int me = t;
            workers.add(new Thread(() -> {
                try {
                    SiteContext.prime(sites[me]);
                    long[] held = new long[8];
                    for (int i = 0; i < 20_000; i++) {
                        if (me == 0 && (i & 63) == 0) { // as well as the toggler, whatever the scheduler does
                            core.accounting.limiter.setLimit(Limiter.TOTAL, (i & 64) == 0 ? 20_000 : 64_000);
                        }
                        int slot = i & 7;
                        if (held[slot] != 0) {
                            core.accounting.free(held[slot], SiteRegistry.FREED_EXPLICITLY);
                            held[slot] = 0;
                        }
                        long size = 1 + (i * 37L + me) % 1_999;
                        try {
                            held[slot] = core.accounting.allocate(UNSAFE, size);
                            allocated[me]++;
                            bytes[me] += size;
                        } catch (OffHeapLimitExceededError expected) {
                            refused.incrementAndGet();
                        }
                    }
                    for (long block : held) {
                        if (block != 0) {
                            core.accounting.free(block, SiteRegistry.FREED_EXPLICITLY);
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        toggler.start();
        workers.forEach(Thread::start);
        for (Thread worker : workers) {
            worker.join();
        }
        stop.set(true);
        toggler.join();
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        for (int t = 0; t < threads; t++) {
            assertEquals(allocated[t], core.counter(sites[t], SiteRegistry.TOTAL_COUNT));
            assertEquals(bytes[t], core.counter(sites[t], SiteRegistry.TOTAL_BYTES));
            assertEquals(bytes[t], core.counter(sites[t], SiteRegistry.FREED_EXPLICIT_BYTES));
        }
        assertEquals(threads * 20_000L, refused.get() + allocated[0] + allocated[1] + allocated[2] + allocated[3]);
        assertTrue(refused.get() > 0, "the limit of 20,000 bytes refused some of the 32,000 held");
        core.assertNothingLeft(List.copyOf(core.memory.handedOut), sites);
    }

    @Test
    void blocksFreedOnAnotherThreadLeaveNothingBehind() throws Exception {
        Core core = new Core(Settings.builder().limit(1L << 20));
        int site = core.site("app.Pipeline.produce(Pipeline.java:31)");
        long[] blocks = new long[100];
        Thread producer = new Thread(() -> {
            SiteContext.prime(site);
            for (int i = 0; i < blocks.length; i++) {
                blocks[i] = core.accounting.allocate(UNSAFE, 1_000 + i);
            }
        });
        producer.start();
        producer.join();
        assertEquals(104_950, core.used());
        assertEquals(104_950, core.counter(site, SiteRegistry.LIVE_BYTES));
        assertEquals(100, core.counter(site, SiteRegistry.LIVE_COUNT));
        Thread consumer = new Thread(() -> {
            for (long block : blocks) {
                core.accounting.free(block, SiteRegistry.FREED_BY_GC);
            }
        });
        consumer.start();
        consumer.join();
        assertEquals(0, core.used());
        assertEquals(104_950, core.counter(site, SiteRegistry.FREED_GC_BYTES));
        assertEquals(100, core.counter(site, SiteRegistry.FREED_GC_COUNT));
        assertEquals(0, core.counter(site, SiteRegistry.FREED_EXPLICIT_COUNT));

        // the whole limit in one block: no batch of either thread is still charged
        AtomicLong whole = new AtomicLong();
        Thread third = new Thread(() -> whole.set(core.accounting.allocate(UNSAFE, 1L << 20)));
        third.start();
        third.join();
        assertEquals(1L << 20, core.used());
        core.accounting.free(whole.get(), SiteRegistry.FREED_EXPLICITLY);
        List<Long> all = new ArrayList<>();
        for (long block : blocks) {
            all.add(block);
        }
        all.add(whole.get());
        core.assertNothingLeft(all, site);
    }

    @Test
    void blocksHandedToAnotherThreadWhileItFreesCountOnce() throws Exception {
        Core core = new Core(Settings.builder().limit(1L << 20));
        int site = core.site("app.Queue.offer(Queue.java:7)");
        BlockingQueue<Long> queue = new ArrayBlockingQueue<>(64);
        int blocks = 30_000;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread consumer = new Thread(() -> {
            try {
                for (int i = 0; i < blocks; i++) {
                    long block = queue.take();
                    core.accounting.free(block, SiteRegistry.FREED_BY_CLOSE);
                    core.accounting.free(block, SiteRegistry.FREED_BY_CLOSE); // a double free: passes through, uncounted
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        });
        consumer.start();
        SiteContext.prime(site);
        for (int i = 0; i < blocks; i++) {
            queue.put(core.accounting.allocate(UNSAFE, 1 + i % 4_000));
        }
        consumer.join();
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        long expectedBytes = 7L * (4_000L * 4_001 / 2) + (2_000L * 2_001 / 2); // 30,000 = 7 rounds of 4,000 + 2,000
        assertEquals(expectedBytes, core.counter(site, SiteRegistry.TOTAL_BYTES));
        assertEquals(blocks, core.counter(site, SiteRegistry.FREED_CLOSE_COUNT));
        assertEquals(expectedBytes, core.counter(site, SiteRegistry.FREED_CLOSE_BYTES));
        assertEquals(blocks, core.memory.untrackedFrees.get());
        core.assertNothingLeft(List.copyOf(core.memory.handedOut), site);
    }

    @Test
    void theTableIsStampedWithTheCoresClockAndWarningsGoToItsSink() {
        Core core = new Core(Settings.builder().limit(10_000).warnPercent(50));
        long twoHoursAhead = System.currentTimeMillis() + 7_200_000; // never the running agent's clock
        core.clock.set(twoHoursAhead);
        int site = core.site("app.Stamp.now(Stamp.java:5)");
        SiteContext.prime(site);
        long block = core.accounting.allocate(UNSAFE, 5_555);
        List<Long> stamps = new ArrayList<>();
        core.accounting.table.forEach((address, info, millis) -> stamps.add(millis));
        assertEquals(List.of(AddressTable.millis(AddressTable.stamp(twoHoursAhead))), stamps); // kept to 100 ms
        assertTrue(stamps.get(0) > twoHoursAhead - 100 && stamps.get(0) <= twoHoursAhead, stamps + " for " + twoHoursAhead);
        assertEquals(List.of("warning which " + Limiter.TOTAL + " used 5555 limit 10000 site " + site),
                core.events.warnings);
        core.accounting.free(block, SiteRegistry.FREED_EXPLICITLY);
        core.assertNothingLeft(List.of(block), site);
    }

    /** Used 0 on every limit of {@code accounting}, and live bytes and count 0 at each of {@code sitesUsed}. */
    static void assertNothingCounted(Accounting accounting, int... sitesUsed) {
        for (int which = 0; which <= Limiter.TOTAL; which++) {
            assertEquals(0, accounting.limiter.used(which), "used of limit " + which);
        }
        for (int site : sitesUsed) {
            assertEquals(0, accounting.sites.counter(site, SiteRegistry.LIVE_BYTES), "live bytes of site " + site);
            assertEquals(0, accounting.sites.counter(site, SiteRegistry.LIVE_COUNT), "live count of site " + site);
        }
    }

    /** An accounting of its own around {@link FakeMemory}, a recording event sink and a clock that does not tick. */
    private static final class Core {
        final FakeMemory memory = new FakeMemory();
        final RecordedEvents events = new RecordedEvents();
        final CoarseClock clock = new CoarseClock();
        final SiteRegistry sites = new SiteRegistry();
        final Accounting accounting;

        Core(Settings.Builder settings) {
            accounting = new Accounting(settings.sites(false).log(Log.QUIET).build(), sites, memory, events, clock, false);
        }

        int site(String name) {
            return sites.intern(name, UNSAFE);
        }

        long used() {
            return accounting.limiter.used(Limiter.TOTAL);
        }

        long counter(int site, int counter) {
            return sites.counter(site, counter);
        }

        void assertNothingLeft(List<Long> addresses, int... sitesUsed) {
            assertNothingCounted(accounting, sitesUsed);
            for (long address : addresses) {
                assertEquals(BlockInfo.MISSING, accounting.table.get(address), "table entry of " + address);
            }
            AtomicInteger entries = new AtomicInteger();
            accounting.table.forEach((address, info, millis) -> entries.incrementAndGet());
            assertEquals(0, entries.get(), "entries left in the table");
            assertEquals(Map.of(), memory.live, "blocks left in the memory");
            assertEquals(List.of(), List.copyOf(memory.errors));
        }
    }

    /**
     * Memory that hands out addresses it never dereferences, remembers what is live, records
     * double frees and wrong sizes as errors, and fails when told to.
     */
    private static final class FakeMemory implements RawMemory {
        final Map<Long, Long> live = new ConcurrentHashMap<>();
        final ConcurrentLinkedQueue<Long> handedOut = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        final AtomicLong next = new AtomicLong(0x7f00_0000_0000L);
        final AtomicInteger reallocs = new AtomicInteger();
        final AtomicInteger untrackedFrees = new AtomicInteger();
        volatile OutOfMemoryError failAllocations;
        volatile boolean reallocReturnsZero;
        volatile Runnable duringAllocate;

        @Override
        public long allocate(long size) {
            Runnable during = duringAllocate;
            if (during != null) {
                during.run();
            }
            OutOfMemoryError fail = failAllocations;
            if (fail != null) {
                throw fail;
            }
            long address = next.getAndAdd((size + 31) & -16);
            live.put(address, size);
            handedOut.add(address);
            return address;
        }

        @Override
        public long reallocate(long address, long oldSize, long size) {
            reallocs.incrementAndGet();
            if (size <= 0) {
                free(address, oldSize);
                return 0;
            }
            if (reallocReturnsZero) {
                return 0;
            }
            long moved = allocate(size);
            free(address, oldSize);
            return moved;
        }

        @Override
        public void free(long address, long size) {
            Long was = live.remove(address);
            if (was == null || was != size) {
                errors.add("free of " + address + " (" + size + " bytes): live as " + was);
            }
        }

        @Override
        public void freeUntracked(long address) {
            untrackedFrees.incrementAndGet();
            if (live.containsKey(address)) {
                errors.add("a tracked block freed as untracked: " + address);
            }
        }

        @Override
        public long reallocateUntracked(long address, long size) {
            errors.add("realloc of an untracked block " + address);
            return 0;
        }

        @Override
        public String strategy() {
            return "fake";
        }
    }

    private static final class RecordedEvents implements AccountingEvents {
        final List<String> exceeded = new ArrayList<>();
        final List<String> warnings = new ArrayList<>();

        @Override
        public void freed(int kind, long size, long address, int site) {
            // frees are not recorded here (the gate is Flight Recorder's, closed without a recording)
        }

        @Override
        public synchronized void limitExceeded(int kind, long requested, long used, long limit, int which, int site) {
            exceeded.add("exceeded " + Kind.name(kind) + " " + requested + " used " + used + " limit " + limit
                    + " which " + which + " site " + site);
        }

        @Override
        public synchronized void limitWarning(int which, long used, long limit, int site) {
            warnings.add("warning which " + which + " used " + used + " limit " + limit + " site " + site);
        }
    }
}
