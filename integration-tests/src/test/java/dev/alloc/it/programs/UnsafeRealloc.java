package dev.alloc.it.programs;

import sun.misc.Unsafe;

/**
 * Grows one block at {@link #grow} and shrinks it at {@link #shrink}: the data must survive and
 * the accounting must follow the block to the reallocating site. With a per-kind limit, a
 * growth over it fails and leaves the old block (and its accounting) as it was.
 */
public final class UnsafeRealloc {
    private static final Unsafe UNSAFE = TheUnsafe.get();
    private static final int PATTERN_BYTES = 4096;

    public static void main(String[] args) {
        long block = allocate(1_000_003);
        for (int i = 0; i < PATTERN_BYTES; i++) {
            UNSAFE.putByte(block + i, (byte) (i * 31));
        }
        block = grow(block, 3_000_017);
        check(block, "grown");
        block = shrink(block, 700_001);
        check(block, "shrunk");
        try {
            block = grow(block, 9_999_991);
            System.out.println("grew beyond");
        } catch (OutOfMemoryError e) {
            System.out.println("error " + e.getClass().getName() + ": " + e.getMessage());
            check(block, "kept");
        }
        System.out.println("live " + 700_001);
    }

    static long allocate(long size) {
        return UNSAFE.allocateMemory(size);
    }

    static long grow(long block, long size) {
        return UNSAFE.reallocateMemory(block, size);
    }

    static long shrink(long block, long size) {
        return UNSAFE.reallocateMemory(block, size);
    }

    private static void check(long block, String what) {
        for (int i = 0; i < PATTERN_BYTES; i++) {
            if (UNSAFE.getByte(block + i) != (byte) (i * 31)) {
                System.out.println(what + ": data lost at byte " + i);
                return;
            }
        }
        System.out.println(what + ": data kept");
    }
}
