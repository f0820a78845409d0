package dev.alloc.it.programs;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Holds 20 MiB in 1 MiB buffers; under a 10 MiB limit with policy=warn all must succeed. */
public final class OverLimitWarn {
    public static void main(String[] args) {
        List<ByteBuffer> held = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            held.add(ByteBuffer.allocateDirect(1 << 20));
        }
        System.out.println("held " + held.size());
    }
}
