package dev.alloc.bench.pool;

import dev.alloc.runtime.pool.MisuseListener;
import dev.alloc.runtime.pool.NativeAllocator;
import dev.alloc.runtime.pool.Pools;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import sun.misc.Unsafe;

/**
 * CPU nanoseconds per allocate+free pair, from each thread's own CPU time (best of 30 rounds
 * of 200,000 pairs after 10 warm-up rounds), for a machine too loaded for wall-clock JMH
 * figures: other processes' load does not enter a thread's CPU time. Time a thread spends
 * blocked (a lock waited for, parked) does not enter it either, so it understates contention.
 *
 * <p>With a strategy's name instead of {@code unsafe|direct}, the pair is that pool called
 * directly, without the agent (the pool part of a pair alone, no accounting; issue 11), freed
 * with its size as the agent frees, with 16 blocks of the size kept live so that no pair
 * empties a chunk; run it without the agent, with the exports the runtime needs
 * ({@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED}, {@code jdk.internal.access},
 * {@code jdk.internal.vm}; {@code --add-opens java.base/jdk.internal.foreign.abi=ALL-UNNAMED}).
 *
 * <pre>java [-javaagent:alloc.jar=...] -cp benchmarks.jar dev.alloc.bench.pool.PairCpuTime unsafe|direct|slab|buddy|tlsf|arena SIZE THREADS</pre>
 */
public final class PairCpuTime {
    static volatile long sink;

    public static void main(String[] args) throws Exception {
        Field field = Unsafe.class.getDeclaredField("theUnsafe");
        field.setAccessible(true);
        Unsafe unsafe = (Unsafe) field.get(null);
        boolean direct = args[0].equals("direct");
        int size = Integer.parseInt(args[1]);
        int threads = Integer.parseInt(args[2]);
        NativeAllocator pool = null;
        if (!direct && !args[0].equals("unsafe")) {
            long region = 256L << 20;
            pool = Pools.create(args[0], region, Pools.sourceFor(region), MisuseListener.IGNORE);
            for (int i = 0; i < 16; i++) {
                pool.allocate(size, 16);
            }
        }
        NativeAllocator pooled = pool;
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        double[] best = new double[threads];
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int id = t;
            workers[t] = new Thread(() -> {
                int pairs = direct ? 50_000 : 200_000;
                double lowest = Double.MAX_VALUE;
                for (int round = 0; round < 40; round++) {
                    long start = mx.getCurrentThreadCpuTime();
                    long sum = 0;
                    for (int i = 0; i < pairs; i++) {
                        if (direct) {
                            ByteBuffer buffer = ByteBuffer.allocateDirect(size);
                            sum += buffer.capacity();
                            unsafe.invokeCleaner(buffer);
                        } else if (pooled != null) {
                            long address = pooled.allocate(size, 16);
                            pooled.free(address, size);
                            sum += address;
                        } else {
                            long address = unsafe.allocateMemory(size);
                            unsafe.freeMemory(address);
                            sum += address;
                        }
                    }
                    sink = sum;
                    double ns = (mx.getCurrentThreadCpuTime() - start) / (double) pairs;
                    if (round >= 10) {
                        lowest = Math.min(lowest, ns);
                    }
                }
                best[id] = lowest;
            });
        }
        for (Thread worker : workers) {
            worker.start();
        }
        for (Thread worker : workers) {
            worker.join();
        }
        double sum = 0;
        for (double b : best) {
            sum += b;
        }
        System.out.printf("RESULT %s %d B, %d thread(s): %.1f CPU ns per pair%n", args[0], size, threads, sum / threads);
    }
}
