package dev.alloc.bench.pool;

import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import sun.misc.Unsafe;

/**
 * Mixed churn (issue 11), run in a JVM of its own with or without the agent: two threads, each
 * {@code operations} times, free, reallocate or allocate a block in one of its slots;
 * blocks are direct buffers (freed with {@code invokeCleaner}) or {@code Unsafe} blocks
 * (reallocated too), of 1 B to 512 KiB, log-uniform; every byte is written and checked. Then
 * everything is freed and, 2 s later, RSS is read again. Prints one line: wall and CPU time of
 * the churn (process CPU, its user and system parts from /proc/self/stat, the two churn
 * threads' own CPU, and the JIT's compilation time meanwhile), peak live bytes, and RSS (from /proc/self/status) above the RSS before the churn.
 * The churn runs twice, with other seeds the first time: that warm-up compiles the paths and
 * grows the JVM's own memory (compiler arenas, code) first, so that the measured round's time
 * and RSS are the allocator's; the baseline is read 2.5 s after the warm-up freed everything
 * (so a pool has given its pages back, as it does within two seconds of a free), and the peak
 * is reset there.
 *
 * <pre>PoolMixedChurn OPERATIONS [SLOTS]</pre> (256 slots per thread by default: about 16 MiB live).
 */
public final class PoolMixedChurn {
    private static int slots = 256;
    private static final long MAX = 512 << 10;
    private static final AtomicLong LIVE = new AtomicLong();
    private static final AtomicLong PEAK_LIVE = new AtomicLong();
    private static Unsafe unsafe;
    /** CPU time of the churn threads themselves (ns), summed as each ends. */
    private static final AtomicLong WORKER_CPU = new AtomicLong();

    public static void main(String[] args) throws Exception {
        int operations = Integer.parseInt(args[0]);
        if (args.length > 1) {
            slots = Integer.parseInt(args[1]);
        }
        Field field = Unsafe.class.getDeclaredField("theUnsafe");
        field.setAccessible(true);
        unsafe = (Unsafe) field.get(null);
        churn(7, operations); // the warm-up: loads and compiles the paths, grows the JVM's own memory
        System.gc();
        Thread.sleep(2500);
        LIVE.set(0);
        PEAK_LIVE.set(0);
        long baseline = PoolRssChurn.status("VmRSS");
        PoolRssChurn.resetPeak();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        java.lang.management.CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        long jit0 = jit.getTotalCompilationTime();
        WORKER_CPU.set(0);
        long[] ticks0 = userSysTicks();
        long cpu0 = os.getProcessCpuTime();
        long wall0 = System.nanoTime();
        churn(42, operations);
        long wall = System.nanoTime() - wall0;
        long cpu = os.getProcessCpuTime() - cpu0;
        long[] ticks = userSysTicks();
        long jitMs = jit.getTotalCompilationTime() - jit0;
        long peakRss = PoolRssChurn.status("VmHWM") - baseline;
        Thread.sleep(2000);
        long afterRss = PoolRssChurn.status("VmRSS") - baseline;
        System.out.printf("RESULT wallMs=%d cpuMs=%d userMs=%d sysMs=%d workerCpuMs=%d jitMs=%d peakLive=%d peakRss=%d afterRss=%d peakPerLive=%.3f afterPerPeak=%.3f%n",
                wall / 1_000_000, cpu / 1_000_000, (ticks[0] - ticks0[0]) * 10, (ticks[1] - ticks0[1]) * 10,
                WORKER_CPU.get() / 1_000_000, jitMs,
                PEAK_LIVE.get(), peakRss, afterRss,
                (double) peakRss / PEAK_LIVE.get(), (double) afterRss / peakRss);
    }

    /** The process's user and system CPU time so far, in clock ticks of 10 ms (fields 14 and 15 of /proc/self/stat). */
    private static long[] userSysTicks() throws java.io.IOException {
        String stat = new String(java.nio.file.Files.readAllBytes(java.nio.file.Paths.get("/proc/self/stat")));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        return new long[] {Long.parseLong(fields[11]), Long.parseLong(fields[12])}; // fields 14, 15 counted from the pid
    }

