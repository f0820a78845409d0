package dev.alloc.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.util.concurrent.CyclicBarrier;

/**
 * CPU time per allocate+free pair, robust on a loaded machine: {@code java
 * [-javaagent:alloc.jar=limit=1g] -cp benchmarks.jar dev.alloc.bench.CpuCost THREADS
 * unsafe64|unsafe4k|unsafe16k|direct4k PAIRS ROUNDS}. Each thread runs ROUNDS short rounds of PAIRS pairs (a few
 * milliseconds each; the first tenth warm up) and times each with its own CPU clock
 * ({@code ThreadMXBean}); the figure is the fastest round, averaged over the threads. A round
 * that a descheduling, a cache flush by another process or a GC fell into is simply not the
 * fastest, so with hundreds of short rounds the minimum is the cost of an undisturbed round even
 * at a load average of 6 on 2 cores (a few long rounds, as before, never had one). Two threads
 * start each round together (a barrier), so cache lines they both write do bounce while both
 * are on a CPU. See {@code benchmarks/cpu-cost.sh}.
 */
public final class CpuCost {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static volatile long sink;

    public static void main(String[] args) throws Exception {
        int threads = Integer.parseInt(args[0]);
        boolean direct = args[1].equals("direct4k");
        long size = direct ? 4096 : unsafeSize(args[1]);
        long pairs = Long.parseLong(args[2]);
        int rounds = Integer.parseInt(args[3]);
        CyclicBarrier barrier = new CyclicBarrier(threads);
        double[] best = new double[threads];
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int index = t;
            workers[t] = new Thread(() -> {
                double fastest = Double.MAX_VALUE;
                for (int round = 0; round < rounds; round++) {
                    try {
                        barrier.await();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    long start = THREADS.getCurrentThreadCpuTime();
                    long result = direct ? directPairs(pairs) : unsafePairs(pairs, size);
                    long cpu = THREADS.getCurrentThreadCpuTime() - start;
                    sink += result;
                    if (round >= rounds / 10) { // the first tenth warms up
                        fastest = Math.min(fastest, (double) cpu / pairs);
                    }
                }
                best[index] = fastest;
            });
            workers[t].start();
        }
        double sum = 0;
        for (int t = 0; t < threads; t++) {
            workers[t].join();
            sum += best[t];
        }
        System.out.printf("%.1f%n", sum / threads);
    }

    /** The size of an {@code unsafe<N>} pair: {@code unsafe64}, {@code unsafe4k}, {@code unsafe16k}. */
    private static long unsafeSize(String bench) {
        String size = bench.substring("unsafe".length());
        return size.endsWith("k") ? Long.parseLong(size.substring(0, size.length() - 1)) << 10 : Long.parseLong(size);
    }

    private static long unsafePairs(long pairs, long size) {
        long x = 0;
        for (long i = 0; i < pairs; i++) {
            long address = Memory.UNSAFE.allocateMemory(size);
            Memory.UNSAFE.freeMemory(address);
            x += address;
        }
        return x;
    }

    private static long directPairs(long pairs) {
        long x = 0;
        for (long i = 0; i < pairs; i++) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(4096);
            x += buffer.capacity();
            Memory.UNSAFE.invokeCleaner(buffer);
        }
        return x;
    }
}
