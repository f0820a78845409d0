import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import sun.misc.Unsafe;

/**
 * Virtual threads on a pool (JDK 21+), run on one carrier
 * ({@code -Djdk.virtualThreadScheduler.parallelism=1 -Djdk.virtualThreadScheduler.maxPoolSize=1}):
 * they share the carrier's cache, so blocks one virtual thread frees come back to the next,
 * the last freed first; a double free of a block parked in that cache and an interior free are
 * caught and leave the cache intact; blocks allocated on virtual threads and freed on platform
 * threads (and the other way round) keep their bytes; everything is given back at the end.
 */
@SuppressWarnings("removal")
public class PoolVirtualThreads {
    private static Unsafe unsafe;

    public static void main(String[] args) throws Exception {
        Field field = Unsafe.class.getDeclaredField("theUnsafe");
        field.setAccessible(true);
        unsafe = (Unsafe) field.get(null);
        long inUse0 = figure("inUse");
        long misuses0 = figure("misuses");

        long[] first = new long[4];
        long[] second = new long[4];
        Thread.ofVirtual().start(() -> {
            for (int i = 0; i < 4; i++) {
                first[i] = unsafe.allocateMemory(64);
            }
            for (int i = 0; i < 4; i++) {
                unsafe.freeMemory(first[i]);
            }
        }).join();
        Thread.ofVirtual().start(() -> {
            for (int i = 0; i < 4; i++) {
                second[i] = unsafe.allocateMemory(64);
            }
        }).join();
        int lastFreedFirst = 0;
        for (int i = 0; i < 4; i++) {
            lastFreedFirst += second[i] == first[3 - i] ? 1 : 0;
        }
        System.out.println("from the carrier's cache, last freed first: " + lastFreedFirst + " of 4");
        for (long block : second) {
            unsafe.freeMemory(block);
        }

        long[] misuse = new long[4];
        Thread.ofVirtual().start(() -> {
            long block = unsafe.allocateMemory(48);
            unsafe.freeMemory(block); // into the carrier's cache
            unsafe.freeMemory(block); // a double free of a cached block: caught, not cached twice
            misuse[0] = block;
        }).join();
        Thread.ofVirtual().start(() -> {
            misuse[1] = unsafe.allocateMemory(48);
            misuse[2] = unsafe.allocateMemory(48);
            unsafe.putLong(misuse[1], 0x1122334455667788L);
            unsafe.freeMemory(misuse[1] + 16); // an interior free: caught
        }).join();
        System.out.println("after the double free: reused " + (misuse[1] == misuse[0]) + ", handed out twice "
                + (misuse[2] == misuse[0]) + ", bytes intact after the interior free "
                + (unsafe.getLong(misuse[1]) == 0x1122334455667788L));
        unsafe.freeMemory(misuse[1]);
        unsafe.freeMemory(misuse[2]);

        // blocks cross between virtual and platform threads both ways, every byte checked
        int intact = 0;
        AtomicInteger shortLived = new AtomicInteger();
        try (ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<long[]>> made = new ArrayList<>();
            for (int t = 0; t < 20; t++) {
                int seed = t;
                made.add(virtual.submit(() -> allocate(seed, 200)));
            }
            for (Future<long[]> blocks : made) {
                intact += checkAndFree(blocks.get()); // on this platform thread
            }
            List<Future<Integer>> freed = new ArrayList<>();
            for (int t = 0; t < 20; t++) {
                long[] blocks = allocate(100 + t, 200); // on this platform thread
                freed.add(virtual.submit(() -> checkAndFree(blocks)));
            }
            for (Future<Integer> f : freed) {
                intact += f.get();
            }
            // many short virtual threads, each a few pairs: all through the one carrier's cache
            for (int t = 0; t < 10_000; t++) {
                int seed = t;
                virtual.submit(() -> shortLived.addAndGet(checkAndFree(allocate(seed, 3))));
            }
        }
        System.out.println("intact " + (intact + shortLived.get()) + " of 38000");
        System.out.println("misuses " + (figure("misuses") - misuses0) + ", in use " + (figure("inUse") - inUse0));
    }

    /** {@code n} blocks of 1 B – 24 KiB (small classes and page runs), each filled from its size and address. */
    private static long[] allocate(int seed, int n) {
        long[] blocks = new long[2 * n];
        for (int i = 0; i < n; i++) {
            long size = 1 + (seed * 7919L + i * 104729L) % (24 << 10);
            long address = unsafe.allocateMemory(size);
            for (long b = 0; b < size; b++) {
                unsafe.putByte(address + b, (byte) (address + b + size));
            }
            blocks[2 * i] = address;
            blocks[2 * i + 1] = size;
        }
        return blocks;
    }

    private static int checkAndFree(long[] blocks) {
        int intact = 0;
        for (int i = 0; i < blocks.length; i += 2) {
            long address = blocks[i];
            long size = blocks[i + 1];
            boolean ok = true;
            for (long b = 0; b < size; b++) {
                ok &= unsafe.getByte(address + b) == (byte) (address + b + size);
            }
            intact += ok ? 1 : 0;
            unsafe.freeMemory(address);
        }
        return intact;
    }

    private static long figure(String name) throws Exception {
        Object s = Class.forName("dev.alloc.runtime.OffHeap").getMethod("poolStatistics").invoke(null);
        return (long) s.getClass().getMethod(name).invoke(s);
    }
}