    /** Two threads, each a {@link Worker} of {@code operations}, seeds {@code seed} and {@code seed + 1}; returns when both are done. */
    private static void churn(long seed, int operations) throws InterruptedException {
        Thread[] threads = new Thread[2];
        for (int t = 0; t < threads.length; t++) {
            Worker worker = new Worker(seed + t, operations);
            threads[t] = new Thread(worker::run, "churn-" + t);
            threads[t].start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
    }

    private static final class Worker implements Runnable {
        private final SplittableRandom random;
        private final int operations;
        private final ByteBuffer[] buffers = new ByteBuffer[slots];
        private final long[] addresses = new long[slots];
        private final long[] sizes = new long[slots];
        private final byte[] tags = new byte[slots];

        Worker(long seed, int operations) {
            random = new SplittableRandom(seed);
            this.operations = operations;
        }

        @Override
        public void run() {
            for (int i = 0; i < operations; i++) {
                int slot = random.nextInt(slots);
                if (sizes[slot] == 0) {
                    allocate(slot);
                } else if (addresses[slot] != 0 && random.nextInt(3) == 0) {
                    reallocate(slot);
                } else {
                    free(slot);
                }
            }
            for (int slot = 0; slot < slots; slot++) {
                if (sizes[slot] != 0) {
                    free(slot);
                }
            }
            WORKER_CPU.addAndGet(ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime());
        }

        private long size() {
            return Math.max(1, (long) Math.exp(random.nextDouble() * Math.log(MAX)));
        }

        private void allocate(int slot) {
            long size = size();
            byte tag = (byte) random.nextInt();
            if (random.nextBoolean()) {
                ByteBuffer buffer = ByteBuffer.allocateDirect((int) size);
                for (int i = 0; i < size; i++) {
                    buffer.put(i, (byte) (tag + i));
                }
                buffers[slot] = buffer;
            } else {
                long address = unsafe.allocateMemory(size);
                for (long i = 0; i < size; i++) {
                    unsafe.putByte(address + i, (byte) (tag + i));
                }
                addresses[slot] = address;
            }
            sizes[slot] = size;
            tags[slot] = tag;
            long live = LIVE.addAndGet(size);
            PEAK_LIVE.accumulateAndGet(live, Math::max);
        }

        private void reallocate(int slot) {
            long size = size();
            long kept = Math.min(size, sizes[slot]);
            long address = unsafe.reallocateMemory(addresses[slot], size);
            byte tag = tags[slot];
            for (long i = 0; i < kept; i++) {
                check(unsafe.getByte(address + i), tag, i);
            }
            for (long i = kept; i < size; i++) {
                unsafe.putByte(address + i, (byte) (tag + i));
            }
            long live = LIVE.addAndGet(size - sizes[slot]);
            PEAK_LIVE.accumulateAndGet(live, Math::max);
            addresses[slot] = address;
            sizes[slot] = size;
        }

        private void free(int slot) {
            long size = sizes[slot];
            byte tag = tags[slot];
            if (buffers[slot] != null) {
                ByteBuffer buffer = buffers[slot];
                for (int i = 0; i < size; i++) {
                    check(buffer.get(i), tag, i);
                }
                unsafe.invokeCleaner(buffer);
                buffers[slot] = null;
            } else {
                for (long i = 0; i < size; i++) {
                    check(unsafe.getByte(addresses[slot] + i), tag, i);
                }
                unsafe.freeMemory(addresses[slot]);
                addresses[slot] = 0;
            }
            sizes[slot] = 0;
            LIVE.addAndGet(-size);
        }

        private static void check(byte actual, byte tag, long i) {
            if (actual != (byte) (tag + i)) {
                throw new AssertionError("byte " + i + " is " + actual + ", expected " + (byte) (tag + i));
            }
        }
    }
}
