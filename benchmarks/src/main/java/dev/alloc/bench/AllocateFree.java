package dev.alloc.bench;

/**
 * One allocate+free, implemented outside the Java 17 sources when it needs newer APIs (the FFM
 * bodies in {@code src/main/java22}). Each benchmark state holds exactly one implementation, so
 * the call is monomorphic and inlined.
 */
public interface AllocateFree {
    long run();
}
