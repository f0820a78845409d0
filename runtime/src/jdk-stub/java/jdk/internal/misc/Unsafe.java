package jdk.internal.misc;

import java.security.ProtectionDomain;

/**
 * Compile-time stand-in for the JDK's {@code jdk.internal.misc.Unsafe} (not exported, so absent
 * from {@code --release 17}'s API), on the runtime's and the agent's source paths only: it lets
 * javac compile direct calls to the few methods below, and no class file of it is ever made
 * ({@code -implicit:none}). At run time the calls link to the JDK's own class, whose package the
 * agent exports to the runtime and to itself before any class calling it initialises. Every
 * method here has had this signature from JDK 9 to 25. A direct call costs the start-up nothing,
 * where six bound method handles cost 22 lambda-form classes on JDK 25.
 */
public final class Unsafe {
    private Unsafe() {
    }

    public static Unsafe getUnsafe() {
        throw new UnsupportedOperationException("compile-time stub");
    }

    public long allocateMemory(long bytes) {
        throw new UnsupportedOperationException("compile-time stub");
    }

    public long reallocateMemory(long address, long bytes) {
        throw new UnsupportedOperationException("compile-time stub");
    }

    public void freeMemory(long address) {
        throw new UnsupportedOperationException("compile-time stub");
    }

    public void setMemory(long address, long bytes, byte value) {
        throw new UnsupportedOperationException("compile-time stub");
    }

    public void copyMemory(long srcAddress, long destAddress, long bytes) {
        throw new UnsupportedOperationException("compile-time stub");
    }

    public void putLong(long address, long value) {
        throw new UnsupportedOperationException("compile-time stub");
    }

    public long getLong(long address) {
        throw new UnsupportedOperationException("compile-time stub");
    }

    public Class<?> defineClass(String name, byte[] b, int off, int len, ClassLoader loader,
                                ProtectionDomain protectionDomain) {
        throw new UnsupportedOperationException("compile-time stub");
    }
}
