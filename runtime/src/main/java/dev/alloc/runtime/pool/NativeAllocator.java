package dev.alloc.runtime.pool;

/**
 * An allocator of native memory over a region it reserved: the one interface every pool
 * strategy implements, so that a strategy is one class and one option value.
 *
 * <p>A pool never throws for a request it cannot serve: {@link #allocate} returns 0 and the
 * caller falls back to the system allocator. Implementations are thread-safe.
 */
public interface NativeAllocator extends AutoCloseable {
    /** Every block is aligned to at least this many bytes. */
    long MIN_ALIGNMENT = 16;
    /** The largest alignment honoured; larger ones are refused (0). */
    long MAX_ALIGNMENT = 4096;

    /**
     * Returns the address of a block of at least {@code size} bytes aligned to
     * {@code max(alignment, 16)}, or 0 when the pool cannot serve it (size 0, too big, an
     * alignment above 4096, or full).
     *
     * @throws IllegalArgumentException if {@code alignment} is not a power of two
     */
    long allocate(long size, long alignment);

    /**
     * Frees the block at {@code address}. Returns false, doing nothing, for an address outside
     * the pool. An address inside the pool that does not start a live block (a double free, an
     * interior pointer) is reported to the pool's {@link MisuseListener} and otherwise ignored:
     * the pool stays intact and this returns true.
     */
    boolean free(long address);

    /**
     * Frees a live block the caller knows was allocated with {@code requestedSize} bytes at the
     * default alignment (or resized in place since, as {@link #resizesInPlace} allowed): the
     * same as {@link #free(long)}, but a small block can go to the thread's cache without a
     * look-up of its size. A wrong size must never be passed; 0 means unknown.
     */
    default boolean free(long address, long requestedSize) {
        return free(address);
    }

    /**
     * Whether the live block at {@code address}, allocated (or last resized) with
     * {@code oldSize} bytes at the default alignment, can hold {@code newSize} bytes in place,
     * so that {@code free(address, newSize)} stays right and little of it is wasted.
     */
    default boolean resizesInPlace(long address, long oldSize, long newSize) {
        long usable = usableSize(address);
        return newSize <= usable && newSize > usable / 2;
    }

    /**
     * Frees an address no live block is known at (the caller's records have no entry for it).
     * Returns true, after reporting the misuse, when it lies in memory the pool holds or held
     * once (a stale free after its chunk went back to the operating system); false when it is
     * none of the pool's business and belongs to the system allocator.
     */
    boolean freeStale(long address);

    /** Whether {@code address} lies in memory this pool currently holds. */
    boolean owns(long address);

    /** The usable size of the live block starting at {@code address}, or 0 if there is none. */
    long usableSize(long address);

    /** A consistent-enough snapshot: each figure is exact, taken at slightly different times. */
    PoolStatistics statistics();

    /**
     * Gives memory held in caches back to the pool, and empty chunks back to the operating
     * system. Allocation does this by itself before it gives up; monitoring may call it.
     */
    default void trim() {
    }

    /** Releases the whole region. Blocks still live become invalid. */
    @Override
    void close();
}
