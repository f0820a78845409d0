package dev.alloc.it.programs;

import dev.alloc.OffHeapLimitExceededError;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import sun.misc.Unsafe;

/**
 * Exercises a pool strategy through the JDK's APIs, printing one line per check: direct
 * buffers zeroed on reused (dirtied) pool memory, invokeCleaner and GC frees returning memory
 * to the pool, Unsafe reallocate keeping data within the pool, into system memory and back,
 * misuse survived (double free, interior free, stale frees after the chunk was released), and
 * finally the limit holding. Run with limit=64m.
 */
public final class PoolWorkout {
    private static Unsafe unsafe;

    public static void main(String[] args) throws Exception {
        Field field = Unsafe.class.getDeclaredField("theUnsafe");
        field.setAccessible(true);
        unsafe = (Unsafe) field.get(null);
        long baseline = PoolProbe.inUse();

        int zeroed = 0;
        for (int round = 0; round < 50; round++) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(10_007 + round);
            boolean allZero = true;
            for (int i = 0; i < buffer.capacity(); i++) {
                allZero &= buffer.get(i) == 0;
                buffer.put(i, (byte) 0x5A);
            }
            zeroed += allZero ? 1 : 0;
            unsafe.invokeCleaner(buffer);
        }
        System.out.println("zeroed " + zeroed + " of 50, in use after invokeCleaner " + (PoolProbe.inUse() - baseline));

        dropBuffers();
        long deadline = System.currentTimeMillis() + 10_000;
        while (PoolProbe.inUse() != baseline && System.currentTimeMillis() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        System.out.println("in use after GC " + (PoolProbe.inUse() - baseline));

        System.out.println("realloc kept " + reallocations());
        System.out.println("fallbacks " + PoolProbe.fallbacks());

        long block = unsafe.allocateMemory(4096);
        unsafe.freeMemory(block);
        unsafe.freeMemory(block);
        long live = unsafe.allocateMemory(4096);
        unsafe.freeMemory(live + 16);
        unsafe.freeMemory(live);
        long[] big = new long[3];
        for (int i = 0; i < big.length; i++) {
            big[i] = unsafe.allocateMemory(3 << 20);
            unsafe.setMemory(big[i], 3 << 20, (byte) 1);
        }
        for (long address : big) {
            unsafe.freeMemory(address);
        }
        for (long address : big) {
            unsafe.freeMemory(address); // stale: two of the three chunks went back to the OS
        }
        System.out.println("misuses " + PoolProbe.misuses() + ", in use " + (PoolProbe.inUse() - baseline));

        List<ByteBuffer> held = new ArrayList<>();
        try {
            while (true) {
                held.add(ByteBuffer.allocateDirect(1 << 20));
            }
        } catch (OffHeapLimitExceededError e) {
            System.out.println("held " + held.size());
        }
    }

    private static void dropBuffers() {
        for (int i = 0; i < 300; i++) {
            ByteBuffer.allocateDirect(100_003).put(0, (byte) i);
        }
    }

    /** Grows a block inside the pool, beyond it (6 MiB: system memory), and shrinks it back. */
    private static String reallocations() {
        long address = unsafe.allocateMemory(1000);
        fill(address, 0, 1000);
        address = unsafe.reallocateMemory(address, 200_000);
        int kept1 = check(address, 1000);
        fill(address, 0, 200_000);
        address = unsafe.reallocateMemory(address, 6 << 20);
        int kept2 = check(address, 200_000);
        address = unsafe.reallocateMemory(address, 3000);
        int kept3 = check(address, 3000);
        unsafe.freeMemory(address);
        return kept1 + " " + kept2 + " " + kept3;
    }

    private static void fill(long address, int from, int to) {
        for (int i = from; i < to; i++) {
            unsafe.putByte(address + i, (byte) (i * 31 + 7));
        }
    }

    /** The number of leading bytes that still hold the pattern. */
    private static int check(long address, int bytes) {
        for (int i = 0; i < bytes; i++) {
            if (unsafe.getByte(address + i) != (byte) (i * 31 + 7)) {
                return i;
            }
        }
        return bytes;
    }
}
