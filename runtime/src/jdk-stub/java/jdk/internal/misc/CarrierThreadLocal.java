package jdk.internal.misc;

/**
 * Compile-time stub of the JDK's carrier thread-local (JDK 19+; never packaged, see
 * {@code Unsafe} here): a thread-local whose value a virtual thread shares with its carrier.
 */
public class CarrierThreadLocal<T> extends ThreadLocal<T> {
    public CarrierThreadLocal() {
    }
}
