package dev.alloc.it.programs;

import java.lang.invoke.MethodHandle;
import java.lang.reflect.Array;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.util.Optional;
import sun.misc.Unsafe;

/**
 * The JDK semantics table: every edge case of {@code sun.misc.Unsafe}, {@code allocateDirect}
 * and (JDK 22+) FFM arenas and libc downcalls, one line each, {@code row <name> = <outcome>}:
 * {@code 0} or {@code nonzero} for a returned address, {@code void}, or the exception's class
 * and message. A test runs it with and without the agent and compares the lines. Blocks that
 * must survive a refused call are written before and read after it ({@code , kept}), then freed:
 * a block the agent freed behind the program's back shows up (or aborts in libc's free).
 *
 * <p>Then {@code check} lines that only mean something with the agent, and one block of
 * 1,999,993 bytes held to the exit, taken with no rewritten call site right after a limit error
 * at one ({@link #unattributed}).
 */
public final class JdkEdgeCases {
    private static final Unsafe U = TheUnsafe.get();
    private static final long HUGE = 3L << 40; // malloc refuses 3 TiB here (overcommit heuristic)

    interface Row {
        Object run() throws Throwable;
    }

    public static void main(String[] args) throws Throwable {
        unsafeRows();
        directRows();
        if (Runtime.version().feature() >= 22) {
            Ffm.rows();
        }
        unattributed();
        System.out.println("done");
    }

    static void row(String name, Row row) {
        String outcome;
        try {
            Object result = row.run();
            outcome = result == null ? "void" : result instanceof Long ? ((Long) result == 0 ? "0" : "nonzero") : result.toString();
        } catch (Throwable t) {
            Throwable e = t instanceof InvocationTargetException ? t.getCause() : t;
            outcome = e.getClass().getName() + ": " + e.getMessage();
        }
        System.out.println("row " + name + " = " + outcome);
        System.out.flush();
    }

    /** Allocates, marks, runs {@code call} on the block, and checks the mark: the outcome plus {@code , kept} when intact. */
    static String onBlock(long size, java.util.function.LongFunction<Row> call, boolean freedByCall) {
        long block = U.allocateMemory(size);
        U.putLong(block, 0x5EED_1234_5678_9ABCL);
        String outcome;
        try {
            Object result = call.apply(block).run();
            outcome = result == null ? "void" : (Long) result == 0 ? "0" : "nonzero";
            if ((Long) result != 0 && (Long) result != block) {
                block = (Long) result;
            }
        } catch (Throwable t) {
            outcome = t.getClass().getName() + ": " + t.getMessage();
        }
        if (freedByCall && outcome.equals("0")) {
            return outcome;
        }
        boolean kept = U.getLong(block) == 0x5EED_1234_5678_9ABCL;
        U.freeMemory(block);
        return outcome + (kept ? ", kept" : ", overwritten");
    }

    static void unsafeRows() {
        row("unsafe.allocateMemory(-1)", () -> U.allocateMemory(-1));
        row("unsafe.allocateMemory(0)", () -> U.allocateMemory(0));
        row("unsafe.allocateMemory(Long.MAX_VALUE)", () -> U.allocateMemory(Long.MAX_VALUE));
        row("unsafe.allocateMemory(Long.MAX_VALUE - 7)", () -> U.allocateMemory(Long.MAX_VALUE - 7));
        row("unsafe.allocateMemory(1 << 62)", () -> U.allocateMemory(1L << 62));
        row("unsafe.allocateMemory(3 TiB)", () -> U.allocateMemory(HUGE));
        row("unsafe.allocateMemory(1999993)", () -> {
            long a = U.allocateMemory(1_999_993);
            U.freeMemory(a);
            return a;
        });
        row("unsafe.reallocateMemory(0, -1)", () -> U.reallocateMemory(0, -1));
        row("unsafe.reallocateMemory(0, 0)", () -> U.reallocateMemory(0, 0));
        row("unsafe.reallocateMemory(0, 4099)", () -> {
            long a = U.reallocateMemory(0, 4099);
            U.freeMemory(a);
            return a;
        });
        row("unsafe.reallocateMemory(p, -1)", () -> onBlock(1000, p -> () -> U.reallocateMemory(p, -1), false));
        row("unsafe.reallocateMemory(p, Long.MIN_VALUE)", () -> onBlock(1000, p -> () -> U.reallocateMemory(p, Long.MIN_VALUE), false));
        row("unsafe.reallocateMemory(p, Long.MAX_VALUE)", () -> onBlock(1000, p -> () -> U.reallocateMemory(p, Long.MAX_VALUE), false));
        row("unsafe.reallocateMemory(p, 3 TiB)", () -> onBlock(1000, p -> () -> U.reallocateMemory(p, HUGE), false));
        row("unsafe.reallocateMemory(p, 0)", () -> onBlock(1000, p -> () -> U.reallocateMemory(p, 0), true));
        row("unsafe.reallocateMemory(p, 77777)", () -> onBlock(1000, p -> () -> U.reallocateMemory(p, 77_777), false));
        row("unsafe.freeMemory(0)", () -> {
            U.freeMemory(0);
            return null;
        });
    }

