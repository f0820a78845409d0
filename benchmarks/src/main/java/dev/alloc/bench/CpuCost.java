package dev.alloc.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.util.concurrent.CyclicBarrier;

/**
 * CPU time per allocate+free pair, for a machine too loaded for JMH's wall-clock figures:
 * {@code java [-javaagent:alloc.jar=limit=1g] -cp benchmarks.jar dev.alloc.bench.CpuCost THREADS
 * unsafe64|direct4k PAIRS ROUNDS}. Each thread runs ROUNDS rounds of PAIRS pairs (after as many
 * warm-up rounds) and times each with its own CPU clock ({@code ThreadMXBean}), so time the
 * thread spends descheduled is not counted; the figure is the fastest round, averaged over the
 * threads. Two threads run their rounds together (a barrier starts each round), so cache lines
 * they both write do bounce while both are on a CPU. See {@code benchmarks/cpu-cost.sh}.
 */
public final class CpuCost {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static volatile long sink;

    public static void main(String[] args) throws Exception {
        int threads = Integer.parseInt(args[0]);
        boolean direct = args[1].equals("direct4k");
        long pairs = Long.parseLong(args[2]);
        int rounds = Integer.parseInt(args[3]);
        CyclicBarrier barrier = new CyclicBarrier(threads);
        double[] best = new double[threads];
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int index = t;
            workers[t] = new Thread(() -> {
                double fastest = Double.MAX_VALUE;
                for (int round = 0; round < 2 * rounds; round++) {
                    try {
                        barrier.await();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    long start = THREADS.getCurrentThreadCpuTime();
                    long result = direct ? directPairs(pairs) : unsafePairs(pairs);
                    long cpu = THREADS.getCurrentThreadCpuTime() - start;
                    sink += result;
                    if (round >= rounds) { // the first half warms up
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

    private static long unsafePairs(long pairs) {
        long x = 0;
        for (long i = 0; i < pairs; i++) {
            long address = Memory.UNSAFE.allocateMemory(64);
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
