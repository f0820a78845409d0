package dev.alloc.runtime;

import jdk.internal.misc.CarrierThreadLocal;

/**
 * Makes the JDK's {@code CarrierThreadLocal} (JDK 19+) with a plain constructor call, linked
 * only when {@link #create} first runs: no reflection, so no method-handle classes at start.
 * On an older JDK, or if {@code jdk.internal.misc} is not exported to the runtime, the call
 * fails to link and the caller falls back to a plain {@code ThreadLocal}.
 */
final class CarrierLocals {
    private CarrierLocals() {
    }

    static <T> ThreadLocal<T> create() {
        return new CarrierThreadLocal<>();
    }
}
