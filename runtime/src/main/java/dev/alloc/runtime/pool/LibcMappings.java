package dev.alloc.runtime.pool;

import java.lang.invoke.MethodHandle;
import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.util.Locale;
import java.util.Optional;

/**
 * libc's {@code mmap} and {@code madvise}, called through FFM downcall handles on JDK 22+ on
 * Linux (x86-64, AArch64: the same constants). The runtime is compiled for Java 17, so the FFM
 * API is reached by reflection; the handles themselves are plain {@code (long, ...)} method
 * handles, invoked exactly, so a call costs what a direct downcall costs.
 *
 * <p>Why {@code AbstractLinker.downcallHandle0} and not {@code Linker.downcallHandle}: the
 * public method is restricted, and called from the agent's (unnamed) module it prints a
 * four-line warning whose advice, {@code --enable-native-access=ALL-UNNAMED}, would also change
 * the application's behaviour (Netty, for one, switches to FFM {@code malloc} then). The agent
 * opens {@code jdk.internal.foreign.abi} to the runtime for this. Anything missing means
 * {@link #available()} is false, and the pool takes its chunks from the system allocator.
 */
final class LibcMappings {
    private static final int PROT_READ_WRITE = 0x3;
    private static final int MAP_PRIVATE_ANONYMOUS_NORESERVE = 0x02 | 0x20 | 0x4000;
    private static final int MADV_DONTNEED = 4;
    private static final long MAP_FAILED = -1L;

    private static final MethodHandle MMAP;
    private static final MethodHandle MADVISE;
    /** Why the calls are not available, or null when they are. */
    private static final String UNAVAILABLE;

    static {
        MethodHandle mmap = null;
        MethodHandle madvise = null;
        String why = null;
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        if (!os.startsWith("linux") || !(arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"))) {
            why = "not Linux on x86-64 or AArch64";
        } else {
            try {
                mmap = downcall("mmap", "JAVA_LONG", "JAVA_LONG", "JAVA_LONG", "JAVA_INT", "JAVA_INT", "JAVA_INT", "JAVA_LONG");
                madvise = downcall("madvise", "JAVA_INT", "JAVA_LONG", "JAVA_LONG", "JAVA_INT");
            } catch (ClassNotFoundException e) {
                why = "no FFM API before JDK 22";
            } catch (Throwable e) {
                why = e.toString();
            }
        }
        MMAP = why == null ? mmap : null;
        MADVISE = why == null ? madvise : null;
        UNAVAILABLE = why;
    }

    private LibcMappings() {
    }

    static boolean available() {
        return UNAVAILABLE == null;
    }

    /** Why {@link #available()} is false (for a debug line). */
    static String whyUnavailable() {
        return UNAVAILABLE;
    }

    /** Reserves {@code bytes} of private anonymous memory, pages committed on first touch; 0 on failure. */
    static long map(long bytes) {
        try {
            long address = (long) MMAP.invokeExact(0L, bytes, PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS_NORESERVE, -1, 0L);
            return address == MAP_FAILED ? 0 : address;
        } catch (Throwable e) {
            return 0;
        }
    }

    /** Gives the pages of a range back to the operating system; the range stays mapped and reads as zeros. */
    static boolean dropPages(long address, long bytes) {
        try {
            return (int) MADVISE.invokeExact(address, bytes, MADV_DONTNEED) == 0;
        } catch (Throwable e) {
            return false;
        }
    }

    private static MethodHandle downcall(String name, String result, String... params) throws Throwable {
        Class<?> linkerClass = Class.forName("java.lang.foreign.Linker");
        Class<?> layoutClass = Class.forName("java.lang.foreign.MemoryLayout");
        Class<?> valueLayoutClass = Class.forName("java.lang.foreign.ValueLayout");
        Class<?> descriptorClass = Class.forName("java.lang.foreign.FunctionDescriptor");
        Class<?> optionArrayClass = Array.newInstance(Class.forName("java.lang.foreign.Linker$Option"), 0).getClass();
        Object linker = linkerClass.getMethod("nativeLinker").invoke(null);
        Object libc = linkerClass.getMethod("defaultLookup").invoke(linker);
        Optional<?> symbol = (Optional<?>) Class.forName("java.lang.foreign.SymbolLookup")
                .getMethod("find", String.class).invoke(libc, name);
        if (!symbol.isPresent()) {
            throw new IllegalStateException("no symbol " + name);
        }
        Object[] layouts = (Object[]) Array.newInstance(layoutClass, params.length);
        for (int i = 0; i < params.length; i++) {
            layouts[i] = valueLayoutClass.getField(params[i]).get(null);
        }
        Object descriptor = descriptorClass.getMethod("of", layoutClass, layouts.getClass())
                .invoke(null, valueLayoutClass.getField(result).get(null), layouts);
        Method unrestricted = Class.forName("jdk.internal.foreign.abi.AbstractLinker")
                .getDeclaredMethod("downcallHandle0", descriptorClass, optionArrayClass);
        unrestricted.setAccessible(true);
        MethodHandle handle = (MethodHandle) unrestricted.invoke(linker, descriptor, Array.newInstance(optionArrayClass.getComponentType(), 0));
        return handle.bindTo(symbol.get());
    }
}
