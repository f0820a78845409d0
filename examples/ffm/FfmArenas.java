import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * FFM memory under the agent (JDK 22+; run as a single-file program with JDK 25's java):
 * a confined arena per request, closed at once (its memory comes and goes), and a shared arena
 * that is never closed, where an index keeps growing: the leak. Under a cap the leak fails with
 * an error naming its line; the exit report shows what was freed by arena close and what is live.
 *
 *   java -javaagent:agent/target/alloc.jar=limit=64m,report=stderr examples/ffm/FfmArenas.java
 */
public class FfmArenas {
    public static void main(String[] args) {
        Arena index = Arena.ofShared(); // never closed: everything allocated in it stays
        List<MemorySegment> pages = new ArrayList<>();
        try {
            for (int request = 0; request < 1_000; request++) {
                try (Arena scratch = Arena.ofConfined()) {
                    MemorySegment buffer = scratch.allocate(262_139);
                    buffer.set(ValueLayout.JAVA_INT, 0, request);
                }
                pages.add(index.allocate(1_048_573));
            }
            System.out.println("indexed " + pages.size() + " pages");
        } catch (OutOfMemoryError e) {
            System.out.println("stopped after " + pages.size() + " index pages: " + e.getMessage());
        }
    }
}
