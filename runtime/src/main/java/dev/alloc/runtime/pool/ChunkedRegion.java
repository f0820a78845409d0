package dev.alloc.runtime.pool;

/**
 * The memory under a pool: up to {@code chunkCount} chunks of {@code chunkBytes} each, taken
 * from a {@link RegionSource} when an allocator needs one and given back when it empties. No
 * block spans two chunks, so the largest block a pool serves is one chunk.
 *
 * <p>Why chunks and not one reserved range: a chunk is one mapping of its own (glibc maps
 * requests this big directly), so releasing an empty chunk returns its pages to the operating
 * system on any JDK, without {@code madvise}.
 *
 * <p>Layout and invariants:
 * <ul>
 *   <li>A chunk slot is committed (memory held, {@code meta[i]} set, listed in {@link #index})
 *       or free. Its base is page-aligned: the source's memory plus at most a page of slack.</li>
 *   <li>{@code meta[i]} is the owning allocator's bookkeeping for chunk {@code i}, written
 *       before the index that lists the chunk is published (a volatile write), so any thread
 *       that finds a chunk through the index also sees its base, owner and meta.</li>
 *   <li>The index, a sorted copy-on-write array of bases, is replaced under this object's lock
 *       (commits and releases are rare); lookups are a volatile read and a binary search.</li>
 *   <li>At most one empty chunk is kept as a spare, so that one block allocated and freed in a
 *       loop does not map and unmap a chunk each time.</li>
 * </ul>
 *
 * @param <M> the owning allocator's per-chunk bookkeeping
 */
final class ChunkedRegion<M> {
    static final int PAGE_SHIFT = 12;
    static final long PAGE_SIZE = 1L << PAGE_SHIFT;
    /**
     * Freed blocks at least this big give their pages back at once, as glibc's mapped blocks do
     * (its default mmap threshold): resident memory then follows live memory, and the smaller
     * blocks, freed and reused most often, never pay for a system call and a page fault.
     */
    static final long DROP_MIN_BYTES = 128 << 10;

    /** The committed chunks sorted by base; never mutated once published. */
    private static final class Index {
        static final Index EMPTY = new Index(new long[0], new int[0]);
        final long[] bases;
        final int[] chunks;

        Index(long[] bases, int[] chunks) {
            this.bases = bases;
            this.chunks = chunks;
        }
    }

    private final RegionSource source;
    private final long chunkBytes;
    private final long[] rawAddress;
    private final long[] base;
    private final int[] owner;
    private final Object[] meta;
    private final LiveBlocks[] live;
    private volatile Index index = Index.EMPTY;
    private int spare = -1;
    private boolean closed;

    ChunkedRegion(RegionSource source, long regionBytes, long chunkBytes) {
        if (Long.bitCount(chunkBytes) != 1 || chunkBytes < PAGE_SIZE) {
            throw new IllegalArgumentException("chunk size must be a power of two of at least a page: " + chunkBytes);
        }
        long count = regionBytes / chunkBytes;
        if (count < 1 || count > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("region of " + regionBytes + " bytes for chunks of " + chunkBytes);
        }
        this.source = source;
        this.chunkBytes = chunkBytes;
        rawAddress = new long[(int) count];
        base = new long[(int) count];
        owner = new int[(int) count];
        meta = new Object[(int) count];
        live = new LiveBlocks[(int) count];
    }

    /** The chunk size for a region: 4 MiB, or the region itself rounded down to a power of two when smaller. */
    static long chunkBytesFor(long regionBytes) {
        long chunk = 4L << 20;
        return regionBytes >= chunk ? chunk : Math.max(PAGE_SIZE, Long.highestOneBit(regionBytes));
    }

    long chunkBytes() {
        return chunkBytes;
    }

    long reservedBytes() {
        return chunkBytes * base.length;
    }

    long committedBytes() {
        return chunkBytes * index.chunks.length;
    }

    boolean hasUncommittedChunk() {
        return index.chunks.length < base.length;
    }

    /** The committed chunks, in address order; a snapshot the caller must not modify. */
    int[] committedChunks() {
        return index.chunks;
    }

    /**
     * Gives the whole pages inside a freed block of at least {@link #DROP_MIN_BYTES} back to the
     * operating system, if the source can ({@link RegionSource#dropPages}). Call under the lock
     * that owns the block, before the chunk can be released: once the lock is gone, the pages
     * may belong to someone else.
     */
    void dropFreedPages(long address, long bytes) {
        if (bytes >= DROP_MIN_BYTES) {
            long start = (address + PAGE_SIZE - 1) & -PAGE_SIZE;
            long end = (address + bytes) & -PAGE_SIZE;
            if (end > start) {
                source.dropPages(start, end - start);
            }
        }
    }

