package dev.alloc.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/** {@code sun.misc.Unsafe.allocateMemory(size)} then {@code freeMemory}: malloc and free plus the agent's accounting. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class UnsafeBench {
    @Param({"64", "4096", "16384"})
    public long size;

    @Benchmark
    public long allocateFree() {
        long address = Memory.UNSAFE.allocateMemory(size);
        Memory.UNSAFE.freeMemory(address);
        return address;
    }
}
