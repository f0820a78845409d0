package dev.alloc.it.programs;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Holds {@code count} direct buffers of {@code size} bytes; prints how many it got. */
public final class HoldDirectBuffers {
    public static void main(String[] args) {
        int count = Integer.parseInt(args[0]);
        int size = Integer.parseInt(args[1]);
        List<ByteBuffer> held = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                held.add(ByteBuffer.allocateDirect(size));
            }
        } catch (OutOfMemoryError e) {
            System.out.println("held " + held.size());
            System.out.println("error " + e.getClass().getName() + ": " + e.getMessage());
            return;
        }
        System.out.println("held " + held.size());
    }
}
