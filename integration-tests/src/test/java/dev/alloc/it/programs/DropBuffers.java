package dev.alloc.it.programs;

import java.nio.ByteBuffer;

/**
 * Allocates {@code count} buffers of 1 MiB and drops each at once: under a 64 MiB limit this
 * only works if GC-freed buffers are reclaimed and their memory reused.
 */
public final class DropBuffers {
    public static void main(String[] args) {
        int count = Integer.parseInt(args[0]);
        long sum = 0;
        for (int i = 0; i < count; i++) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
            buffer.put(0, (byte) i);
            sum += buffer.get(0);
        }
        System.out.println("allocated " + count + " (" + sum + ")");
    }
}
