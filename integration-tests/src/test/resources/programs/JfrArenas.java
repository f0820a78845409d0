import java.lang.foreign.Arena;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;

/**
 * FFM memory for the Flight Recorder test (JDK 22+): 3 x 1,048,584 bytes from a confined arena
 * that is closed, and 2 x 1,111,112 bytes from automatic arenas dropped for GC; then two
 * periods of the periodic events. Sizes are multiples of 8, so the JDK asks for exactly these.
 */
public class JfrArenas {
    public static void main(String[] args) throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            for (int i = 0; i < 3; i++) {
                closed(arena);
            }
        }
        for (int i = 0; i < 2; i++) {
            dropped();
        }
        // Automatic arenas reserve against the direct memory pool: wait until GC gave it back.
        BufferPoolMXBean direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(pool -> pool.getName().equals("direct")).findFirst().orElseThrow();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (direct.getMemoryUsed() >= 1_111_112 && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        Thread.sleep(2_500);
        System.out.println("done");
    }

    static void closed(Arena arena) {
        arena.allocate(1_048_584);
    }

    static void dropped() {
        Arena.ofAuto().allocate(1_111_112);
    }
}
