package dev.alloc.it.programs;

import sun.misc.Unsafe;

/**
 * Nanoseconds per {@code Unsafe.allocateMemory(64)} + {@code freeMemory}, one thread (args:
 * iterations, rounds). Run it with and without the agent to see what tracking costs.
 */
public final class UnsafeCost {
    private static final Unsafe UNSAFE = TheUnsafe.get();

    public static void main(String[] args) {
        int iterations = Integer.parseInt(args[0]);
        int rounds = Integer.parseInt(args[1]);
        loop(iterations / 5); // warm-up: compiled before it is measured
        long best = Long.MAX_VALUE;
        StringBuilder all = new StringBuilder();
        for (int round = 0; round < rounds; round++) {
            long start = System.nanoTime();
            loop(iterations);
            long ns = System.nanoTime() - start;
            best = Math.min(best, ns);
            all.append(String.format(" %.1f", (double) ns / iterations));
        }
        System.out.printf("ns per allocateMemory(64)+freeMemory: best %.1f, rounds%s%n", (double) best / iterations, all);
    }

    private static void loop(int iterations) {
        for (int i = 0; i < iterations; i++) {
            long address = UNSAFE.allocateMemory(64);
            UNSAFE.putByte(address, (byte) i);
            UNSAFE.freeMemory(address);
        }
    }
}
