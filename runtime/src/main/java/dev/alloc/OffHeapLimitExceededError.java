package dev.alloc;

/**
 * Thrown when an off-heap allocation would take live off-heap memory over a limit set with the
 * {@code limit} (or {@code limit.<kind>}) option of the alloc agent. It is an
 * {@link OutOfMemoryError} so that JDK code which cleans up after a failed native allocation
 * (for example {@code DirectByteBuffer}'s constructor) keeps its own books straight.
 */
public final class OffHeapLimitExceededError extends OutOfMemoryError {
    private static final long serialVersionUID = 1L;

    private final String kind;
    private final long requested;
    private final long used;
    private final long limit;
    private final String site;

    public OffHeapLimitExceededError(String message, String kind, long requested, long used, long limit, String site) {
        super(message);
        this.kind = kind;
        this.requested = requested;
        this.used = used;
        this.limit = limit;
        this.site = site;
    }

    /** The kind of memory asked for: {@code direct}, {@code unsafe}, {@code ffm} or {@code malloc}. */
    public String kind() {
        return kind;
    }

    /** Bytes the failed allocation asked for. */
    public long requested() {
        return requested;
    }

    /** Bytes in use under the limit that was hit, at the time of the failure. */
    public long used() {
        return used;
    }

    /** The limit that was hit, in bytes. */
    public long limit() {
        return limit;
    }

    /** The call site that asked for the memory. */
    public String site() {
        return site;
    }
}
