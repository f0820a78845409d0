package dev.alloc.it.programs;

import java.lang.reflect.Field;
import sun.misc.Unsafe;

/** The {@code sun.misc.Unsafe} instance, as libraries get it. */
public final class TheUnsafe {
    private TheUnsafe() {
    }

    public static Unsafe get() {
        try {
            Field field = Unsafe.class.getDeclaredField("theUnsafe");
            field.setAccessible(true);
            return (Unsafe) field.get(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
