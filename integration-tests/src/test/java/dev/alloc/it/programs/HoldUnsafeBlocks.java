package dev.alloc.it.programs;

import sun.misc.Unsafe;

/**
 * Holds Unsafe blocks of {@code size} bytes until the limit stops it, frees them all, then
 * takes as many again: freed memory must be reusable.
 */
public final class HoldUnsafeBlocks {
    private static final Unsafe UNSAFE = TheUnsafe.get();

    public static void main(String[] args) {
        int count = Integer.parseInt(args[0]);
        long size = Long.parseLong(args[1]);
        long[] blocks = new long[count];
        int held = 0;
        try {
            while (held < count) {
                blocks[held] = UNSAFE.allocateMemory(size);
                held++;
            }
        } catch (OutOfMemoryError e) {
            System.out.println("error " + e.getClass().getName() + ": " + e.getMessage());
        }
        System.out.println("held " + held);
        for (int i = 0; i < held; i++) {
            UNSAFE.freeMemory(blocks[i]);
        }
        int again = 0;
        for (; again < held; again++) {
            blocks[again] = again(size);
        }
        System.out.println("again " + again);
    }

    static long again(long size) {
        return UNSAFE.allocateMemory(size);
    }
}
