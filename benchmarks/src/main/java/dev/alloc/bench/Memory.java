package dev.alloc.bench;

import java.lang.reflect.Field;
import sun.misc.Unsafe;

/** The {@code sun.misc.Unsafe} instance the benchmarks allocate with, as applications get it. */
final class Memory {
    static final Unsafe UNSAFE = unsafe();

    private Memory() {
    }

    private static Unsafe unsafe() {
        try {
            Field field = Unsafe.class.getDeclaredField("theUnsafe");
            field.setAccessible(true);
            return (Unsafe) field.get(null);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
