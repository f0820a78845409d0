package dev.alloc.it.programs;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import sun.misc.Unsafe;

/**
 * Sites with distinctive sizes for the Flight Recorder tests: two that hold their buffers
 * (10 x 1,999,993 and 20 x 1,048,583 bytes), one whose 5 x 1,234,577 bytes are freed with
 * {@code invokeCleaner}, one whose 8 x 1,111,117 bytes are dropped and freed by GC, and one
 * that asks for 64 MiB once (over a 100 MiB limit). Then it waits for two periods of the
 * periodic events, so that the last ones show the final state.
 */
public final class JfrSites {
    static final List<ByteBuffer> HELD = new ArrayList<>();
    static final long HELD_BYTES = 10 * 1_999_993L + 20 * 1_048_583L;

    public static void main(String[] args) throws Exception {
        for (int i = 0; i < 10; i++) {
            holdA();
        }
        for (int i = 0; i < 20; i++) {
            holdB();
        }
        Field field = Unsafe.class.getDeclaredField("theUnsafe");
        field.setAccessible(true);
        Unsafe unsafe = (Unsafe) field.get(null);
        for (int i = 0; i < 5; i++) {
            unsafe.invokeCleaner(freedExplicitly());
        }
        for (int i = 0; i < 8; i++) {
            droppedForGc().put(0, (byte) i);
        }
        waitForGcToFree();
        try {
            overTheLimit();
            System.out.println("no limit error");
        } catch (OutOfMemoryError expected) {
            System.out.println("limit error " + expected.getClass().getName());
        }
        Thread.sleep(Long.parseLong(args.length > 0 ? args[0] : "2500"));
        System.out.println("held " + HELD.size());
    }

    static void holdA() {
        HELD.add(ByteBuffer.allocateDirect(1_999_993));
    }

    static void holdB() {
        HELD.add(ByteBuffer.allocateDirect(1_048_583));
    }

    static ByteBuffer freedExplicitly() {
        return ByteBuffer.allocateDirect(1_234_577);
    }

    static ByteBuffer droppedForGc() {
        return ByteBuffer.allocateDirect(1_111_117);
    }

    static void overTheLimit() {
        HELD.add(ByteBuffer.allocateDirect(64 << 20));
    }

    /** Until the direct buffer pool holds only the buffers kept in HELD. */
    private static void waitForGcToFree() throws InterruptedException {
        BufferPoolMXBean direct = null;
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                direct = pool;
            }
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        // Small JDK temporary buffers may stay cached: wait until no dropped buffer is left.
        while (direct.getMemoryUsed() - HELD_BYTES >= 1_111_117 && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
    }
}
