package dev.alloc.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * The floor of exact accounting, for reference: one reserve and one release (two atomic adds)
 * on a counter all threads share, as the limit's total counter is. With two threads both adds
 * move the counter's cache line between the cores. {@code size} is only the amount added.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FloorBench {
    @Param({"64"})
    public long size;

    private final AtomicLong used = new AtomicLong();

    @Benchmark
    public long allocateFree() {
        used.getAndAdd(size);
        return used.getAndAdd(-size);
    }
}
