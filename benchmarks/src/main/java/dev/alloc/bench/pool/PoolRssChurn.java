package dev.alloc.bench.pool;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import sun.misc.Unsafe;

/**
 * The workload of the RSS experiment (issue 5), run in a JVM of its own with or without the
 * agent's pool: two threads replace random direct buffers of 4 KiB to 1 MiB in a fixed set of
 * slots (about {@code liveMiB} live) for {@code seconds}, freeing with {@code invokeCleaner};
 * then everything is freed, and RSS is read 2 s later. Live bytes: the mean of samples every
 * 50 ms, and the exact peak. Prints one line of figures, RSS taken from /proc/self/status and
 * counted above the RSS before the churn (the JVM itself: heap pre-touched, classes loaded).
 */
public final class PoolRssChurn {
    private static final int MIN = 4 << 10;
    private static final int MAX = 1 << 20;
    private static final AtomicLong LIVE = new AtomicLong();
    /** The highest live byte count, exact (raised after every allocation). */
    private static final AtomicLong PEAK_LIVE = new AtomicLong();
    private static Unsafe unsafe;

    public static void main(String[] args) throws Exception {
        int seconds = Integer.parseInt(args[0]);
        long liveTarget = Long.parseLong(args[1]) << 20;
        Field field = Unsafe.class.getDeclaredField("theUnsafe");
        field.setAccessible(true);
        unsafe = (Unsafe) field.get(null);
        int slots = (int) (liveTarget / ((MIN + MAX) / 2));
        ByteBuffer[] buffers = new ByteBuffer[slots];
        warmUp();
        long baseline = status("VmRSS");
        resetPeak();
        PEAK_LIVE.set(LIVE.get());
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        Thread[] threads = new Thread[2];
        long[] samples = new long[2]; // sum of live bytes sampled, count
        for (int t = 0; t < threads.length; t++) {
            int first = t * slots / 2;
            int end = (t + 1) * slots / 2;
            long seed = 42 + t;
            threads[t] = new Thread(() -> churn(buffers, first, end, seed, deadline), "churn-" + t);
            threads[t].start();
        }
        while (threads[0].isAlive() || threads[1].isAlive()) {
            Thread.sleep(50);
            long live = LIVE.get();
            samples[0] += live;
            samples[1]++;
        }
        long peak = status("VmHWM") - baseline;
        long maxLive = PEAK_LIVE.get();
        long meanLive = samples[0] / Math.max(1, samples[1]);
        for (int i = 0; i < buffers.length; i++) {
            if (buffers[i] != null) {
                unsafe.invokeCleaner(buffers[i]);
                buffers[i] = null;
            }
        }
        Thread.sleep(2000); // the goal's moment (issue 11): pools give pages back about a second after a free
        long after = status("VmRSS") - baseline;
        System.out.printf("RESULT meanLive=%d maxLive=%d peakRss=%d afterRss=%d peakPerLive=%.3f afterPerPeak=%.3f%n",
                meanLive, maxLive, peak, after, (double) peak / meanLive, (double) after / peak);
    }

    private static void churn(ByteBuffer[] buffers, int first, int end, long seed, long deadline) {
        Random random = new Random(seed);
        for (int i = first; i < end; i++) {
            buffers[i] = allocate(random);
        }
        while (System.nanoTime() < deadline) {
            for (int n = 0; n < 64; n++) {
                int i = first + random.nextInt(end - first);
                free(buffers[i]);
                buffers[i] = allocate(random);
            }
        }
    }

    private static ByteBuffer allocate(Random random) {
        int size = MIN + random.nextInt(MAX - MIN + 1);
        ByteBuffer buffer = ByteBuffer.allocateDirect(size); // zeroed by the JDK: every page touched
        PEAK_LIVE.accumulateAndGet(LIVE.addAndGet(size), Math::max);
        return buffer;
    }

    private static void free(ByteBuffer buffer) {
        LIVE.addAndGet(-buffer.capacity());
        unsafe.invokeCleaner(buffer);
    }

    /** Loads and compiles the paths the churn takes, so the baseline holds the JVM's own memory. */
    private static void warmUp() throws InterruptedException {
        Random random = new Random(1);
        for (int i = 0; i < 20_000; i++) {
            free(allocate(random));
        }
        System.gc();
        Thread.sleep(200);
    }

    /**
     * Sets VmHWM back to the current RSS (Linux 4.0+: "5" to /proc/self/clear_refs), so that the
     * peak read after the churn is the churn's, not the start-up's or the warm-up's.
     */
    static void resetPeak() throws IOException {
        Files.write(Paths.get("/proc/self/clear_refs"), "5".getBytes(StandardCharsets.US_ASCII));
    }

    /** A {@code Vm*} line of /proc/self/status, in bytes. */
    static long status(String key) throws IOException {
        for (String line : Files.readAllLines(Paths.get("/proc/self/status"), StandardCharsets.US_ASCII)) {
            if (line.startsWith(key + ":")) {
                return Long.parseLong(line.substring(key.length() + 1).trim().split("\\s+")[0]) * 1024;
            }
        }
        throw new IOException("no " + key + " in /proc/self/status");
    }
}
