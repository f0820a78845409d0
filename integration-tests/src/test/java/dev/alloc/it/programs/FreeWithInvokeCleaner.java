package dev.alloc.it.programs;

import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import sun.misc.Unsafe;

/**
 * Fills most of a 64 MiB limit with buffers, frees them with {@code Unsafe.invokeCleaner}, and
 * does it again, {@code rounds} times. Run with GC made unable to help, it passes only if
 * {@code invokeCleaner} gives the memory back at once.
 */
public final class FreeWithInvokeCleaner {
    public static void main(String[] args) throws Exception {
        int rounds = Integer.parseInt(args[0]);
        Field field = Unsafe.class.getDeclaredField("theUnsafe");
        field.setAccessible(true);
        Unsafe unsafe = (Unsafe) field.get(null);
        ByteBuffer[] buffers = new ByteBuffer[60];
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < buffers.length; i++) {
                buffers[i] = ByteBuffer.allocateDirect(1 << 20);
            }
            for (ByteBuffer buffer : buffers) {
                unsafe.invokeCleaner(buffer);
            }
        }
        ByteBuffer kept = ByteBuffer.allocateDirect(1_999_993);
        System.out.println("rounds " + rounds + " kept " + kept.capacity());
    }
}
