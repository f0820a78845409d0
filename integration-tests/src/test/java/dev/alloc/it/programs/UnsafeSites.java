package dev.alloc.it.programs;

import sun.misc.Unsafe;

/** Distinctive sizes per site: 3 x 1,999,993 held at siteA; 5 x 777,781 at siteB, 2 of them freed. */
public final class UnsafeSites {
    private static final Unsafe UNSAFE = TheUnsafe.get();

    public static void main(String[] args) {
        for (int i = 0; i < 3; i++) {
            siteA();
        }
        long[] b = new long[5];
        for (int i = 0; i < 5; i++) {
            b[i] = siteB();
        }
        UNSAFE.freeMemory(b[0]);
        UNSAFE.freeMemory(b[3]);
        System.out.println("done");
    }

    static long siteA() {
        return UNSAFE.allocateMemory(1_999_993);
    }

    static long siteB() {
        return UNSAFE.allocateMemory(777_781);
    }
}
