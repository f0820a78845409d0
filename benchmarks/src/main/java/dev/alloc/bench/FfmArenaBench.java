package dev.alloc.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * An FFM confined arena opened, one segment of {@code size} bytes allocated, the arena closed
 * (JDK 22+). The body is {@code dev.alloc.bench.ffm.ConfinedArena}, compiled with release 22 from
 * {@code src/main/java22} when Maven runs on JDK 22+: its {@code Arena.allocate} call is a real
 * call instruction, so the agent rewrites it like any application's.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FfmArenaBench {
    /** The class holding the FFM body; absent when the benchmarks were built on JDK 17. */
    public static final String BODY = "dev.alloc.bench.ffm.ConfinedArena";

    @Param({"64", "4096"})
    public long size;

    private AllocateFree body;

    @Setup
    public void setUp() throws ReflectiveOperationException {
        body = (AllocateFree) Class.forName(BODY).getConstructor(long.class).newInstance(size);
    }

    @Benchmark
    public long allocateFree() {
        return body.run();
    }

    /** True when this JVM can run the benchmark: the body was compiled in and FFM is final (JDK 22+). */
    public static boolean available(ClassLoader loader) {
        return loader.getResource(BODY.replace('.', '/') + ".class") != null;
    }
}
