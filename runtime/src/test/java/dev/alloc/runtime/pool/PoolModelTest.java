package dev.alloc.runtime.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Randomized model test of each pool: random sizes (1 B to 1 MiB, log-uniform, so small blocks
 * dominate as they do in real programs), random alignments (16 to 4096), random free order,
 * checked against {@link BlockModel} at every step, with double frees and interior frees mixed
 * in. Half the frees name the block's size, as the agent does, so blocks go through the
 * per-thread caches; the double frees then hit blocks sitting in a cache. {@code -Dalloc.test.scale=N} multiplies the number of operations for a long local run.
 */
class PoolModelTest {
    private static final long REGION = 128L << 20;
    private static final int MAX_LIVE = 400;
    private static final long MAX_SIZE = 1L << 20;
    private static final double SCALE = Double.parseDouble(System.getProperty("alloc.test.scale", "1"));
    private static final int SINGLE_THREAD_OPS = (int) (1_000_000 * SCALE);
    private static final int THREADS = 4;
    private static final int OPS_PER_THREAD = (int) (150_000 * SCALE);

    /** Records every misuse report, and the last one of each thread (reports come on the freeing thread). */
    private static final class Reports implements MisuseListener {
        final ConcurrentLinkedQueue<Misuse> misuses = new ConcurrentLinkedQueue<Misuse>();
        final ThreadLocal<Long> lastAddress = new ThreadLocal<Long>();

        @Override
        public void onMisuse(long address, Misuse misuse) {
            misuses.add(misuse);
            lastAddress.set(address);
        }

        /** Asserts that the thread's last call reported {@code address}, and forgets it. */
        void assertReported(long address, String what) {
            assertEquals(Long.valueOf(address), lastAddress.get(), what + " not reported");
            lastAddress.remove();
        }
    }

    /** One thread's live blocks, freed in random order. */
    private static final class Worker {
        final NativeAllocator pool;
        final BlockModel model;
        final Reports reports;
        final SplittableRandom random;
        final List<long[]> live = new ArrayList<long[]>();
        int failures;
        int interiorFrees;
        int doubleFrees;

        Worker(NativeAllocator pool, BlockModel model, Reports reports, long seed) {
            this.pool = pool;
            this.model = model;
            this.reports = reports;
            this.random = new SplittableRandom(seed);
        }

        void run(int operations, boolean injectDoubleFrees) {
            for (int i = 0; i < operations; i++) {
                if (live.isEmpty() || live.size() < MAX_LIVE && random.nextBoolean()) {
                    allocate();
                } else {
                    long[] block = live.remove(randomIndex());
                    free(block);
                    if (injectDoubleFrees && random.nextInt(500) == 0) {
                        doubleFree(block[0]);
                    }
                }
                if (!live.isEmpty() && random.nextInt(500) == 0) {
                    interiorFree(live.get(randomIndex()));
                }
            }
            while (!live.isEmpty()) {
                free(live.remove(live.size() - 1));
            }
        }

        private int randomIndex() {
            return random.nextInt(live.size());
        }

        private void allocate() {
            long size = Math.min(MAX_SIZE, (long) Math.exp(random.nextDouble() * Math.log(MAX_SIZE)));
            long alignment = random.nextInt(4) == 0 ? 16L << random.nextInt(9) : 1L << random.nextInt(5);
            long address = pool.allocate(size, alignment);
            if (address == 0) {
                failures++;
                return;
            }
            long usable = pool.usableSize(address);
            assertEquals(0, address % Math.max(16, alignment), () -> "misaligned: " + address + " for " + alignment);
            assertTrue(usable >= size, () -> "usable " + usable + " < requested " + size);
            assertTrue(pool.owns(address) && pool.owns(address + usable - 1), () -> "outside the pool: " + address);
            model.add(address, usable);
            live.add(new long[] {address, usable, alignment <= 16 ? size : 0});
        }

