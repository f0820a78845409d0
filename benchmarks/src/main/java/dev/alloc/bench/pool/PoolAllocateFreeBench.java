package dev.alloc.bench.pool;

import dev.alloc.runtime.pool.MisuseListener;
import dev.alloc.runtime.pool.NativeAllocator;
import dev.alloc.runtime.pool.Pools;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.lang.reflect.Field;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import sun.misc.Unsafe;

/**
 * One allocate+free pair of native memory (issue 5): each pool strategy's allocator, called
 * directly, against {@code Unsafe} malloc/free and Netty's {@code PooledByteBufAllocator}
 * (a direct buffer taken and released), at 64 B, 4 KiB, 64 KiB and 1 MiB, on one thread and two
 * sharing one allocator, with 16 blocks of the size kept live so that no pair empties a chunk.
 * One implementation per fork, so every call is monomorphic.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 4, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
        "--add-opens=java.base/jdk.internal.foreign.abi=ALL-UNNAMED", "-Xmx512m"})
@State(Scope.Benchmark)
public class PoolAllocateFreeBench {
    @Param({"unsafe", "netty", "slab", "buddy", "tlsf", "arena"})
    public String allocator;

    @Param({"64", "4096", "65536", "1048576"})
    public int size;

    private static final long REGION = 256L << 20;
    private Unsafe unsafe;
    private PooledByteBufAllocator netty;
    private NativeAllocator pool;
    /** Blocks kept live through the trial, so that the pool is not empty between pairs. */
    private final long[] kept = new long[16];

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Field field = Unsafe.class.getDeclaredField("theUnsafe");
        field.setAccessible(true);
        unsafe = (Unsafe) field.get(null);
        if (allocator.equals("netty")) {
            netty = new PooledByteBufAllocator(true);
        } else if (!allocator.equals("unsafe")) {
            pool = Pools.create(allocator, REGION, Pools.sourceFor(REGION), MisuseListener.IGNORE);
        }
        for (int i = 0; i < kept.length; i++) {
            kept[i] = pool != null ? pool.allocate(size, 16) : unsafe.allocateMemory(size);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (long address : kept) {
            if (pool != null) {
                pool.free(address);
            } else {
                unsafe.freeMemory(address);
            }
        }
        if (pool != null) {
            pool.close();
        }
    }

    private long pair() {
        if (pool != null) {
            long address = pool.allocate(size, 16);
            pool.free(address, size); // as the agent frees: with the size it recorded
            return address;
        }
        if (netty != null) {
            ByteBuf buffer = netty.directBuffer(size);
            long capacity = buffer.capacity();
            buffer.release();
            return capacity;
        }
        long address = unsafe.allocateMemory(size);
        unsafe.freeMemory(address);
        return address;
    }

    @Benchmark
    @Threads(1)
    public long oneThread() {
        return pair();
    }

    @Benchmark
    @Threads(2)
    public long twoThreads() {
        return pair();
    }
}
