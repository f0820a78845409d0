package dev.alloc.runtime;

import jdk.internal.misc.Unsafe;

/**
 * The system allocator: {@code jdk.internal.misc.Unsafe}'s allocate, reallocate and free,
 * which is what the JDK itself calls (malloc underneath).
 *
 * <p>This is the only runtime class that touches the internal {@code Unsafe}. The runtime is
 * compiled for Java 17 with {@code --release}, which does not know {@code jdk.internal.misc}; a
 * compile-time stub of the class ({@code src/jdk-stub}, never packaged) lets javac write direct
 * calls, which link to the JDK's class at run time. The agent exports {@code jdk.internal.misc}
 * to the runtime before this class initialises. (Bound method handles did the same at the price
 * of 22 lambda-form classes at start on JDK 25.) Calls made here never pass through the agent's
 * hooks: they are the memory behind them.
 */
public final class SystemMemory {
    private static final Unsafe UNSAFE = Unsafe.getUnsafe();

    private SystemMemory() {
    }

    /** malloc: the JDK's semantics (0 for size 0, {@code OutOfMemoryError} when malloc fails). */
    public static long allocate(long size) {
        return UNSAFE.allocateMemory(size);
    }

    public static long reallocate(long address, long size) {
        return UNSAFE.reallocateMemory(address, size);
    }

    public static void free(long address) {
        UNSAFE.freeMemory(address);
    }

    public static void setMemory(long address, long bytes, byte value) {
        UNSAFE.setMemory(address, bytes, value);
    }

    public static void copyMemory(long from, long to, long bytes) {
        UNSAFE.copyMemory(from, to, bytes);
    }

    /** Writes 8 bytes at a native address (a block header). */
    public static void putLong(long address, long value) {
        UNSAFE.putLong(address, value);
    }

    /** Reads the 8 bytes at a native address (a pointer that libc wrote for us, a block header). */
    public static long getLong(long address) {
        return UNSAFE.getLong(address);
    }
}