        /** With the requested size half the time (only known for blocks at the default alignment). */
        private void free(long[] block) {
            model.remove(block[0], block[1]);
            assertTrue(block[2] > 0 && random.nextBoolean() ? pool.free(block[0], block[2]) : pool.free(block[0]));
        }

        /** Only where no other thread can have taken the block meanwhile. */
        private void doubleFree(long address) {
            if (!pool.owns(address)) {
                return; // its chunk went back to the system: the second free is not the pool's to catch
            }
            assertTrue(random.nextBoolean() ? pool.free(address) : pool.free(address, 64));
            reports.assertReported(address, "double free");
            doubleFrees++;
        }

        private void interiorFree(long[] block) {
            if (block[1] < 32) {
                return;
            }
            long interior = block[0] + 16;
            assertTrue(pool.free(interior));
            reports.assertReported(interior, "interior free");
            assertEquals(block[1], pool.usableSize(block[0]), "the block survives an interior free");
            BlockModel.checkPattern(block[0], block[1]);
            interiorFrees++;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"slab", "buddy", "tlsf", "arena"})
    void singleThreadAgainstModel(String strategy) {
        UnsafeMemory memory = new UnsafeMemory();
        Reports reports = new Reports();
        NativeAllocator pool = Pools.create(strategy, REGION, memory, reports);
        Worker worker = new Worker(pool, new BlockModel(), reports, strategy.hashCode());
        worker.run(SINGLE_THREAD_OPS, true);

        assertTrue(worker.doubleFrees > 100, "double frees exercised: " + worker.doubleFrees);
        assertTrue(worker.interiorFrees > 100, "interior frees exercised: " + worker.interiorFrees);
        assertEquals(worker.doubleFrees + worker.interiorFrees, reports.misuses.size());
        assertTrue(reports.misuses.contains(Misuse.NOT_A_BLOCK_START));
        assertTrue(worker.failures < SINGLE_THREAD_OPS / 1000, "failures: " + worker.failures);
        assertEverythingCameBack(pool, memory);
    }

