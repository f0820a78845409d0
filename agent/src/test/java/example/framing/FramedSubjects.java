package example.framing;

import java.nio.ByteBuffer;
import java.util.function.IntSupplier;

/**
 * Calls that throw inside rewritten call sites (a negative capacity: the JDK refuses it before
 * any memory is taken), in every place a handler must go: under the method's own catch, with
 * no handler at all, under a finally, before and after a constructor's super(...), among locals
 * of every type. {@code primed} reads the thread's primed site (set by the test).
 */
public final class FramedSubjects {
    public static IntSupplier primed;

    private FramedSubjects() {
    }

    public static String caught() {
        try {
            ByteBuffer.allocateDirect(-1);
            return "no exception";
        } catch (IllegalArgumentException e) {
            return "caught with site " + primed.getAsInt();
        }
    }

    public static void escapes() {
        ByteBuffer.allocateDirect(-2);
    }

    public static String inFinally(String[] seen) {
        try {
            ByteBuffer.allocateDirect(-3);
        } finally {
            seen[0] = "finally with site " + primed.getAsInt();
        }
        return "unreachable";
    }

    public static double manyLocals(int capacity) {
        long big = 1L << 40;
        double half = 0.5;
        Object[] boxes = {capacity};
        int sum = 0;
        for (int i = 0; i < 3; i++) {
            try {
                sum += ByteBuffer.allocateDirect(capacity - i).capacity();
            } catch (RuntimeException e) {
                sum -= primed.getAsInt() + 1000;
            }
        }
        return sum + big * half + boxes.length;
    }

    /** The call sits in the argument of super(...): {@code this} is not initialised there. */
    public static class BeforeSuper extends Holder {
        public BeforeSuper(int capacity) {
            super(ByteBuffer.allocateDirect(capacity));
        }
    }

    /** The call sits after super(...). */
    public static class AfterSuper {
        final ByteBuffer buffer;
        final long taken;

        public AfterSuper(int capacity) {
            long start = capacity;
            buffer = ByteBuffer.allocateDirect(capacity);
            taken = start;
        }
    }

    public static class Holder {
        final ByteBuffer held;

        Holder(ByteBuffer held) {
            this.held = held;
        }
    }
}
