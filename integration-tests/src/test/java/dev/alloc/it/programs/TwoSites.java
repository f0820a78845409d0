package dev.alloc.it.programs;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Two sites holding distinctive sizes: 5 x 1,999,993 bytes and 7 x 1,048,583 bytes. */
public final class TwoSites {
    static final List<ByteBuffer> HELD = new ArrayList<>();

    public static void main(String[] args) {
        for (int i = 0; i < 5; i++) {
            siteA();
        }
        for (int i = 0; i < 7; i++) {
            siteB();
        }
        System.out.println("held " + HELD.size());
    }

    static void siteA() {
        HELD.add(ByteBuffer.allocateDirect(1_999_993));
    }

    static void siteB() {
        HELD.add(ByteBuffer.allocateDirect(1_048_583));
    }
}