    /**
     * Free runs of 64 KiB and more in a chunk where memory was freed give their pages back about
     * a second after the free, on the pool's background thread, never on the freeing thread;
     * live blocks (and their slabs) keep theirs. Buddy keeps them until the whole chunk is free.
     * Then an empty chunk goes back the same way, and the spare chunk drops its pages.
     */
    @ParameterizedTest
    @ValueSource(strings = {"slab", "buddy", "tlsf", "arena"})
    void freedLargeBlocksDropTheirPagesInTheBackground(String strategy) throws Exception {
        UnsafeMemory memory = new UnsafeMemory();
        NativeAllocator pool = Pools.create(strategy, 16L << 20, memory, MisuseListener.IGNORE);
        long keep = pool.allocate(4096, 16); // keeps the chunk committed
        pool.free(pool.allocate(64 << 10, 16));
        long large = pool.allocate(512 << 10, 4096);
        long chunk = pool.statistics().maxBlock();
        long second = pool.allocate(chunk, 4096); // two more chunks, emptied at once: one stays as the spare
        long third = pool.allocate(chunk, 4096);
        assertTrue(large != 0 && second != 0 && third != 0);
        pool.free(large);
        pool.free(second);
        pool.free(third);
        long freedAt = System.nanoTime();
        assertEquals(0, memory.droppedBytes(), "nothing dropped on the freeing thread");
        assertEquals(3 * chunk, pool.statistics().committed(), "the emptied chunks are kept a while");
        Thread.sleep(500);
        assertEquals(0, memory.droppedBytes(), "nothing dropped within half a second");
        while (pool.statistics().committed() > 2 * chunk && System.nanoTime() - freedAt < 5_000_000_000L) {
            Thread.sleep(20);
        }
        assertEquals(2 * chunk, pool.statistics().committed(), "the empty chunk went back, the spare stays");
        // The first chunk's free run (everything but the 4 KiB block: the 64 and 512 KiB blocks
        // merged into it) and the spare chunk drop their pages. Slab and arena keep the 4 KiB
        // block's slab (8 pages), TLSF the four 4 KiB blocks the thread cache took in its refill
        // (one live, three cached); buddy keeps pages until a chunk is free, and its spare stays resident.
        long dropped = memory.droppedBytes();
        if (strategy.equals("buddy")) {
            assertEquals(0, dropped);
        } else if (strategy.equals("tlsf")) {
            assertEquals(2 * chunk - 4 * 4096, dropped);
        } else {
            assertEquals(2 * chunk - (32 << 10), dropped);
        }
        assertTrue(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("alloc-pool-decay")));
        pool.free(keep);
        pool.close();
    }

    /**
     * The free slab a size class keeps goes back once it has stayed free for the decay time,
     * also when that empties its chunk while another chunk is the spare (the chunk is then
     * detached, and the same round gives it back: its memory has been idle since the slab's last free).
     */
    @ParameterizedTest
    @ValueSource(strings = {"slab", "arena"})
    void idleKeptSlabGoesBackWithItsChunk(String strategy) throws Exception {
        UnsafeMemory memory = new UnsafeMemory();
        RegionAllocator<?> pool = (RegionAllocator<?>) Pools.create(strategy, 16L << 20, memory, MisuseListener.IGNORE);
        long chunk = pool.statistics().maxBlock();
        Thread small = new Thread(() -> pool.free(pool.allocate(64, 16), 64)); // its cache holds the slab's slots
        small.start();
        small.join();
        pool.free(pool.allocate(chunk, 4096)); // a chunk emptied at once: the spare
        assertEquals(2 * chunk, pool.statistics().committed());
        pool.decay(System.nanoTime()); // the ended thread's cache flushed: the slab is free, and kept
        assertEquals(2 * chunk, pool.statistics().committed());
        // A round whose cutoff is just past the slab's last free: the kept slab retires, and its
        // chunk, idle as long as the slab, goes back in the same round (not a decay time later).
        pool.decay(System.nanoTime());
        assertEquals(chunk, pool.statistics().committed(), "only the spare stays");
        assertEquals(0, pool.statistics().inUse());
        pool.close();
    }

    /**
     * Issue 11's RSS workload on the strategy alone: two threads' homes replace random blocks of
     * 4 KiB to 1 MiB in 300 slots (about 150 MiB live), 60,000 times; every block is touched
     * whole when handed out, and the background round runs every 7,500 replacements, dropping
     * what has been free since four rounds before (the decay time). Peak resident memory stays
     * at most 1.15 times the peak of live bytes: best fit over all chunks (slab, arena's shared
     * page runs; a chunk's pages, tlsf's own list) and other shards before a new chunk (tlsf).
     * With first fit over each arena's and shard's own chunks this model gave 1.19 to 1.25.
     * tlsf, whose blocks above the size classes all come from its first shard, stays at 1.12
     * (1.093 here; 1.140 with each thread's own shard, 1.13–1.15 over six seeds, which the JVM
     * measured at 1.15–1.17).
     */
    @ParameterizedTest
    @ValueSource(strings = {"slab", "tlsf", "arena"})
    void churnOfLargeBlocksStaysCompact(String strategy) {
        ResidentPages memory = new ResidentPages();
        RegionAllocator<?> pool = (RegionAllocator<?>) Pools.create(strategy, 512L << 20, memory, MisuseListener.IGNORE);
        SplittableRandom random = new SplittableRandom(11);
        int slots = 300;
        long[] address = new long[slots];
        long[] size = new long[slots];
        long[] roundTimes = new long[5];
        long live = 0;
        long peakLive = 0;
        long peakResident = 0;
        for (int op = 0; op < 60_000 + slots; op++) {
            int home = op & 1;
            int slot = op < slots ? op : home * (slots / 2) + random.nextInt(slots / 2);
            if (address[slot] != 0) {
                pool.freeBlock(pool.region.chunkOf(address[slot]), address[slot]);
                live -= size[slot];
            }
            size[slot] = 4096 + random.nextInt((1 << 20) - 4096 + 1);
            address[slot] = pool.allocateBlock(size[slot], 16, home);
            assertTrue(address[slot] != 0);
            memory.touch(address[slot], size[slot]);
            live += size[slot];
            peakLive = Math.max(peakLive, live);
            peakResident = Math.max(peakResident, memory.residentBytes());
            if (op % 7_500 == 0) {
                System.arraycopy(roundTimes, 1, roundTimes, 0, 4);
                roundTimes[4] = System.nanoTime();
                if (roundTimes[0] != 0) {
                    pool.decay(roundTimes[0]);
                }
            }
        }
        double ratio = (double) peakResident / peakLive;
        assertTrue(ratio <= (strategy.equals("tlsf") ? 1.12 : 1.15), strategy + ": peak resident " + peakResident + " for peak live " + peakLive + " = " + ratio);
        for (int slot = 0; slot < slots; slot++) {
            pool.freeBlock(pool.region.chunkOf(address[slot]), address[slot]);
        }
        pool.trim();
        assertTrue(memory.residentBytes() <= pool.statistics().maxBlock(), "at most the spare chunk's pages stay: " + memory.residentBytes());
        pool.close();
    }

    /** A region of a few chunks: allocations fail when it is full, and it stays intact. */
    @ParameterizedTest
    @ValueSource(strings = {"slab", "buddy", "tlsf", "arena"})
    void fullRegionAgainstModel(String strategy) {
        UnsafeMemory memory = new UnsafeMemory();
        Reports reports = new Reports();
        NativeAllocator pool = Pools.create(strategy, 12L << 20, memory, reports);
        Worker worker = new Worker(pool, new BlockModel(), reports, strategy.hashCode() + 1L);
        worker.run(SINGLE_THREAD_OPS / 5, true);

        assertTrue(worker.failures > 100, "the region filled up: " + worker.failures);
        assertEquals(pool.statistics().failures(), worker.failures);
        assertEverythingCameBack(pool, memory);
    }

    @ParameterizedTest
    @ValueSource(strings = {"slab", "buddy", "tlsf", "arena"})
    void refusesWhatItCannotServe(String strategy) {
        UnsafeMemory memory = new UnsafeMemory();
        NativeAllocator pool = Pools.create(strategy, 8L << 20, memory, MisuseListener.IGNORE);
        long maxBlock = pool.statistics().maxBlock();
        assertEquals(0, pool.allocate(0, 16), "size 0");
        assertEquals(0, pool.allocate(maxBlock + 1, 16), "more than a chunk");
        assertEquals(0, pool.allocate(64, 8192), "alignment above a page");
        assertThrows(IllegalArgumentException.class, () -> pool.allocate(64, 24));
        long whole = pool.allocate(maxBlock, 4096);
        assertTrue(whole != 0, "a whole chunk");
        assertEquals(maxBlock, pool.usableSize(whole));
        assertFalse(pool.free(whole - 4096 * 1024), "an address outside the pool is not the pool's");
        assertEquals(0, pool.usableSize(whole + 16));
        assertTrue(pool.free(whole));
        assertEquals(3, pool.statistics().failures());
        pool.close();
        assertEquals(0, memory.outstandingBytes());
    }

    @ParameterizedTest
    @ValueSource(strings = {"slab", "buddy", "tlsf", "arena"})
    void threadsAgainstModel(String strategy) throws Exception {
        UnsafeMemory memory = new UnsafeMemory();
        Reports reports = new Reports();
        NativeAllocator pool = Pools.create(strategy, REGION, memory, reports);
        BlockModel model = new BlockModel();
        // Plain threads, joined: a thread's cache is flushed once it has ended, which an
        // executor's termination does not guarantee yet.
        List<Worker> workers = new ArrayList<Worker>();
        List<Thread> threads = new ArrayList<Thread>();
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<Throwable>();
        for (int t = 0; t < THREADS; t++) {
            Worker worker = new Worker(pool, model, reports, strategy.hashCode() * 31L + t);
            workers.add(worker);
            threads.add(new Thread(() -> {
                try {
                    worker.run(OPS_PER_THREAD, false);
                } catch (Throwable e) {
                    errors.add(e);
                }
            }));
        }
        threads.forEach(Thread::start);
        int interiorFrees = 0;
        for (int t = 0; t < THREADS; t++) {
            threads.get(t).join(TimeUnit.MINUTES.toMillis(5));
            interiorFrees += workers.get(t).interiorFrees;
        }
        assertTrue(errors.isEmpty(), () -> "a thread failed: " + errors.peek());
        assertEquals(interiorFrees, reports.misuses.size());
        assertEquals(0, model.size());
        assertEverythingCameBack(pool, memory);
    }

    /**
     * Blocks allocated by one thread and freed by another (through the freeing thread's cache),
     * while the allocating threads also free some of their own: every block checked, nothing lost.
     */
    @ParameterizedTest
    @ValueSource(strings = {"slab", "buddy", "tlsf", "arena"})
    void crossThreadFreesAgainstModel(String strategy) throws Exception {
        UnsafeMemory memory = new UnsafeMemory();
        Reports reports = new Reports();
        NativeAllocator pool = Pools.create(strategy, REGION, memory, reports);
        BlockModel model = new BlockModel();
        java.util.concurrent.BlockingQueue<long[]> handOff = new java.util.concurrent.ArrayBlockingQueue<long[]>(256);
        int perProducer = OPS_PER_THREAD / 2;
        List<Thread> threads = new ArrayList<Thread>();
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<Throwable>();
        for (int t = 0; t < 2; t++) {
            long seed = strategy.hashCode() * 17L + t;
            threads.add(new Thread(() -> {
                try {
                    SplittableRandom random = new SplittableRandom(seed);
                    for (int i = 0; i < perProducer; i++) {
                        long size = 1 + (long) Math.exp(random.nextDouble() * Math.log(64 << 10));
                        long address = pool.allocate(size, 16);
                        if (address == 0) {
                            continue;
                        }
                        long usable = pool.usableSize(address);
                        model.add(address, usable);
                        if (random.nextInt(4) == 0) {
                            model.remove(address, usable);
                            assertTrue(pool.free(address, size));
                        } else {
                            handOff.put(new long[] {address, usable, size});
                        }
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            }));
        }
        long[] stop = new long[0];
        for (int t = 0; t < 2; t++) {
            threads.add(new Thread(() -> {
                try {
                    for (long[] block = handOff.take(); block != stop; block = handOff.take()) {
                        model.remove(block[0], block[1]);
                        assertTrue(pool.free(block[0], block[2]));
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            }));
        }
        threads.forEach(Thread::start);
        threads.get(0).join();
        threads.get(1).join();
        handOff.put(stop);
        handOff.put(stop);
        for (Thread thread : threads) {
            thread.join();
        }
        assertTrue(errors.isEmpty(), () -> "a thread failed: " + errors.peek());
        assertTrue(reports.misuses.isEmpty(), "no misuse reported: " + reports.misuses);
        assertEquals(0, model.size());
        assertEverythingCameBack(pool, memory);
    }

    /**
     * Blocks parked in the cache of a thread that ended do not make the pool full: a region of
     * two chunks still serves two whole chunks after a thread cached small blocks in one and died.
     */
    @ParameterizedTest
    @ValueSource(strings = {"slab", "buddy", "tlsf", "arena"})
    void cachesOfEndedThreadsAreDrainedWhenThePoolRunsShort(String strategy) throws Exception {
        UnsafeMemory memory = new UnsafeMemory();
        NativeAllocator pool = Pools.create(strategy, 8L << 20, memory, MisuseListener.IGNORE);
        long chunk = pool.statistics().maxBlock();
        Thread thread = new Thread(() -> {
            long[] blocks = new long[24];
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < blocks.length; i++) {
                    blocks[i] = pool.allocate(4000 + round * 100, 16);
                }
                for (int i = 0; i < blocks.length; i++) {
                    pool.free(blocks[i], 4000 + round * 100);
                }
            }
        });
        thread.start();
        thread.join();
        assertEquals(0, pool.statistics().inUse());
        long first = pool.allocate(chunk, 4096);
        long second = pool.allocate(chunk, 4096);
        assertTrue(first != 0 && second != 0, "two whole chunks: " + first + ", " + second);
        assertEquals(2 * chunk, pool.statistics().inUse());
        pool.free(first);
        pool.free(second);
        assertEverythingCameBack(pool, memory);
    }

    /**
     * Every system call a pool makes (taking a chunk, giving one back, dropping pages) happens
     * with no monitor held, on any path: allocation, free, trim, the background thread.
     */
    @ParameterizedTest
    @ValueSource(strings = {"slab", "buddy", "tlsf", "arena"})
    void systemCallsHoldNoLock(String strategy) throws Exception {
        LockCheckingSource memory = new LockCheckingSource();
        Reports reports = new Reports();
        NativeAllocator pool = Pools.create(strategy, 24L << 20, memory, reports);
        Worker worker = new Worker(pool, new BlockModel(), reports, strategy.hashCode() + 7L);
        worker.run(SINGLE_THREAD_OPS / 10, false);
        Thread.sleep(1500); // the background thread's round
        pool.trim();
        assertTrue(memory.calls.get() > 10, "system calls made: " + memory.calls);
        assertEquals("[]", memory.underLock.toString(), "system calls made under a lock");
        assertEverythingCameBack(pool, memory);
    }

    /** Records each reserve, release and page drop made while the calling thread holds a monitor. */
    private static final class LockCheckingSource extends UnsafeMemory {
        final java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        final ConcurrentLinkedQueue<String> underLock = new ConcurrentLinkedQueue<String>();

        private void check(String what) {
            calls.incrementAndGet();
            java.lang.management.MonitorInfo[] held = java.lang.management.ManagementFactory.getThreadMXBean()
                    .getThreadInfo(new long[] {Thread.currentThread().getId()}, true, false)[0].getLockedMonitors();
            if (held.length > 0) {
                underLock.add(what + " holding " + held[0] + " at " + held[0].getLockedStackFrame());
            }
        }

        @Override
        public long reserve(long bytes) {
            check("reserve");
            return super.reserve(bytes);
        }

        @Override
        public void release(long address, long bytes) {
            check("release");
            super.release(address, bytes);
        }

        @Override
        public void dropPages(long address, long bytes) {
            check("dropPages");
            super.dropPages(address, bytes);
        }
    }

    private static void assertEverythingCameBack(NativeAllocator pool, UnsafeMemory memory) {
        PoolStatistics stats = pool.statistics();
        assertEquals(0, stats.inUse(), "in use after everything was freed");
        assertEquals(stats.allocations(), stats.frees());
        pool.trim();
        stats = pool.statistics();
        assertEquals(stats.maxBlock(), stats.largestFreeBlock(), "largest free block after everything was freed");
        assertEquals(0.0, stats.fragmentation());
        // The background decay round may hold a free run claimed (to drop its pages) while this
        // trim runs; the chunk it empties on giving the run back is detached after this trim's
        // release, and the next round releases it: at most the spare stays once no round is in flight.
        for (int retry = 0; retry < 40 && stats.committed() > stats.maxBlock(); retry++) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            pool.trim();
            stats = pool.statistics();
        }
        assertTrue(stats.committed() <= stats.maxBlock(), "at most the spare chunk stays: " + stats);
        pool.close();
        assertEquals(0, memory.outstandingBytes(), "all chunks released on close");
        assertFalse(pool.owns(0));
    }
}
