package dev.alloc.bench;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * {@code ByteBuffer.allocateDirect(size)} then {@code Unsafe.invokeCleaner}: the whole life of a
 * direct buffer freed explicitly (reservation in {@code java.nio.Bits}, malloc, zeroing, the
 * Cleaner, free). The call site is rewritten by the agent, so the pair is attributed without a
 * stack walk.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class DirectBufferBench {
    @Param({"64", "4096", "1048576"})
    public int size;

    @Benchmark
    public int allocateFree() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(size);
        int capacity = buffer.capacity();
        Memory.UNSAFE.invokeCleaner(buffer);
        return capacity;
    }
}