    /** Whether {@code address} lies in a chunk the source ever gave this region (see {@link RegionSource#everHeld}). */
    boolean everHeld(long address) {
        return source.everHeld(address);
    }

    /** The chunk holding {@code address}, or -1. */
    int chunkOf(long address) {
        Index current = index;
        long[] bases = current.bases;
        int low = 0;
        int high = bases.length - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            long start = bases[mid];
            if (address < start) {
                high = mid - 1;
            } else if (address - start >= chunkBytes) {
                low = mid + 1;
            } else {
                return current.chunks[mid];
            }
        }
        return -1;
    }

    long base(int chunk) {
        return base[chunk];
    }

    int owner(int chunk) {
        return owner[chunk];
    }

    /** The owner's bookkeeping for {@code chunk}, or null if it was released meanwhile (a racing misuse). */
    @SuppressWarnings("unchecked")
    M meta(int chunk) {
        return (M) meta[chunk];
    }

    /** Which blocks of {@code chunk} are live, or null if it was released meanwhile (a racing misuse). */
    LiveBlocks live(int chunk) {
        return live[chunk];
    }

    /** Whether {@code chunkMeta} still describes a committed chunk; call under the owner's lock. */
    boolean isCommitted(int chunk, M chunkMeta) {
        return meta[chunk] == chunkMeta;
    }

    /**
     * Takes a chunk from the source for {@code ownerId}, described by {@code chunkMeta}.
     * Returns its index, or -1 when the region is at its ceiling or the source has no memory.
     */
    synchronized int commit(int ownerId, M chunkMeta) {
        if (closed) {
            return -1;
        }
        int chunk = freeSlot();
        if (chunk < 0) {
            return -1;
        }
        long raw;
        try {
            raw = source.reserve(chunkBytes + PAGE_SIZE);
        } catch (OutOfMemoryError e) {
            return -1;
        }
        if (raw == 0) {
            return -1;
        }
        rawAddress[chunk] = raw;
        base[chunk] = (raw + PAGE_SIZE - 1) & -PAGE_SIZE;
        owner[chunk] = ownerId;
        meta[chunk] = chunkMeta;
        live[chunk] = new LiveBlocks(chunkBytes);
        publish();
        return chunk;
    }

    /**
     * Called by the owner, under its lock, when {@code chunk} has no live block left. Keeps it
     * as the spare, or releases it. Returns true if it was released: the owner must then forget it.
     */
    synchronized boolean emptied(int chunk) {
        if (spare < 0 || spare == chunk) {
            spare = chunk;
            return false;
        }
        release(chunk);
        return true;
    }

    /** Called by the owner, under its lock, when an empty chunk gets a block again. */
    synchronized void reused(int chunk) {
        if (spare == chunk) {
            spare = -1;
        }
    }

    synchronized void close() {
        closed = true;
        for (int chunk : index.chunks) {
            release(chunk);
        }
        spare = -1;
    }

    private void release(int chunk) {
        meta[chunk] = null;
        live[chunk] = null;
        long raw = rawAddress[chunk];
        rawAddress[chunk] = 0;
        publish();
        source.release(raw, chunkBytes + PAGE_SIZE);
    }

    private int freeSlot() {
        for (int i = 0; i < meta.length; i++) {
            if (meta[i] == null) {
                return i;
            }
        }
        return -1;
    }

    private void publish() {
        int count = 0;
        for (Object m : meta) {
            if (m != null) {
                count++;
            }
        }
        int[] chunks = new int[count];
        int n = 0;
        for (int i = 0; i < meta.length; i++) {
            if (meta[i] != null) {
                chunks[n++] = i;
            }
        }
        // Insertion sort by base: the index is small and rebuilt rarely.
        for (int i = 1; i < count; i++) {
            int c = chunks[i];
            int j = i - 1;
            while (j >= 0 && base[chunks[j]] > base[c]) {
                chunks[j + 1] = chunks[j];
                j--;
            }
            chunks[j + 1] = c;
        }
        long[] bases = new long[count];
        for (int i = 0; i < count; i++) {
            bases[i] = base[chunks[i]];
        }
        index = new Index(bases, chunks);
    }
}
