package dev.alloc.it.programs;

import java.lang.reflect.Field;
import sun.misc.Unsafe;

/** Calls sun.misc.Unsafe's memory methods directly, as Agrona or Chronicle do. */
public final class UnsafeCaller {
    public static void main(String[] args) throws Exception {
        Field field = Unsafe.class.getDeclaredField("theUnsafe");
        field.setAccessible(true);
        Unsafe unsafe = (Unsafe) field.get(null);
        long address = unsafe.allocateMemory(999_983);
        unsafe.freeMemory(address);
        System.out.println("done");
    }
}
