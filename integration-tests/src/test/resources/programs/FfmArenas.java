import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * FFM native segments from every kind of arena (java FfmArenas.java hold|kinds). Sizes are
 * multiples of 8 with malloc's alignment, so the JDK asks for exactly these many bytes.
 */
public class FfmArenas {
    static final List<Object> KEEP = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        if (args[0].equals("hold")) {
            hold();
        } else {
            kinds();
        }
    }

    /** 1 MiB segments from a shared arena until the limit stops it; close; again from a confined one. */
    static void hold() {
        Arena shared = Arena.ofShared();
        int held = 0;
        try {
            for (; held < 100; held++) {
                shared.allocate(1 << 20);
            }
        } catch (OutOfMemoryError e) {
            System.out.println("error " + e.getClass().getName() + ": " + e.getMessage());
        }
        System.out.println("held " + held);
        shared.close();
        Arena confined = Arena.ofConfined();
        int again = 0;
        for (; again < held; again++) {
            confined.allocate(1 << 20);
        }
        System.out.println("again " + again);
    }

    static void kinds() throws Exception {
        try (Arena confined = Arena.ofConfined()) {
            confined.allocate(1_000_000);
            MemorySegment aligned = confined.allocate(64_000, 4096);
            System.out.println("aligned " + (aligned.address() % 4096 == 0));
        }
        Arena shared = Arena.ofShared();
        for (int i = 0; i < 3; i++) {
            shared.allocate(777_784);
        }
        for (int i = 0; i < 2; i++) {
            Arena.global().allocate(123_456);
        }
        SegmentAllocator allocator = shared;
        allocator.allocate(ValueLayout.JAVA_LONG, 12_500);
        allocator.allocateFrom(ValueLayout.JAVA_INT, new int[25_000]);
        shared.allocateFrom("sixteen bytes!!");
        Arena auto = Arena.ofAuto();
        KEEP.add(auto);
        auto.allocate(333_336);
        dropAutoArena();
        for (int i = 0; i < 20; i++) {
            System.gc();
            Thread.sleep(50);
        }
        KEEP.add(shared);
        System.out.println("done");
    }

    static void dropAutoArena() {
        Arena dropped = Arena.ofAuto();
        for (int i = 0; i < 4; i++) {
            dropped.allocate(250_000);
        }
    }
}
