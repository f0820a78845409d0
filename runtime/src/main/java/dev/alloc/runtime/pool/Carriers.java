package dev.alloc.runtime.pool;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * What the pools need to give virtual threads their carrier's cache (JDK 21+): the carrier
 * thread under the current thread, a thread-local that lives on the carrier
 * ({@code jdk.internal.misc.CarrierThreadLocal}), and pinning, so that a virtual thread is not
 * unmounted while it holds the carrier's cache across a lock. All three come from
 * {@code java.base} internals the agent exports to the runtime ({@code jdk.internal.misc},
 * {@code jdk.internal.access}, {@code jdk.internal.vm}); if any is missing (JDK 17–20, or the
 * runtime used without the agent), {@link #AVAILABLE} is false, {@link #current()} is the
 * current thread and {@link #newLocal()} a plain {@code ThreadLocal}: every thread, virtual
 * ones included, then has a cache of its own.
 *
 * <p>Why pin only around the slow paths: a virtual thread leaves its carrier only where it
 * blocks (JDK 21–25 have no preemption), so code that takes no lock, parks nowhere and does no
 * I/O between looking up the carrier's cache and its last use of it runs on that carrier
 * alone, as the JDK's own carrier-local caches assume (e.g. its temporary direct buffers). A
 * path that takes a pool lock is pinned: a contended monitor then blocks the carrier instead
 * of unmounting the virtual thread, and no other virtual thread can use the cache meanwhile.
 */
final class Carriers {
    private static final MethodHandle CURRENT_CARRIER;
    private static final MethodHandle PIN;
    private static final MethodHandle UNPIN;
    private static final Class<?> CARRIER_LOCAL;
    static final boolean AVAILABLE;

    static {
        MethodHandle current = null;
        MethodHandle pin = null;
        MethodHandle unpin = null;
        Class<?> local = null;
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            Class<?> secrets = Class.forName("jdk.internal.access.SharedSecrets");
            Class<?> access = Class.forName("jdk.internal.access.JavaLangAccess");
            Object langAccess = lookup.findStatic(secrets, "getJavaLangAccess", MethodType.methodType(access)).invoke();
            current = lookup.findVirtual(access, "currentCarrierThread", MethodType.methodType(Thread.class))
                    .bindTo(langAccess);
            Class<?> continuation = Class.forName("jdk.internal.vm.Continuation");
            pin = lookup.findStatic(continuation, "pin", MethodType.methodType(void.class));
            unpin = lookup.findStatic(continuation, "unpin", MethodType.methodType(void.class));
            local = Class.forName("jdk.internal.misc.CarrierThreadLocal");
            local.getConstructor().newInstance();
            if ((Thread) current.invokeExact() != Thread.currentThread()) {
                throw new IllegalStateException("the carrier of a platform thread is itself");
            }
            pin.invokeExact();
            unpin.invokeExact();
        } catch (Throwable e) {
            current = null;
        }
        AVAILABLE = current != null;
        CURRENT_CARRIER = AVAILABLE ? current : null;
        PIN = AVAILABLE ? pin : null;
        UNPIN = AVAILABLE ? unpin : null;
        CARRIER_LOCAL = AVAILABLE ? local : null;
    }

    private Carriers() {
    }

    /** The thread whose cache the current thread uses: its carrier if it is virtual, else itself. */
    static Thread current() {
        if (!AVAILABLE) {
            return Thread.currentThread();
        }
        try {
            return (Thread) CURRENT_CARRIER.invokeExact();
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** A thread-local whose value a virtual thread shares with its carrier (a plain one if not {@link #AVAILABLE}). */
    @SuppressWarnings("unchecked")
    static <T> ThreadLocal<T> newLocal() {
        if (AVAILABLE) {
            try {
                return (ThreadLocal<T>) CARRIER_LOCAL.getConstructor().newInstance();
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new IllegalStateException(e); // it was made once already in the static initializer
            }
        }
        return new ThreadLocal<T>();
    }

    /** Keeps the current virtual thread on its carrier until {@link #unpin}; only called when {@link #AVAILABLE}. */
    static void pin() {
        try {
            PIN.invokeExact();
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    static void unpin() {
        try {
            UNPIN.invokeExact();
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }
}
