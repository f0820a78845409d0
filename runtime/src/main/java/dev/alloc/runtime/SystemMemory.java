package dev.alloc.runtime;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The system allocator: {@code jdk.internal.misc.Unsafe}'s allocate, reallocate and free,
 * which is what the JDK itself calls (malloc underneath).
 *
 * <p>This is the only class that touches the internal {@code Unsafe}. The runtime is compiled
 * for Java 17 with {@code --release}, which forbids naming {@code jdk.internal.misc}, so the
 * calls go through constant method handles that the JIT inlines like direct calls. The agent
 * exports {@code jdk.internal.misc} to the runtime before this class initialises. Calls made
 * here never pass through the agent's hooks: they are the memory behind them.
 */
public final class SystemMemory {
    private static final MethodHandle ALLOCATE;
    private static final MethodHandle REALLOCATE;
    private static final MethodHandle FREE;
    private static final MethodHandle SET_MEMORY;
    private static final MethodHandle COPY_MEMORY;
    private static final MethodHandle GET_LONG;

    static {
        try {
            Class<?> unsafeClass = Class.forName("jdk.internal.misc.Unsafe");
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            Object unsafe = lookup.findStatic(unsafeClass, "getUnsafe", MethodType.methodType(unsafeClass)).invoke();
            ALLOCATE = lookup.findVirtual(unsafeClass, "allocateMemory",
                    MethodType.methodType(long.class, long.class)).bindTo(unsafe);
            REALLOCATE = lookup.findVirtual(unsafeClass, "reallocateMemory",
                    MethodType.methodType(long.class, long.class, long.class)).bindTo(unsafe);
            FREE = lookup.findVirtual(unsafeClass, "freeMemory",
                    MethodType.methodType(void.class, long.class)).bindTo(unsafe);
            SET_MEMORY = lookup.findVirtual(unsafeClass, "setMemory",
                    MethodType.methodType(void.class, long.class, long.class, byte.class)).bindTo(unsafe);
            COPY_MEMORY = lookup.findVirtual(unsafeClass, "copyMemory",
                    MethodType.methodType(void.class, long.class, long.class, long.class)).bindTo(unsafe);
            GET_LONG = lookup.findVirtual(unsafeClass, "getLong",
                    MethodType.methodType(long.class, long.class)).bindTo(unsafe);
        } catch (Throwable e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private SystemMemory() {
    }

    /** malloc: the JDK's semantics (0 for size 0, {@code OutOfMemoryError} when malloc fails). */
    public static long allocate(long size) {
        try {
            return (long) ALLOCATE.invokeExact(size);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    public static long reallocate(long address, long size) {
        try {
            return (long) REALLOCATE.invokeExact(address, size);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    public static void free(long address) {
        try {
            FREE.invokeExact(address);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    public static void setMemory(long address, long bytes, byte value) {
        try {
            SET_MEMORY.invokeExact(address, bytes, value);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    public static void copyMemory(long from, long to, long bytes) {
        try {
            COPY_MEMORY.invokeExact(from, to, bytes);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads the 8 bytes at a native address (a pointer that libc wrote for us). */
    public static long getLong(long address) {
        try {
            return (long) GET_LONG.invokeExact(address);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }
}
