package dev.alloc.it.programs;

import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import sun.misc.Unsafe;

/**
 * Many threads pushed past the limit at once ({@code java LimitStorm platform|virtual <threads>}):
 * each takes 1 MiB blocks, direct and Unsafe alternately, and holds them until it gets its
 * error. Prints how many got one, the spread between the first and the last error, and how many
 * {@code System.gc()} collections ran (a JFR recording of {@code jdk.GarbageCollection}).
 */
public final class LimitStorm {
    private static final Unsafe U = TheUnsafe.get();
    private static final ConcurrentLinkedQueue<Object> HELD = new ConcurrentLinkedQueue<>();
    private static final ConcurrentLinkedQueue<Long> TIMES = new ConcurrentLinkedQueue<>();

    public static void main(String[] args) throws Exception {
        boolean virtual = args[0].equals("virtual");
        int threads = Integer.parseInt(args[1]);
        LongAccumulator first = new LongAccumulator(Math::min, Long.MAX_VALUE);
        LongAccumulator last = new LongAccumulator(Math::max, Long.MIN_VALUE);
        LongAccumulator slowestCall = new LongAccumulator(Math::max, 0);
        AtomicLong errors = new AtomicLong();
        AtomicLong others = new AtomicLong();
        CountDownLatch done = new CountDownLatch(threads);
        CountDownLatch go = new CountDownLatch(1);
        Runnable taker = () -> {
            long callStart = 0;
            try {
                go.await();
                for (int i = 0; ; i++) {
                    callStart = System.nanoTime();
                    if (i % 2 == 0) {
                        HELD.add(ByteBuffer.allocateDirect(1 << 20));
                    } else {
                        HELD.add(U.allocateMemory(1 << 20));
                    }
                }
            } catch (OutOfMemoryError e) {
                long now = System.nanoTime();
                TIMES.add(now);
                slowestCall.accumulate(now - callStart);
                first.accumulate(now);
                last.accumulate(now);
                if (e.getClass().getName().equals("dev.alloc.OffHeapLimitExceededError")) {
                    errors.incrementAndGet();
                } else {
                    others.incrementAndGet();
                }
            } catch (Throwable e) {
                others.incrementAndGet();
            } finally {
                done.countDown();
            }
        };
        long[] goTime = new long[1];
        Path file = Files.createTempFile("storm", ".jfr");
        try (Recording recording = new Recording()) {
            recording.enable("jdk.GarbageCollection");
            for (String event : new String[] {"LimitExceeded", "LimitWarning", "Allocation", "Free", "CallSiteUsage",
                "OffHeapStatistics"}) {
                recording.disable("dev.alloc." + event); // the agent's own events: not what this measures
            }
            recording.start();
            List<Thread> started = new ArrayList<>();
            Method ofVirtual = virtual ? Thread.class.getMethod("ofVirtual") : null;
            Method start = virtual ? Class.forName("java.lang.Thread$Builder").getMethod("start", Runnable.class) : null;
            for (int i = 0; i < threads; i++) {
                if (virtual) {
                    Object builder = ofVirtual.invoke(null);
                    started.add((Thread) start.invoke(builder, taker));
                } else {
                    Thread thread = new Thread(taker);
                    thread.start();
                    started.add(thread);
                }
            }
            goTime[0] = System.nanoTime();
            go.countDown();
            boolean all = done.await(60, TimeUnit.SECONDS);
            recording.stop();
            recording.dump(file);
            System.out.println("all answered " + all);
        }
        long systemGcs = 0;
        for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
            if (event.getEventType().getName().equals("jdk.GarbageCollection")
                    && "System.gc()".equals(event.getString("cause"))) {
                systemGcs++;
            }
        }
        Files.delete(file);
        System.out.println("limit errors " + errors.get() + ", other outcomes " + others.get());
        System.out.println("spread ms " + TimeUnit.NANOSECONDS.toMillis(last.get() - first.get()));
        System.out.println("slowest failing call ms " + TimeUnit.NANOSECONDS.toMillis(slowestCall.get()));
        System.out.println("System.gc() collections " + systemGcs);
        System.out.println("held blocks " + HELD.size());
        long[] t = TIMES.stream().mapToLong(Long::longValue).sorted().toArray();
        StringBuilder q = new StringBuilder("error times ms after go:");
        for (double f : new double[] {0, 0.1, 0.5, 0.9, 0.99, 1}) {
            q.append(' ').append(TimeUnit.NANOSECONDS.toMillis(t[Math.min(t.length - 1, (int) (f * t.length))] - goTime[0]));
        }
        System.out.println(q);
    }
}
