package dev.alloc.bench;

import dev.alloc.OffHeapLimitExceededError;
import dev.alloc.OffHeapStats;
import java.nio.ByteBuffer;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The full-size stress of issue 10, run with the agent and a limit:
 * {@code java -javaagent:alloc.jar=limit=64m -cp benchmarks.jar dev.alloc.bench.Churn 8 1000000 [virtual]}.
 * Each of the threads (virtual with {@code virtual}, JDK 21+) makes that many mixed operations
 * (direct buffers and {@code Unsafe} blocks of random sizes, allocated, reallocated and freed
 * through shared slots, so most frees happen on another thread) while a sampler reads
 * {@code OffHeapStats.used()} without pause. Prints the highest sample against the limit, the
 * agent's used bytes against the program's own tally, and used after everything is freed;
 * exits with 1 if any of them is wrong.
 */
public final class Churn {
    private static final int SLOTS = 8192;
    private static final AtomicReferenceArray<Object> SLOT = new AtomicReferenceArray<>(SLOTS);
    private static final AtomicLong LIVE = new AtomicLong();
    private static final AtomicLong REFUSED = new AtomicLong();

    /** An {@code Unsafe} block. */
    private record Block(long address, long bytes) {
    }

    public static void main(String[] args) throws Exception {
        int threads = Integer.parseInt(args[0]);
        long perThread = Long.parseLong(args[1]);
        boolean virtual = args.length > 2 && args[2].equals("virtual");
        long baseline = OffHeapStats.used();
        long limit = OffHeapStats.limit();
        AtomicBoolean running = new AtomicBoolean(true);
        long[] highest = new long[1];
        long[] samples = new long[1];
        Thread sampler = new Thread(() -> {
            while (running.get()) {
                highest[0] = Math.max(highest[0], OffHeapStats.used());
                samples[0]++;
            }
        });
        sampler.start();
        long started = System.nanoTime();
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            Runnable work = () -> churn(perThread);
            workers[t] = virtual ? (Thread) Thread.class.getMethod("startVirtualThread", Runnable.class).invoke(null, work)
                    : new Thread(work);
            if (!virtual) {
                workers[t].start();
            }
        }
        for (Thread worker : workers) {
            worker.join();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        running.set(false);
        sampler.join();
        long used = OffHeapStats.used() - baseline;
        long held = LIVE.get();
        for (int i = 0; i < SLOTS; i++) {
            Object o = SLOT.getAndSet(i, null);
            if (o != null) {
                free(o);
            }
        }
        long after = OffHeapStats.used() - baseline;
        boolean ok = highest[0] <= limit && used == held && after == 0;
        System.out.printf("%d %s threads x %d operations in %.1f s, %d refused; %d samples of used, highest %d of limit %d;"
                        + " used %d, held by the program %d; after freeing everything %d: %s%n",
                threads, virtual ? "virtual" : "platform", perThread, seconds, REFUSED.get(), samples[0], highest[0], limit,
                used, held, after, ok ? "ok" : "WRONG");
        System.exit(ok ? 0 : 1);
    }

    private static void churn(long operations) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (long n = 0; n < operations; n++) {
            int slot = random.nextInt(SLOTS);
            Object o = SLOT.get(slot);
            if (o != null) {
                if (SLOT.compareAndSet(slot, o, null)) {
                    if (o instanceof Block block && random.nextInt(4) == 0) {
                        Object moved = reallocate(block, 8 * (1 + random.nextInt(2048)));
                        if (!SLOT.compareAndSet(slot, null, moved)) {
                            free(moved);
                        }
                    } else {
                        free(o);
                    }
                }
                continue;
            }
            int size = 8 * (1 + random.nextInt(random.nextInt(16) == 0 ? 32768 : 2048));
            Object made;
            try {
                if (random.nextBoolean()) {
                    made = ByteBuffer.allocateDirect(size);
                } else {
                    made = new Block(Memory.UNSAFE.allocateMemory(size), size);
                }
            } catch (OffHeapLimitExceededError refused) {
                REFUSED.incrementAndGet();
                continue;
            }
            LIVE.addAndGet(size);
            if (!SLOT.compareAndSet(slot, null, made)) {
                free(made);
            }
        }
    }

    private static Object reallocate(Block block, int size) {
        long moved;
        try {
            moved = Memory.UNSAFE.reallocateMemory(block.address, size);
        } catch (OffHeapLimitExceededError refused) {
            REFUSED.incrementAndGet();
            return block;
        }
        LIVE.addAndGet(size - block.bytes);
        return new Block(moved, size);
    }

    private static void free(Object o) {
        if (o instanceof ByteBuffer buffer) {
            LIVE.addAndGet(-buffer.capacity());
            Memory.UNSAFE.invokeCleaner(buffer);
        } else {
            Block block = (Block) o;
            LIVE.addAndGet(-block.bytes);
            Memory.UNSAFE.freeMemory(block.address);
        }
    }
}
