package dev.alloc.runtime.pool;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

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
 *   <li>A chunk slot is committed (memory held, {@code meta[i]} set, listed in {@link #index}),
 *       detached (memory held, no owner, not listed, {@code detachedSince[i]} set) or free.
 *       Its base is page-aligned: the source's memory plus at most a page of slack.</li>
 *   <li>An owner detaches a chunk that empties ({@link #emptied}) under its own lock, which
 *       costs no system call; {@link #commit} takes a detached slot first (its pages are still
 *       resident: no page faults). Detached slots go back to the source only in
 *       {@link #releaseDetached}, called by the pool's background thread once they have been
 *       detached for a while, outside every lock (page return by decay).</li>
 *   <li>Where the source's reserve is a system call (malloc, JDK 17–21), an allocating thread
 *       reserves the next chunk ahead, outside every lock ({@link #prepareChunk}), so that an
 *       owner growing under its lock takes a prepared slot instead.</li>
 *   <li>A chunk in which memory was freed is marked dirty ({@link #noteDirty}) with the time of
 *       the first free since it was last swept. Once that time is the decay time old, the
 *       background thread takes the mark ({@link #takeDirty}) and drops the pages of every free
 *       run of at least {@link #DROP_MIN_BYTES} in the chunk, each claimed back from the
 *       owner's free lists meanwhile so that nobody can be handed it. So whatever stays free
 *       goes back, however it was freed or merged, and a free only writes one mark.</li>
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
     * Free runs at least this big give their pages back once they have stayed free for the
     * decay time: resident memory then follows live memory, and smaller holes between live
     * blocks, which would cost a system call for a few pages, stay resident until reused.
     */
    static final long DROP_MIN_BYTES = 64 << 10;
    private static final VarHandle SINCE = MethodHandles.arrayElementVarHandle(long[].class);

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
    /** When a slot was detached (System.nanoTime, never 0), 0 unless it is detached. */
    private final long[] detachedSince;
    /** How many slots are detached; written under the lock. */
    private volatile int detachedCount;
    /** Slots holding memory reserved ahead, outside every lock, for the next commit (sources whose reserve is a system call). */
    private final boolean[] prepared;
    private volatile int preparedCount;
    /** Per chunk slot: when memory was first freed in it since it was last swept (System.nanoTime, never 0), 0 if clean. */
    private final long[] dirtySince;
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
        detachedSince = new long[(int) count];
        dirtySince = new long[(int) count];
        prepared = new boolean[(int) count];
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

    /** Bytes held from the source: committed chunks and detached ones not given back yet. */
    long committedBytes() {
        return chunkBytes * (index.chunks.length + detachedCount);
    }

    boolean hasUncommittedChunk() {
        return index.chunks.length < base.length;
    }

    /** The committed chunks, in address order; a snapshot the caller must not modify. */
    int[] committedChunks() {
        return index.chunks;
    }

    /**
     * Marks {@code chunk} dirty: memory was freed in it now (its owner calls this under its
     * lock, on every free that leaves a run its sweep would drop). One volatile read when the
     * chunk is dirty already.
     */
    void noteDirty(int chunk) {
        if ((long) SINCE.getVolatile(dirtySince, chunk) == 0) {
            noteDirtySince(chunk, Math.max(1, System.nanoTime()));
        }
    }

    /** Marks {@code chunk} dirty since {@code time} (System.nanoTime, not 0), or since earlier if it already was. */
    void noteDirtySince(int chunk, long time) {
        if (chunk < 0 || !source.canDropPages()) {
            return;
        }
        while (true) {
            long since = (long) SINCE.getVolatile(dirtySince, chunk);
            if (since != 0 && since - time <= 0 || SINCE.compareAndSet(dirtySince, chunk, since, time)) {
                return;
            }
        }
    }

    /**
     * Takes the marks of committed chunks dirty since {@code cutoff} (System.nanoTime) or
     * before, leaving them clean: those chunks, into {@code out}; how many. A free racing with
     * this either lands before the sweep that follows or marks the chunk again.
     */
    int takeDirty(long cutoff, int[] out) {
        int taken = 0;
        for (int chunk : index.chunks) {
            long since = (long) SINCE.getVolatile(dirtySince, chunk);
            if (since != 0 && since - cutoff <= 0 && taken < out.length
                    && SINCE.compareAndSet(dirtySince, chunk, since, 0L)) {
                out[taken++] = chunk;
            }
        }
        return taken;
    }

    /** Gives the whole pages inside {@code [address, address + bytes)} back; the caller holds them claimed, no lock. */
    void dropPages(long address, long bytes) {
        long start = (address + PAGE_SIZE - 1) & -PAGE_SIZE;
        long end = (address + bytes) & -PAGE_SIZE;
        if (end > start) {
            source.dropPages(start, end - start);
        }
    }

    /** Whether {@code address} lies in a chunk the source ever gave this region (see {@link RegionSource#everHeld}). */
    boolean everHeld(long address) {
        return source.everHeld(address) || inDetachedChunk(address);
    }

    private synchronized boolean inDetachedChunk(long address) {
        for (int i = 0; i < base.length; i++) {
            if (detachedSince[i] != 0 && address - base[i] >= 0 && address - base[i] < chunkBytes) {
                return true;
            }
        }
        return false;
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
     * Takes a chunk for {@code ownerId}, described by {@code chunkMeta}: a detached one if there
     * is one, else one from the source. Returns its index, or -1 when the region is at its
     * ceiling or the source has no memory.
     */
    synchronized int commit(int ownerId, M chunkMeta) {
        if (closed) {
            return -1;
        }
        int chunk = detachedSlot();
        if (chunk >= 0) {
            detachedSince[chunk] = 0;
            detachedCount--;
        } else if ((chunk = preparedSlot()) >= 0) {
            prepared[chunk] = false;
            preparedCount--;
        } else {
            chunk = freeSlot();
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
            live[chunk] = new LiveBlocks(chunkBytes);
        }
        owner[chunk] = ownerId;
        meta[chunk] = chunkMeta;
        publish();
        return chunk;
    }

    /**
     * Called by the owner, under its lock, when {@code chunk} has no live block left. Keeps it
     * as the spare, or detaches it (no system call: its memory goes back later, see
     * {@link #releaseDetached}). Returns true if it was detached: the owner must then forget it.
     */
    boolean emptied(int chunk) {
        return emptied(chunk, System.nanoTime());
    }

    /**
     * {@link #emptied(int)} by the background round, for memory that has been idle since
     * {@code idleSince} (System.nanoTime): a chunk emptied by retiring a slab that stayed free
     * for the decay time counts as detached since then, so the same round gives it back instead
     * of keeping its pages resident for another decay time (detached chunks are not swept).
     */
    synchronized boolean emptied(int chunk, long idleSince) {
        if (spare < 0 || spare == chunk) {
            spare = chunk;
            return false;
        }
        meta[chunk] = null;
        detachedSince[chunk] = idleSince == 0 ? 1 : idleSince;
        detachedCount++;
        publish();
        return true;
    }

    /** Called by the owner, under its lock, when an empty chunk gets a block again. */
    synchronized void reused(int chunk) {
        if (spare == chunk) {
            spare = -1;
        }
    }

    /** Gives the memory of chunks detached at or before {@code cutoff} (System.nanoTime) back to the source, outside the lock. */
    void releaseDetached(long cutoff) {
        long[] raws = new long[base.length];
        int count = 0;
        synchronized (this) {
            for (int i = 0; i < base.length; i++) {
                if (detachedSince[i] != 0 && detachedSince[i] - cutoff <= 0) {
                    raws[count++] = forgetSlot(i);
                }
            }
        }
        for (int i = 0; i < count; i++) {
            source.release(raws[i], chunkBytes + PAGE_SIZE);
        }
    }

    /** Releases every chunk; blocks still live become invalid. */
    void close() {
        long[] raws = new long[base.length];
        int count = 0;
        synchronized (this) {
            closed = true;
            for (int i = 0; i < base.length; i++) {
                if (rawAddress[i] != 0) {
                    raws[count++] = forgetSlot(i);
                }
            }
            spare = -1;
            publish();
        }
        for (int i = 0; i < count; i++) {
            source.release(raws[i], chunkBytes + PAGE_SIZE);
        }
    }

    /** Makes slot {@code i} free: its raw memory, which the caller gives back to the source. */
    private long forgetSlot(int i) {
        long raw = rawAddress[i];
        meta[i] = null;
        live[i] = null;
        rawAddress[i] = 0;
        if (detachedSince[i] != 0) {
            detachedSince[i] = 0;
            detachedCount--;
        }
        if (prepared[i]) {
            prepared[i] = false;
            preparedCount--;
        }
        return raw;
    }

    /**
     * Whether a caller about to ask its strategy for memory should call {@link #prepareChunk}
     * first: the source's reserve is a system call (malloc), no detached or prepared chunk is
     * ready, and the region is below its ceiling. Two volatile reads.
     */
    /** Whether free runs' pages can go back before their chunk empties ({@code madvise}: JDK 22+ over a mapped range). */
    boolean dropsPages() {
        return source.canDropPages();
    }

    boolean wantsPreparedChunk() {
        return !source.reservesWithoutSystemCall() && preparedCount == 0 && detachedCount == 0 && hasUncommittedChunk();
    }

    /**
     * Reserves one chunk from the source outside every lock and keeps it for the next
     * {@link #commit}, so that a strategy growing under its lock makes no system call. Called
     * by an allocating thread before it takes a strategy lock; racing callers may prepare one
     * each, all used by later commits or released on close.
     */
    void prepareChunk() {
        long raw;
        try {
            raw = source.reserve(chunkBytes + PAGE_SIZE);
        } catch (OutOfMemoryError e) {
            return;
        }
        if (raw == 0) {
            return;
        }
        synchronized (this) {
            int chunk = closed ? -1 : freeSlot();
            if (chunk >= 0) {
                rawAddress[chunk] = raw;
                base[chunk] = (raw + PAGE_SIZE - 1) & -PAGE_SIZE;
                live[chunk] = new LiveBlocks(chunkBytes);
                prepared[chunk] = true;
                preparedCount++;
                return;
            }
        }
        source.release(raw, chunkBytes + PAGE_SIZE);
    }

    private int preparedSlot() {
        for (int i = 0; i < base.length; i++) {
            if (prepared[i]) {
                return i;
            }
        }
        return -1;
    }

    private int detachedSlot() {
        for (int i = 0; i < base.length; i++) {
            if (detachedSince[i] != 0) {
                return i;
            }
        }
        return -1;
    }

    private int freeSlot() {
        for (int i = 0; i < meta.length; i++) {
            if (rawAddress[i] == 0) {
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