    static void directRows() {
        row("allocateDirect(-1)", () -> ByteBuffer.allocateDirect(-1));
        row("allocateDirect(0)", () -> "capacity " + ByteBuffer.allocateDirect(0).capacity());
        row("allocateDirect(Integer.MAX_VALUE)", () -> ByteBuffer.allocateDirect(Integer.MAX_VALUE));
        row("allocateDirect(1000003)", () -> "capacity " + ByteBuffer.allocateDirect(1_000_003).capacity());
    }

    /**
     * A limit error at a rewritten call site, then an allocation with no rewritten site (a
     * reflective call) on the same thread: it must be named by its own frame (the {@code m.invoke}
     * line), not by the site that threw. Without a limit the first allocation succeeds; freed.
     */
    static void unattributed() throws Exception {
        try {
            U.freeMemory(U.allocateMemory(1_500_000_007L)); // the rewritten site that meets limit=1g
            System.out.println("check limit error: none");
        } catch (Error e) {
            System.out.println("check limit error: " + e.getClass().getName());
        }
        Method m = Unsafe.class.getMethod("allocateMemory", long.class);
        long held = (long) m.invoke(U, 1_999_993L);
        System.out.println("check held " + (held != 0));
    }

    /** The agent's total in use, read by name (the runtime is in the boot loader), or -1 without the agent. */
    static long agentUsed() {
        try {
            Class<?> offHeap = Class.forName("dev.alloc.runtime.OffHeap");
            Object limiter = offHeap.getMethod("limiter").invoke(null);
            Class<?> limiterClass = limiter.getClass();
            int total = limiterClass.getField("TOTAL").getInt(null);
            return (long) limiterClass.getMethod("used", int.class).invoke(limiter, total);
        } catch (ReflectiveOperationException e) {
            return -1;
        }
    }

    /** FFM, through reflection: this class is compiled for Java 17. */
    static final class Ffm {
        static final Class<?> ARENA;
        static final Class<?> SEGMENT;
        static final Class<?> LAYOUT;
        static final Object JAVA_LONG;
        static final MethodHandle MALLOC;
        static final MethodHandle CALLOC;
        static final MethodHandle REALLOC;
        static final MethodHandle FREE;

