package dev.alloc.it.programs;

import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import sun.misc.Unsafe;

/**
 * Under {@code pool.fallback=fail} with an 8 MiB pool: a block bigger than the pool serves and
 * a block that no longer fits both fail with the agent's OutOfMemoryError; freeing makes room.
 */
public final class PoolFallbackFail {
    /** Kept reachable to the end, so the exit report sees it live. */
    static ByteBuffer kept;

    public static void main(String[] args) throws Exception {
        try {
            ByteBuffer.allocateDirect(5 << 20);
        } catch (OutOfMemoryError e) {
            System.out.println("too big: " + e);
        }
        List<ByteBuffer> held = new ArrayList<>();
        try {
            while (true) {
                held.add(ByteBuffer.allocateDirect(3 << 20));
            }
        } catch (OutOfMemoryError e) {
            System.out.println("full after " + held.size() + " buffers of 3 MiB: " + e);
        }
        Field field = Unsafe.class.getDeclaredField("theUnsafe");
        field.setAccessible(true);
        Unsafe unsafe = (Unsafe) field.get(null);
        for (ByteBuffer buffer : held) {
            unsafe.invokeCleaner(buffer);
        }
        kept = ByteBuffer.allocateDirect(3 << 20);
        System.out.println("after freeing: " + kept.capacity());
    }
}
