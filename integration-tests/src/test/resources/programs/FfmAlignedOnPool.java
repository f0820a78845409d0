import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * FFM native segments on a pool strategy (JDK 22+): every requested alignment honoured, the
 * bytes usable and zeroed, and closing the arenas gives the memory back to the pool.
 */
public class FfmAlignedOnPool {
    public static void main(String[] args) throws Exception {
        long[] alignments = {1, 8, 16, 32, 64, 256, 4096, 8192};
        int aligned = 0;
        int zeroedAndUsable = 0;
        int total = 0;
        long requested = 0;
        long baseline = inUse();
        try (Arena arena = Arena.ofConfined()) {
            for (int round = 0; round < 16; round++) {
                for (long alignment : alignments) {
                    long size = 24 + round * 1_001L;
                    MemorySegment segment = arena.allocate(size, alignment);
                    total++;
                    requested += size;
                    aligned += segment.address() % alignment == 0 ? 1 : 0;
                    boolean ok = true;
                    for (long i = 0; i < size; i++) {
                        ok &= segment.get(ValueLayout.JAVA_BYTE, i) == 0;
                        segment.set(ValueLayout.JAVA_BYTE, i, (byte) i);
                    }
                    for (long i = 0; i < size; i++) {
                        ok &= segment.get(ValueLayout.JAVA_BYTE, i) == (byte) i;
                    }
                    zeroedAndUsable += ok ? 1 : 0;
                }
            }
            System.out.println("aligned " + aligned + " zeroed and usable " + zeroedAndUsable + " of " + total
                    + ", all in the pool " + (inUse() - baseline >= requested));
        }
        System.out.println("in use after close " + (inUse() - baseline));
    }

    private static long inUse() throws Exception {
        Object s = Class.forName("dev.alloc.runtime.OffHeap").getMethod("poolStatistics").invoke(null);
        return (long) s.getClass().getMethod("inUse").invoke(s);
    }
}
