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
 * Floors, for reading the agent's figures: one reserve and one release (two atomic adds) on a
 * counter every thread shares (as the limit's total is), on a counter each thread owns (what
 * striped or leased accounting pays), plain ordered writes to a thread-owned cell (what
 * per-thread statistics pay), and one {@code ThreadLocal.get}. Run without the agent.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FloorBench {
    private static final ThreadLocal<long[]> LOCAL = ThreadLocal.withInitial(() -> new long[1]);

    @State(Scope.Benchmark)
    public static class Shared {
        @Param({"64"})
        public long size;
        final AtomicLong used = new AtomicLong();
    }

    @State(Scope.Thread)
    public static class Owned {
        @Param({"64"})
        public long size;
        final AtomicLong used = new AtomicLong(); // a State object per thread: no line shared with another thread
        final long[] cell = new long[32];
    }

    @Benchmark
    public long sharedAtomic(Shared s) {
        s.used.getAndAdd(s.size);
        return s.used.getAndAdd(-s.size);
    }

    @Benchmark
    public long ownedAtomic(Owned o) {
        o.used.getAndAdd(o.size);
        return o.used.getAndAdd(-o.size);
    }

    @Benchmark
    public long ownedPlain(Owned o) {
        o.used.setOpaque(o.used.getPlain() + o.size);
        o.used.setOpaque(o.used.getPlain() - o.size);
        return o.used.getPlain();
    }

    @Benchmark
    public long[] threadLocalGet() {
        return LOCAL.get();
    }
}
