package dev.alloc.it.programs;

import dev.alloc.OffHeapStats;
import org.agrona.UnsafeApi;

/**
 * Agrona 2.x's {@code UnsafeApi} calls {@code jdk.internal.misc.Unsafe} itself (run with
 * {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED}): allocates, grows, frees, then
 * asks for more than {@code limit.unsafe}, printing the agent's unsafe count after each step.
 */
public final class AgronaUnsafe {
    public static void main(String[] args) {
        long block = UnsafeApi.allocateMemory(1_999_993);
        UnsafeApi.putLong(block + 1_999_985, 0x5EED_5EEDL);
        System.out.println("allocated " + OffHeapStats.used("unsafe"));
        block = UnsafeApi.reallocateMemory(block, 3_000_017);
        System.out.println("reallocated " + OffHeapStats.used("unsafe") + " kept " + (UnsafeApi.getLong(block + 1_999_985) == 0x5EED_5EEDL));
        UnsafeApi.freeMemory(block);
        System.out.println("freed " + OffHeapStats.used("unsafe"));
        try {
            UnsafeApi.allocateMemory(9_999_991);
            System.out.println("no error");
        } catch (OutOfMemoryError e) {
            System.out.println(e.getClass().getName() + ": " + e.getMessage());
        }
        System.out.println("after " + OffHeapStats.used("unsafe"));
    }
}
