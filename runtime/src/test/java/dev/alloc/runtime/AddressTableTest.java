package dev.alloc.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;

/**
 * The address table under concurrency: threads insert addresses into shared slots and other
 * threads remove them, while the table grows and drops generations. Every removal must return
 * exactly the info that was put for that address, and nothing may be lost or found twice.
 */
class AddressTableTest {
    private static final int THREADS = 4;
    private static final int SLOTS = 8192;
    private static final int OPERATIONS_PER_THREAD = 400_000;
    private static final int SMALL_ADDRESSES = SLOTS * 4;

    @Test
    void putGetRemoveSingleThreaded() {
        AddressTable table = new AddressTable();
        for (long a = 1; a <= 100_000; a++) {
            table.put(a * 16, BlockInfo.pack(a, Kind.UNSAFE, (int) (a % 1000)), 0L);
        }
        for (long a = 1; a <= 100_000; a++) {
            assertEquals(BlockInfo.pack(a, Kind.UNSAFE, (int) (a % 1000)), table.get(a * 16));
        }
        assertEquals(BlockInfo.MISSING, table.get(8));
        for (long a = 1; a <= 100_000; a++) {
            assertEquals(a, BlockInfo.size(table.remove(a * 16)));
            assertEquals(BlockInfo.MISSING, table.remove(a * 16), "a second remove finds nothing");
        }
        long[] left = {0};
        table.forEach((address, info, time) -> left[0]++);
        assertEquals(0, left[0]);
    }

    @Test
    void aFewBlocksThatLiveForeverDoNotPinGenerations() {
        AddressTable table = new AddressTable();
        long[] ring = new long[2_000];
        long next = 16;
        for (int i = 0; i < 1_000_000; i++) {
            int slot = i % ring.length;
            if (ring[slot] != 0) {
                assertEquals(64, BlockInfo.size(table.remove(ring[slot])));
            }
            ring[slot] = next;
            table.put(next, BlockInfo.pack(64, Kind.UNSAFE, 1), 0L);
            next += 16;
            if (i % 5_000 == 0) {
                table.put(next, BlockInfo.pack(77, Kind.UNSAFE, 2), 0L); // never freed
                next += 16;
            }
        }
        assertTrue(table.generationCount() <= 2, "generations: " + table.generationCount());
        long[] forever = {0};
        table.forEach((address, info, time) -> forever[0] += BlockInfo.size(info) == 77 ? 1 : 0);
        assertEquals(200, forever[0]);
    }

    @Test
    void concurrentInsertsAndCrossThreadRemovesLoseNothing() throws Exception {
        AddressTable table = new AddressTable();
        AtomicLongArray slots = new AtomicLongArray(SLOTS); // address held in each slot, 0 for none
        AtomicLongArray owned = new AtomicLongArray(SMALL_ADDRESSES);
        AtomicLong nextAddress = new AtomicLong(16L * SMALL_ADDRESSES + 16);
        AtomicLong wrongInfo = new AtomicLong();
        AtomicLong lost = new AtomicLong();
        CountDownLatch start = new CountDownLatch(1);
        Thread[] threads = new Thread[THREADS];
        for (int t = 0; t < THREADS; t++) {
            threads[t] = new Thread(() -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                await(start);
                for (int n = 0; n < OPERATIONS_PER_THREAD; n++) {
                    int slot = random.nextInt(SLOTS);
                    long held = slots.get(slot);
                    if (held != 0) {
                        if (slots.compareAndSet(slot, held, 0)) {
                            long info = table.remove(held);
                            disown(owned, held);
                            if (info == BlockInfo.MISSING) {
                                lost.incrementAndGet();
                            } else if (BlockInfo.size(info) != held >>> 4) {
                                wrongInfo.incrementAndGet();
                            }
                        }
                    } else {
                        // Reuse freed addresses too, as malloc does: half the time a small one, owned
                        // by one thread at a time, put into the table before anyone can see it.
                        boolean small = random.nextBoolean();
                        long address = small ? 16L * random.nextInt(SMALL_ADDRESSES) + 16 : nextAddress.getAndAdd(16);
                        if (small && !owned.compareAndSet((int) (address >>> 4) - 1, 0, 1)) {
                            continue;
                        }
                        table.put(address, BlockInfo.pack(address >>> 4, Kind.MALLOC, 7), 0L);
                        if (!slots.compareAndSet(slot, 0, address)) {
                            table.remove(address);
                            disown(owned, address);
                        }
                    }
                }
            });
            threads[t].start();
        }
        long began = System.nanoTime();
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        long elapsed = System.nanoTime() - began;
        assertEquals(0, lost.get(), "removes that found nothing");
        assertEquals(0, wrongInfo.get(), "removes that found another block's info");
        int live = 0;
        for (int i = 0; i < SLOTS; i++) {
            long held = slots.get(i);
            if (held != 0) {
                live++;
                assertEquals(held >>> 4, BlockInfo.size(table.get(held)));
            }
        }
        long[] inTable = {0};
        table.forEach((address, info, time) -> inTable[0]++);
        assertEquals(live, inTable[0], "entries in the table besides the live ones");
        System.out.printf("AddressTable: %d threads x %,d operations in %d ms, %d generations at the end%n",
                THREADS, OPERATIONS_PER_THREAD, elapsed / 1_000_000, table.generationCount());
        assertTrue(table.generationCount() <= 8, "generations pile up: " + table.generationCount());
    }

    /** Gives a small address back for reuse (after its entry left the table, as after free()). */
    private static void disown(AtomicLongArray owned, long address) {
        int index = (int) (address >>> 4) - 1;
        if (index < SMALL_ADDRESSES) {
            owned.set(index, 0);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void keepsEachBlocksTimeTo100MillisecondsAndNoTimeAsNone() {
        AddressTable table = new AddressTable();
        long later = System.currentTimeMillis() + 1_999_993;
        table.put(0x7f00_0000_1000L, BlockInfo.pack(4_099, Kind.DIRECT, 3), later);
        table.put(0x7f00_0000_2000L, BlockInfo.pack(77, Kind.UNSAFE, 4), 0L);
        long[] seen = new long[2];
        table.forEach((address, info, time) -> seen[address == 0x7f00_0000_1000L ? 0 : 1] = time);
        assertTrue(seen[0] <= later && seen[0] > later - 100, later + " kept as " + seen[0]);
        assertEquals(0L, seen[1]);
        assertEquals(0, AddressTable.stamp(0L));
        assertEquals(AddressTable.millis(AddressTable.stamp(later)), seen[0]);
    }
}
