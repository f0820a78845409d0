package dev.alloc.runtime;

/**
 * The kinds of off-heap memory the agent tracks. Kinds are small ints on hot paths (array
 * indexes, bit masks); names are for options, messages and reports.
 */
public final class Kind {
    public static final int DIRECT = 0;
    public static final int UNSAFE = 1;
    public static final int FFM = 2;
    public static final int MALLOC = 3;
    /**
     * File mappings ({@code FileChannel.map}, FFM file mappings): reported like the others but
     * not part of the total limit, since their pages are file-backed and reclaimable.
     */
    public static final int MAPPED = 4;
    public static final int COUNT = 5;

    /** Mask with every kind's bit set. */
    public static final int ALL = (1 << COUNT) - 1;

    private static final String[] NAMES = {"direct", "unsafe", "ffm", "malloc", "mapped"};

    private Kind() {
    }

    /** Whether the kind counts towards the total ({@code limit}); only {@link #MAPPED} does not. */
    public static boolean inTotal(int kind) {
        return kind != MAPPED;
    }

    public static String name(int kind) {
        return NAMES[kind];
    }

    /** The kind with this name, or -1. */
    public static int byName(String name) {
        for (int k = 0; k < COUNT; k++) {
            if (NAMES[k].equals(name)) {
                return k;
            }
        }
        return -1;
    }

    /** The names of all kinds, in order, joined by {@code separator}. */
    public static String names(String separator) {
        return String.join(separator, NAMES);
    }
}
