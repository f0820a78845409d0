package jdk.internal.access;

/**
 * Compile-time stand-in for the JDK's {@code jdk.internal.access.SharedSecrets}, like the
 * {@code Unsafe} stub next door: no class file of it is made; the call links to the JDK's class,
 * whose package the agent exports to the runtime. The signature is the same from JDK 12 to 25.
 */
public final class SharedSecrets {
    private SharedSecrets() {
    }

    public static JavaLangRefAccess getJavaLangRefAccess() {
        throw new UnsupportedOperationException("compile-time stub");
    }
}