        static {
            try {
                ARENA = Class.forName("java.lang.foreign.Arena");
                SEGMENT = Class.forName("java.lang.foreign.MemorySegment");
                LAYOUT = Class.forName("java.lang.foreign.MemoryLayout");
                JAVA_LONG = Class.forName("java.lang.foreign.ValueLayout").getField("JAVA_LONG").get(null);
                MALLOC = downcall("malloc", true, 1);
                CALLOC = downcall("calloc", true, 2);
                REALLOC = downcall("realloc", true, 2);
                FREE = downcall("free", false, 1);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        /** A downcall to libc's {@code name} with {@code JAVA_LONG} parameters (and result), as Netty declares them. */
        static MethodHandle downcall(String name, boolean returnsLong, int parameters) throws ReflectiveOperationException {
            Class<?> linkerClass = Class.forName("java.lang.foreign.Linker");
            Class<?> descriptorClass = Class.forName("java.lang.foreign.FunctionDescriptor");
            Class<?> optionClass = Class.forName("java.lang.foreign.Linker$Option");
            Object linker = linkerClass.getMethod("nativeLinker").invoke(null);
            Object lookup = linkerClass.getMethod("defaultLookup").invoke(linker);
            Object symbol = ((Optional<?>) Class.forName("java.lang.foreign.SymbolLookup").getMethod("find", String.class)
                    .invoke(lookup, name)).orElseThrow();
            Object layouts = Array.newInstance(LAYOUT, parameters);
            for (int i = 0; i < parameters; i++) {
                Array.set(layouts, i, JAVA_LONG);
            }
            Object descriptor = returnsLong
                    ? descriptorClass.getMethod("of", LAYOUT, layouts.getClass()).invoke(null, JAVA_LONG, layouts)
                    : descriptorClass.getMethod("ofVoid", layouts.getClass()).invoke(null, layouts);
            return (MethodHandle) linkerClass.getMethod("downcallHandle", SEGMENT, descriptorClass,
                    Array.newInstance(optionClass, 0).getClass()).invoke(linker, symbol, descriptor, Array.newInstance(optionClass, 0));
        }

        static Object allocate(long size, long alignment) throws Throwable {
            Object arena = ARENA.getMethod("ofConfined").invoke(null);
            try {
                Object segment = ARENA.getMethod("allocate", long.class, long.class).invoke(arena, size, alignment);
                return SEGMENT.getMethod("address").invoke(segment);
            } finally {
                ARENA.getMethod("close").invoke(arena);
            }
        }

        static void rows() {
            row("arena.allocate(-1, 8)", () -> allocate(-1, 8));
            row("arena.allocate(0, 1)", () -> allocate(0, 1));
            row("arena.allocate(16, 3)", () -> allocate(16, 3));
            row("arena.allocate(16, 0)", () -> allocate(16, 0));
            row("arena.allocate(16, -8)", () -> allocate(16, -8));
            row("arena.allocate(Long.MAX_VALUE, 8)", () -> allocate(Long.MAX_VALUE, 8));
            row("arena.allocate(3 TiB, 8)", () -> allocate(HUGE, 8));
            row("arena.allocate(1000003, 4096)", () -> allocate(1_000_003, 4096));
            row("malloc(0)", () -> free((long) MALLOC.invokeExact(0L)));
            row("malloc(-1)", () -> (long) MALLOC.invokeExact(-1L));
            row("malloc(3 TiB)", () -> (long) MALLOC.invokeExact(HUGE));
            row("calloc(-1, 8)", () -> (long) CALLOC.invokeExact(-1L, 8L));
            row("calloc(2^40, 2^40)", () -> (long) CALLOC.invokeExact(1L << 40, 1L << 40));
            row("realloc(NULL, 0)", () -> free((long) REALLOC.invokeExact(0L, 0L)));
            row("realloc(NULL, -1)", () -> (long) REALLOC.invokeExact(0L, -1L));
            row("realloc(p, 0)", () -> (long) REALLOC.invokeExact((long) MALLOC.invokeExact(1000L), 0L));
            row("realloc(p, -1)", () -> keptAfterRealloc(-1L));
            row("realloc(p, 3 TiB)", () -> keptAfterRealloc(HUGE));
            row("free(NULL)", () -> {
                FREE.invokeExact(0L);
                return null;
            });
            row("free(unsafe block)", () -> {
                FREE.invokeExact(U.allocateMemory(4096));
                return null;
            });
        }

        static long free(long address) throws Throwable {
            FREE.invokeExact(address);
            return address;
        }

        /** realloc that libc refuses: NULL, the block kept (and, with the agent, still counted). */
        static String keptAfterRealloc(long size) throws Throwable {
            long p = (long) MALLOC.invokeExact(1000L);
            U.putLong(p, 0x5EED_1234_5678_9ABCL);
            try {
                long before = agentUsed();
                long moved = (long) REALLOC.invokeExact(p, size);
                long after = agentUsed();
                boolean kept = U.getLong(p) == 0x5EED_1234_5678_9ABCL;
                System.out.println("check realloc(p, " + size + ") counted before " + before + " after " + after);
                return (moved == 0 ? "0" : "nonzero") + (kept ? ", kept" : ", overwritten");
            } finally {
                FREE.invokeExact(p);
            }
        }
    }
}
