package dev.alloc.runtime.pool;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Native memory for tests: a {@link RegionSource} over {@code sun.misc.Unsafe} (reachable
 * without {@code --add-exports}, unlike the runtime's {@code SystemMemory}), counting what is
 * outstanding, plus the reads and writes the tests need. Method handles instead of naming
 * {@code sun.misc.Unsafe}, so that compiling stays free of "internal proprietary API" warnings.
 */
class UnsafeMemory implements RegionSource {
    private static final MethodHandle ALLOCATE;
    private static final MethodHandle FREE;
    private static final MethodHandle PUT_LONG;
    private static final MethodHandle GET_LONG;

    static {
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            Field field = unsafeClass.getDeclaredField("theUnsafe");
            field.setAccessible(true);
            Object unsafe = field.get(null);
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            ALLOCATE = lookup.findVirtual(unsafeClass, "allocateMemory",
                    MethodType.methodType(long.class, long.class)).bindTo(unsafe);
            FREE = lookup.findVirtual(unsafeClass, "freeMemory",
                    MethodType.methodType(void.class, long.class)).bindTo(unsafe);
            PUT_LONG = lookup.findVirtual(unsafeClass, "putLong",
                    MethodType.methodType(void.class, long.class, long.class)).bindTo(unsafe);
            GET_LONG = lookup.findVirtual(unsafeClass, "getLong",
                    MethodType.methodType(long.class, long.class)).bindTo(unsafe);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final long POISON = 0xDEADBEEFDEADBEEFL;
    private final AtomicLong outstandingBytes = new AtomicLong();
    private final AtomicLong droppedBytes = new AtomicLong();

    @Override
    public long reserve(long bytes) {
        long address = invokeLong(ALLOCATE, bytes);
        outstandingBytes.addAndGet(bytes);
        return address;
    }

    @Override
    public void release(long address, long bytes) {
        try {
            FREE.invokeExact(address);
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
        outstandingBytes.addAndGet(-bytes);
    }

    /**
     * Stands in for {@code madvise(MADV_DONTNEED)}: poisons the edges of every dropped page, so
     * that a model check fails if a pool ever drops pages of a live block.
     */
    @Override
    public void dropPages(long address, long bytes) {
        for (long page = address; page < address + bytes; page += 4096) {
            putLong(page, POISON);
            putLong(page + 8, POISON);
            putLong(page + 4096 - 16, POISON);
            putLong(page + 4096 - 8, POISON);
        }
        droppedBytes.addAndGet(bytes);
    }

    @Override
    public boolean canDropPages() {
        return true;
    }

    long droppedBytes() {
        return droppedBytes.get();
    }

    long outstandingBytes() {
        return outstandingBytes.get();
    }

    static void putLong(long address, long value) {
        try {
            PUT_LONG.invokeExact(address, value);
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }

    static long getLong(long address) {
        return invokeLong(GET_LONG, address);
    }

    private static long invokeLong(MethodHandle handle, long argument) {
        try {
            return (long) handle.invokeExact(argument);
        } catch (Throwable e) {
            throw new AssertionError(e);
        }
    }
}
