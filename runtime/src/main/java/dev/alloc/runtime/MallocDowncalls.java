package dev.alloc.runtime;

import dev.alloc.runtime.report.Log;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.util.Optional;

/**
 * Wraps the FFM downcall handles that call libc's allocation functions, so that their memory
 * is counted as kind {@code malloc} (see {@link MallocHooks} for what a wrapped call does).
 *
 * <p>The agent weaves a call to {@link #wrap} into {@code AbstractLinker.downcallHandle(
 * MemorySegment, FunctionDescriptor, Option...)}, on the handle it returns. The target address
 * is compared with libc's {@code malloc}, {@code calloc}, {@code realloc}, {@code free},
 * {@code posix_memalign} and {@code aligned_alloc} as the default lookup finds them and as
 * {@code dlsym(RTLD_DEFAULT, ...)} does (Netty's way, which finds an {@code LD_PRELOAD}ed
 * allocator first). The runtime is compiled for Java 17, so FFM types are never named: the
 * adapter is built with method-handle combinators from reflectively found classes.
 *
 * <p>An adapter has exactly the original handle's type. Pointers may be declared as
 * {@code ADDRESS} ({@code MemorySegment}) or {@code JAVA_LONG}, sizes must be {@code JAVA_LONG};
 * other shapes (and linker options that add parameters) are left unwrapped.
 */
public final class MallocDowncalls {
    private static final int SIZE = 0;
    private static final int POINTER = 1;

    /** One libc function: name, parameter kinds, return kind ({@code -1} void, {@code 2} int). */
    private static final class Function {
        final String name;
        final String hook;
        final int[] parameters;
        final int result;

        Function(String name, String hook, int result, int... parameters) {
            this.name = name;
            this.hook = hook;
            this.result = result;
            this.parameters = parameters;
        }
    }

    private static final int VOID = -1;
    private static final int INT = 2;
    private static final Function[] FUNCTIONS = {
        new Function("malloc", "Malloc", POINTER, SIZE),
        new Function("calloc", "Calloc", POINTER, SIZE, SIZE),
        new Function("realloc", "Realloc", POINTER, POINTER, SIZE),
        new Function("free", "Free", VOID, POINTER),
        new Function("posix_memalign", "PosixMemalign", INT, POINTER, SIZE, SIZE),
        new Function("aligned_alloc", "AlignedAlloc", POINTER, SIZE, SIZE),
    };

    private MallocDowncalls() {
    }

    /**
     * Called by the woven linker on every downcall handle it returns: the handle itself, or a
     * counting adapter when it calls one of libc's allocation functions. Never throws.
     */
    public static MethodHandle wrap(MethodHandle handle, Object symbol) {
        if (!OffHeap.tracks(Kind.MALLOC) || handle == null) {
            return handle;
        }
        SiteContext context = SiteContext.current();
        if (context.inAgent) {
            return handle;
        }
        context.enterAgent();
        try {
            Function function = Symbols.INSTANCE.functionAt(Ffm.address(symbol));
            if (function == null) {
                return handle;
            }
            MethodHandle adapter = adapt(function, handle);
            if (adapter == null) {
                Log.debug("left a downcall handle to " + function.name + " unwrapped: unexpected type " + handle.type());
                return handle;
            }
            return adapter;
        } catch (Throwable e) {
            Log.warn("cannot count a downcall handle's malloc memory (" + e + "); it runs untracked");
            return handle;
        } finally {
            context.exitAgent(false);
        }
    }

    /** {@code token = before(args); try { target(args) } finally { after(thrown, result, token, args) }}. */
    private static MethodHandle adapt(Function function, MethodHandle target) throws ReflectiveOperationException {
        MethodType type = target.type();
        int n = function.parameters.length;
        if (type.parameterCount() != n || !returns(type.returnType(), function.result)) {
            return null;
        }
        for (int i = 0; i < n; i++) {
            Class<?> p = type.parameterType(i);
            if (!(p == long.class || function.parameters[i] == POINTER && p == Ffm.SEGMENT)) {
                return null;
            }
        }
        Class<?>[] longs = new Class<?>[n];
        java.util.Arrays.fill(longs, long.class);
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        MethodHandle before = lookup.findStatic(MallocHooks.class, "before" + function.hook,
                MethodType.methodType(long.class, longs));
        MethodType afterType = MethodType.methodType(void.class, Throwable.class);
        if (function.result != VOID) {
            afterType = afterType.appendParameterTypes(function.result == INT ? int.class : long.class);
        }
        MethodHandle after = lookup.findStatic(MallocHooks.class, "after" + function.hook,
                afterType.appendParameterTypes(long.class).appendParameterTypes(longs));
        int firstArgument = afterType.parameterCount() + 1;
        for (int i = 0; i < n; i++) {
            if (type.parameterType(i) == Ffm.SEGMENT) {
                before = MethodHandles.filterArguments(before, i, Ffm.ADDRESS);
                after = MethodHandles.filterArguments(after, firstArgument + i, Ffm.ADDRESS);
            }
        }
        Class<?> result = type.returnType();
        if (result == Ffm.SEGMENT) {
            after = MethodHandles.filterArguments(after, 1, Ffm.ADDRESS_OR_ZERO);
        }
        // after: (Throwable, [R,] long token, P...)void -> the cleanup of tryFinally, returning R unchanged
        MethodHandle cleanup = after;
        if (result != void.class) {
            MethodHandle passResult = MethodHandles.dropArguments(MethodHandles.identity(result), 0, Throwable.class);
            passResult = MethodHandles.dropArguments(passResult, 2, after.type().parameterList().subList(2, 3 + n));
            cleanup = MethodHandles.foldArguments(passResult, after);
        }
        MethodHandle call = MethodHandles.tryFinally(MethodHandles.dropArguments(target, 0, long.class), cleanup);
        MethodHandle adapter = MethodHandles.foldArguments(call, before);
        if (function.result == VOID) {
            adapter = poolMemoryToThePool(adapter, lookup);
        }
        return adapter.type().equals(type) ? adapter : null;
    }

