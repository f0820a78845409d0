package dev.alloc.runtime.pool;

/** What was wrong with a free of an address inside a pool. */
public enum Misuse {
    /** The address lies in free memory: freed twice, or never handed out. */
    ALREADY_FREE,
    /** The address lies inside a live block but is not where the block starts. */
    NOT_A_BLOCK_START;

    /** Encoded as a negative return value of the internal free paths (sizes are positive). */
    long code() {
        return -1L - ordinal();
    }

    /** The misuse a negative {@link #code()} stands for. */
    static Misuse ofCode(long code) {
        return values()[(int) (-1L - code)];
    }
}
