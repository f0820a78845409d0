import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * libc's allocation functions called through FFM downcall handles (java LibcMalloc.java
 * hold|functions), declared both ways programs declare them: pointers as JAVA_LONG (Netty) and
 * as ADDRESS (MemorySegment).
 */
public class LibcMalloc {
    static final Linker LINKER = Linker.nativeLinker();
    static final MethodHandle MALLOC = handle("malloc", FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
    static final MethodHandle MALLOC_SEGMENT = handle("malloc", FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    static final MethodHandle CALLOC = handle("calloc",
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
    static final MethodHandle REALLOC = handle("realloc",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
    static final MethodHandle POSIX_MEMALIGN = handle("posix_memalign",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
    static final MethodHandle ALIGNED_ALLOC = handle("aligned_alloc",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
    static final MethodHandle FREE = handle("free", FunctionDescriptor.ofVoid(ValueLayout.JAVA_LONG));
    static final MethodHandle FREE_SEGMENT = handle("free", FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));

    static MethodHandle handle(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), descriptor);
    }

    public static void main(String[] args) throws Throwable {
        if (args[0].equals("hold")) {
            hold();
        } else {
            if (args[0].equals("unsafe")) unsafeFreedByLibc(); else functions();
        }
    }

    /** 1 MiB blocks until the limit stops it; free them all; as many again. */
    static void hold() throws Throwable {
        long[] blocks = new long[100];
        int held = 0;
        try {
            for (; held < 100; held++) {
                blocks[held] = (long) MALLOC.invokeExact(1L << 20);
            }
        } catch (OutOfMemoryError e) {
            System.out.println("error " + e.getClass().getName() + ": " + e.getMessage());
        }
        System.out.println("held " + held);
        for (int i = 0; i < held; i++) {
            FREE.invokeExact(blocks[i]);
        }
        int again = 0;
        for (; again < held; again++) {
            blocks[again] = (long) MALLOC.invokeExact(1L << 20);
        }
        System.out.println("again " + again);
    }

    static void functions() throws Throwable {
        long freed = (long) MALLOC.invokeExact(1_000_003L);
        FREE.invokeExact(freed);
        MemorySegment segment = (MemorySegment) MALLOC_SEGMENT.invokeExact(777_781L);
        MemorySegment zeroed = (MemorySegment) CALLOC.invokeExact(1_001L, 333L);
        long moved = grow();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.JAVA_LONG);
            int result = (int) POSIX_MEMALIGN.invokeExact(out, 4096L, 123_457L);
            System.out.println("posix_memalign " + result + " aligned " + (out.get(ValueLayout.JAVA_LONG, 0) % 4096 == 0));
        }
        long aligned = (long) ALIGNED_ALLOC.invokeExact(64L, 64_064L);
        System.out.println("aligned_alloc aligned " + (aligned % 64 == 0));
        FREE_SEGMENT.invokeExact(segment);
        System.out.println("kept " + (zeroed.address() != 0 && moved != 0));
    }

    /** realloc(NULL) is malloc; growing keeps the data and moves the block to this site. */
    static long grow() throws Throwable {
        long block = (long) REALLOC.invokeExact(0L, 5_000L);
        MemorySegment.ofAddress(block).reinterpret(5_000).fill((byte) 7);
        block = (long) REALLOC.invokeExact(block, 2_000_003L);
        byte kept = MemorySegment.ofAddress(block).reinterpret(5_000).get(ValueLayout.JAVA_BYTE, 4_999);
        System.out.println("realloc kept " + (kept == 7));
        return block;
    }

    /** Memory from Unsafe given to libc's free through a downcall, as a program may: freed once, counted as freed. */
    static void unsafeFreedByLibc() throws Throwable {
        java.lang.reflect.Field field = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
        field.setAccessible(true);
        sun.misc.Unsafe unsafe = (sun.misc.Unsafe) field.get(null);
        for (int i = 0; i < 3; i++) {
            long block = unsafe.allocateMemory(999_983);
            FREE.invokeExact(block);
        }
        System.out.println("freed by libc");
    }
}
