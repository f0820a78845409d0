package dev.alloc.runtime;

/**
 * Tells a virtual thread from a platform thread on every JDK the agent runs on: the runtime is
 * compiled for 17, which has no {@code Thread.isVirtual()}. That method is {@code instanceof
 * java.lang.BaseVirtualThread} (JDK 21+; {@code VirtualThread} before), so the same class test,
 * with the class found once by name, answers it: no method handle, whose invoker the JVM would
 * spin at the agent's start.
 */
public final class VirtualThreads {
    /** The common supertype of virtual threads, or null before JDK 19 (no virtual threads). */
    private static final Class<?> VIRTUAL = virtualThreadClass();

    private VirtualThreads() {
    }

    /** True when {@code thread} is a virtual thread; always false before JDK 19. */
    public static boolean isVirtual(Thread thread) {
        return VIRTUAL != null && VIRTUAL.isInstance(thread);
    }

    private static Class<?> virtualThreadClass() {
        for (String name : new String[] {"java.lang.BaseVirtualThread", "java.lang.VirtualThread"}) {
            try {
                return Class.forName(name, false, null);
            } catch (ClassNotFoundException e) {
                // JDK 19-20 have only VirtualThread; before 19, neither
            }
        }
        return null;
    }
}
