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
 *
 * <p>With {@code -Dpoolrss.pagemap=true} a sampler also counts, every 10 ms, the resident pages
 * of the address range the buffers lie in (from /proc/self/pagemap, whole 4 MiB chunks around
 * the lowest and highest buffer address seen; meant for a pool, whose blocks lie in one mapped
 * range), with the live bytes at that instant: {@code peakRange} is the highest such count,
 * {@code rangeAtPeakLive} the count when live bytes were highest, so the pool's own resident
 * memory can be told from the JVM's growth during the churn.
 */
public final class PoolRssChurn {
    private static final int MIN = 4 << 10;
    private static final int MAX = 1 << 20;
    private static final AtomicLong LIVE = new AtomicLong();
    /** The highest live byte count, exact (raised after every allocation). */
    private static final AtomicLong PEAK_LIVE = new AtomicLong();
    private static Unsafe unsafe;
    private static final boolean PAGEMAP = Boolean.getBoolean("poolrss.pagemap");
    private static long addressOffset;
    private static final AtomicLong LOWEST = new AtomicLong(Long.MAX_VALUE);
    private static final AtomicLong HIGHEST = new AtomicLong();

    public static void main(String[] args) throws Exception {
        int seconds = Integer.parseInt(args[0]);
        long liveTarget = Long.parseLong(args[1]) << 20;
        Field field = Unsafe.class.getDeclaredField("theUnsafe");
        field.setAccessible(true);
        unsafe = (Unsafe) field.get(null);
        addressOffset = unsafe.objectFieldOffset(java.nio.Buffer.class.getDeclaredField("address"));
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
        long[] range = new long[3]; // highest resident count, count at the highest live sample, that live
        Thread sampler = null;
        if (PAGEMAP) {
            sampler = new Thread(() -> sampleRange(threads, range), "pagemap");
            sampler.start();
        }
        while (threads[0].isAlive() || threads[1].isAlive()) {
            Thread.sleep(50);
            long live = LIVE.get();
            samples[0] += live;
            samples[1]++;
        }
        if (sampler != null) {
            sampler.join();
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
        if (PAGEMAP) {
            System.out.printf("RANGE lowest=%x highest=%x peakRange=%d peakRangePerPeakLive=%.3f rangeAtPeakSample=%d liveAtPeakSample=%d%n",
                    LOWEST.get(), HIGHEST.get(), range[0], (double) range[0] / maxLive, range[1], range[2]);
        }
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
        if (PAGEMAP) {
            long address = unsafe.getLong(buffer, addressOffset);
            LOWEST.accumulateAndGet(address, Math::min);
            HIGHEST.accumulateAndGet(address + size, Math::max);
        }
        return buffer;
    }

    /** Every 10 ms while the churn runs: the resident bytes of the buffers' range, its highest, and that at the highest live sample. */
    private static void sampleRange(Thread[] threads, long[] range) {
        long highestLive = -1;
        try (java.io.RandomAccessFile pagemap = new java.io.RandomAccessFile("/proc/self/pagemap", "r")) {
            byte[] entries = new byte[0];
            while (threads[0].isAlive() || threads[1].isAlive()) {
                Thread.sleep(10);
                long live = LIVE.get();
                long chunk = 4L << 20;
                long low = LOWEST.get() & -chunk;
                long high = (HIGHEST.get() + chunk - 1) & -chunk;
                if (high <= low) {
                    continue;
                }
                int pages = (int) ((high - low) >>> 12);
                if (entries.length < pages * 8) {
                    entries = new byte[pages * 8];
                }
                pagemap.seek((low >>> 12) * 8);
                pagemap.readFully(entries, 0, pages * 8);
                java.nio.ByteBuffer view = java.nio.ByteBuffer.wrap(entries, 0, pages * 8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                long resident = 0;
                for (int i = 0; i < pages; i++) {
                    if (view.getLong(i * 8) < 0) { // bit 63: present
                        resident += 4096;
                    }
                }
                range[0] = Math.max(range[0], resident);
                if (live > highestLive) {
                    highestLive = live;
                    range[1] = resident;
                    range[2] = live;
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
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