    /** {@code free(p)}: pool memory goes back to the pool and never reaches libc (see {@link MallocHooks#isPoolMemory}). */
    private static MethodHandle poolMemoryToThePool(MethodHandle free, MethodHandles.Lookup lookup)
            throws ReflectiveOperationException {
        MethodHandle test = lookup.findStatic(MallocHooks.class, "isPoolMemory", MethodType.methodType(boolean.class, long.class));
        MethodHandle toPool = lookup.findStatic(MallocHooks.class, "freeToPool", MethodType.methodType(void.class, long.class));
        if (free.type().parameterType(0) == Ffm.SEGMENT) {
            test = MethodHandles.filterArguments(test, 0, Ffm.ADDRESS);
            toPool = MethodHandles.filterArguments(toPool, 0, Ffm.ADDRESS);
        }
        return MethodHandles.guardWithTest(test, toPool, free);
    }

    private static boolean returns(Class<?> type, int result) {
        switch (result) {
            case VOID:
                return type == void.class;
            case INT:
                return type == int.class;
            default:
                return type == long.class || type == Ffm.SEGMENT;
        }
    }

    /** The addresses of libc's allocation functions, found once, on first use. */
    private static final class Symbols {
        static final Symbols INSTANCE = new Symbols();

        /** Two candidate addresses per function: the default lookup's and dlsym(RTLD_DEFAULT)'s. */
        private final long[] addresses = new long[FUNCTIONS.length * 2];

        private Symbols() {
            MethodHandle dlsym = Ffm.dlsymDefault();
            for (int i = 0; i < FUNCTIONS.length; i++) {
                addresses[2 * i] = Ffm.defaultLookup(FUNCTIONS[i].name);
                addresses[2 * i + 1] = dlsym == null ? 0 : Ffm.dlsym(dlsym, FUNCTIONS[i].name);
            }
        }

        Function functionAt(long address) {
            if (address == 0) {
                return null;
            }
            for (int i = 0; i < addresses.length; i++) {
                if (addresses[i] == address) {
                    return FUNCTIONS[i / 2];
                }
            }
            return null;
        }
    }

    /** The few FFM types and calls the adapters need, found reflectively (JDK 22+ only). */
    private static final class Ffm {
        static final Class<?> SEGMENT;
        /** {@code MemorySegment.address()}: (MemorySegment)long. */
        static final MethodHandle ADDRESS;
        /** The same, 0 for null (the result slot when the call threw): (MemorySegment)long. */
        static final MethodHandle ADDRESS_OR_ZERO;
        private static final MethodHandle ADDRESS_OF_OBJECT;

        static {
            try {
                SEGMENT = Class.forName("java.lang.foreign.MemorySegment");
                MethodHandles.Lookup lookup = MethodHandles.lookup();
                ADDRESS = lookup.findVirtual(SEGMENT, "address", MethodType.methodType(long.class));
                ADDRESS_OF_OBJECT = ADDRESS.asType(MethodType.methodType(long.class, Object.class));
                ADDRESS_OR_ZERO = lookup.findStatic(Ffm.class, "addressOrZero",
                        MethodType.methodType(long.class, Object.class)).asType(MethodType.methodType(long.class, SEGMENT));
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        static long address(Object segment) throws Throwable {
            return (long) ADDRESS_OF_OBJECT.invokeExact(segment);
        }

        @SuppressWarnings("unused") // called through ADDRESS_OR_ZERO
        private static long addressOrZero(Object segment) throws Throwable {
            return segment == null ? 0 : (long) ADDRESS_OF_OBJECT.invokeExact(segment);
        }

        /** The address the native linker's default lookup gives {@code name}, or 0. */
        static long defaultLookup(String name) {
            try {
                Class<?> linkerClass = Class.forName("java.lang.foreign.Linker");
                Object linker = linkerClass.getMethod("nativeLinker").invoke(null);
                Object lookup = linkerClass.getMethod("defaultLookup").invoke(linker);
                Method find = Class.forName("java.lang.foreign.SymbolLookup").getMethod("find", String.class);
                Optional<?> symbol = (Optional<?>) find.invoke(lookup, name);
                return symbol.isPresent() ? address(symbol.get()) : 0;
            } catch (Throwable e) {
                Log.debug("no default-lookup address for " + name + ": " + e);
                return 0;
            }
        }

        /**
         * {@code dlsym(RTLD_DEFAULT, name)} through the JVM's own {@code NativeLibrary.findEntry0}
         * (RTLD_DEFAULT is the null handle on Linux), which needs no restricted FFM call; null
         * where that is not available (the agent opens {@code jdk.internal.loader} to us).
         */
        static MethodHandle dlsymDefault() {
            if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
                return null;
            }
            try {
                Class<?> nativeLibrary = Class.forName("jdk.internal.loader.NativeLibrary");
                return MethodHandles.privateLookupIn(nativeLibrary, MethodHandles.lookup()).findStatic(nativeLibrary,
                        "findEntry0", MethodType.methodType(long.class, long.class, String.class));
            } catch (Throwable e) {
                Log.debug("no dlsym(RTLD_DEFAULT): " + e);
                return null;
            }
        }

        static long dlsym(MethodHandle findEntry, String name) {
            try {
                return (long) findEntry.invokeExact(0L, name);
            } catch (Throwable e) {
                return 0;
            }
        }
    }
}
