package dev.alloc.it.programs;

import java.lang.reflect.Method;

/**
 * Reads the agent's pool figures from a program: the runtime is in the bootstrap class loader,
 * so its public classes are reachable by name (the program is not compiled against them).
 */
final class PoolProbe {
    private PoolProbe() {
    }

    private static Object statistics() throws Exception {
        Object s = Class.forName("dev.alloc.runtime.OffHeap").getMethod("poolStatistics").invoke(null);
        if (s == null) {
            throw new IllegalStateException("no pool: run with strategy=<pool>");
        }
        return s;
    }

    static long inUse() throws Exception {
        return figure("inUse");
    }

    static long misuses() throws Exception {
        return figure("misuses");
    }

    static long figure(String name) throws Exception {
        Object s = statistics();
        Method accessor = s.getClass().getMethod(name);
        return (long) accessor.invoke(s);
    }

    static long fallbacks() throws Exception {
        return (long) Class.forName("dev.alloc.runtime.OffHeap").getMethod("poolFallbacks").invoke(null);
    }
}
