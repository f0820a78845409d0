package dev.alloc.examples;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import sun.misc.Unsafe;

/**
 * Times {@code ByteBuffer.allocateDirect(size)} followed by {@code Unsafe.invokeCleaner}: the
 * cost of one tracked allocation and free. Compare runs with no agent, the agent alone, and the
 * agent under a recording with the shipped {@code alloc.jfc}; the README quotes such figures.
 *
 * <pre>java -javaagent:agent/target/alloc.jar -XX:StartFlightRecording:settings=default,settings=agent/target/alloc.jfc \
 *     -cp examples/target/alloc-examples.jar dev.alloc.examples.DirectBufferChurn [size] [rounds]</pre>
 */
public final class DirectBufferChurn {
    public static void main(String[] args) throws Exception {
        int size = args.length > 0 ? Integer.parseInt(args[0]) : 4096;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Field field = Unsafe.class.getDeclaredField("theUnsafe");
        field.setAccessible(true);
        Unsafe unsafe = (Unsafe) field.get(null);
        int perRound = 2_000_000;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long best = Long.MAX_VALUE;
        long bestCpu = Long.MAX_VALUE;
        for (int round = 0; round < rounds; round++) {
            long started = System.nanoTime();
            long startedCpu = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < perRound; i++) {
                unsafe.invokeCleaner(allocate(size));
            }
            long nanosPerOp = (System.nanoTime() - started) / perRound;
            long cpuNanosPerOp = (threads.getCurrentThreadCpuTime() - startedCpu) / perRound;
            best = Math.min(best, nanosPerOp);
            bestCpu = Math.min(bestCpu, cpuNanosPerOp);
            System.out.println("round " + round + ": " + nanosPerOp + " ns (" + cpuNanosPerOp + " ns of this thread's CPU)"
                    + " per allocateDirect(" + size + ") + free");
        }
        // On a busy machine the thread's CPU time is the steadier figure: it leaves out time spent descheduled.
        System.out.println("best " + best + " ns, cpu " + bestCpu + " ns");
    }

    private static ByteBuffer allocate(int size) {
        return ByteBuffer.allocateDirect(size);
    }
}
