package dev.alloc.runtime.pool;

/**
 * Size-classed slabs and page runs over chunks: the engine of the {@link SlabAllocator} (one
 * heap) and of the {@link ArenaAllocator} (one heap per arena, sharing one region).
 *
 * <p>Algorithm. A request of a small size class (up to 16 KiB, see {@link SizeClasses}) takes
 * a slot from a slab of that class: the head of the class's list of slabs with free slots, or a
 * new slab cut from a run of pages. Anything larger takes a run of whole pages. A slot is
 * O(1): a slab's free slot is found in its bitmap from a moving hint. Pages are taken when a
 * slab fills or for a large block, best fit over the heap's chunks' page bitmaps (see
 * {@link PageAllocator}; chunks known too full are skipped unscanned; a new chunk only when no
 * chunk has room): a scan of a few words per chunk, next to the zeroing of at least 16 KiB.
 *
 * <p>Layout. Per committed chunk, {@link ChunkPages}: the {@link PageAllocator} and, for every
 * page of a slab, that slab; a page not in a slab is free or in a plain run. All of it is on
 * the Java heap: the chunk holds only the application's bytes.
 *
 * <p>Invariants.
 * <ul>
 *   <li>A slab is in its class's list exactly when it has a free slot and is not retired.</li>
 *   <li>{@code slabAtPage[p]} is set for exactly the pages of live slabs, and only changes under
 *       the page lock together with the page bitmap.</li>
 *   <li>A class keeps at most one entirely free slab (so one block allocated and freed in a
 *       loop does not cut and return a slab each time); {@link #trim} returns that one too, and
 *       so does {@link #retireIdle} once it has stayed free for the decay time.</li>
 *   <li>A chunk whose pages are all free is handed back to the region (which keeps one spare).</li>
 * </ul>
 *
 * <p>Locks: one per size class (its slab list and the slabs' {@code taken} bitmaps) and one for
 * pages (bitmaps, {@code slabAtPage}, this heap's chunk list); order class, then page, then
 * region. Threads allocating different classes do not meet; the page lock is taken once per
 * slab, not per slot, and for large blocks, which cost far more than the lock to use anyway.
 * A free reads {@code slabAtPage} without a lock: the allocation that handed out the address
 * wrote it before, and happened before the free; only a racing misuse can read a stale
 * value, which the checks (committed chunk, live bit) turn into a report.
 */
final class SlabHeap {
    /** A chunk's page-level bookkeeping; the chunk's meta in the region. */
    static final class ChunkPages {
        final PageAllocator pages;
        final Slab[] slabAtPage;

        ChunkPages(int pageCount) {
            pages = new PageAllocator(pageCount);
            slabAtPage = new Slab[pageCount];
        }
    }

    /** One size class's slabs with free slots; its monitor is the class lock. */
    private static final class SlabList {
        Slab head;
    }

    private final ChunkedRegion<ChunkPages> region;
    private final int owner;
    private final SlabList[] classes = new SlabList[SizeClasses.COUNT];
    private final Object pageLock = new Object();
    private int[] chunks = new int[4];
    private int chunkCount;

    SlabHeap(ChunkedRegion<ChunkPages> region, int owner) {
        this.region = region;
        this.owner = owner;
        for (int i = 0; i < classes.length; i++) {
            classes[i] = new SlabList();
        }
    }

    /** Returns a block of {@link SizeClasses#blockSize} bytes, marked live, or 0. */
    long allocate(long size, long alignment) {
        int sizeClass = SizeClasses.classOf(size, alignment);
        if (sizeClass < 0) {
            return allocatePages(size, true);
        }
        SlabList list = classes[sizeClass];
        synchronized (list) {
            Slab slab = list.head;
            if (slab == null) {
                slab = newSlab(sizeClass);
                if (slab == null) {
                    return 0;
                }
                push(list, slab);
            }
            int slot = slab.take();
            if (slab.freeSlots == 0) {
                unlink(list, slab);
            }
            slab.markLive(slot);
            return slab.address(slot);
        }
    }

    /** A run of whole pages for {@code size} bytes, taken from a new chunk only if {@code mayGrow}: its address, or 0. */
    long allocatePages(long size, boolean mayGrow) {
        synchronized (pageLock) {
            return takePages(SizeClasses.pagesFor(size), mayGrow);
        }
    }

    /**
     * Takes up to {@code n} slots of {@code sizeClass} into {@code out[from..]} under one take of
     * the class lock, marked live in their slabs: how many.
     */
    int allocateSlots(int sizeClass, long[] out, int from, int n) {
        SlabList list = classes[sizeClass];
        int taken = 0;
        synchronized (list) {
            while (taken < n) {
                Slab slab = list.head;
                if (slab == null) {
                    slab = newSlab(sizeClass);
                    if (slab == null) {
                        break;
                    }
                    push(list, slab);
                }
                int slot = slab.take();
                if (slab.freeSlots == 0) {
                    unlink(list, slab);
                }
                slab.markLive(slot);
                out[from + taken++] = slab.address(slot);
            }
        }
        return taken;
    }

    /**
     * Gives back slots of one size class that this heap handed out and that are not live any
     * more (a thread cache's stack), under one take of the class lock; addresses of other heaps
     * or classes are freed one by one.
     */
    void freeSlots(long[] addresses, int from, int count) {
        Slab first = slabOf(addresses[from]);
        if (first == null) {
            for (int i = from; i < from + count; i++) {
                int chunk = region.chunkOf(addresses[i]);
                if (chunk >= 0) {
                    free(chunk, addresses[i]);
                }
            }
            return;
        }
        SlabList list = classes[first.sizeClass];
        synchronized (list) {
            for (int i = from; i < from + count; i++) {
                Slab slab = slabOf(addresses[i]);
                if (slab == null || slab.sizeClass != first.sizeClass) {
                    continue; // not this heap's or class: after the lock
                }
                int slot = slab.slotAt(addresses[i]);
                if (slot >= 0 && slab.clearLive(slot)) {
                    giveBackLocked(list, slab, slot);
                }
                addresses[i] = 0;
            }
        }
        for (int i = from; i < from + count; i++) {
            if (addresses[i] != 0) {
                int chunk = region.chunkOf(addresses[i]);
                if (chunk >= 0) {
                    free(chunk, addresses[i]);
                }
            }
        }
    }

    /** The slab of this heap holding {@code address}, or null (a page run, another heap's chunk). */
    private Slab slabOf(long address) {
        int chunk = region.chunkOf(address);
        if (chunk < 0 || region.owner(chunk) != owner) {
            return null;
        }
        ChunkPages meta = region.meta(chunk);
        return meta == null ? null : meta.slabAtPage[(int) ((address - region.base(chunk)) >>> ChunkedRegion.PAGE_SHIFT)];
    }

    /** What is wrong with a free of {@code address}, not live: a {@link Misuse#code()}. Changes nothing. */
    long misuseAt(int chunk, long address) {
        ChunkPages meta = region.meta(chunk);
        if (meta == null) {
            return Misuse.ALREADY_FREE.code();
        }
        long offset = address - region.base(chunk);
        int page = (int) (offset >>> ChunkedRegion.PAGE_SHIFT);
        Slab slab = meta.slabAtPage[page];
        if (slab != null) {
            return slab.slotAt(address) < 0 ? Misuse.NOT_A_BLOCK_START.code() : Misuse.ALREADY_FREE.code();
        }
        synchronized (pageLock) {
            if (!region.isCommitted(chunk, meta) || meta.slabAtPage[page] != null
                    || (offset & (ChunkedRegion.PAGE_SIZE - 1)) == 0 && meta.pages.runPagesAt(page) > 0) {
                return Misuse.ALREADY_FREE.code();
            }
            return meta.pages.isUsed(page) ? Misuse.NOT_A_BLOCK_START.code() : Misuse.ALREADY_FREE.code();
        }
    }

    /**
     * Frees the block at {@code address} in {@code chunk}: its usable size, or a negative
     * {@link Misuse#code()}.
     */
    long free(int chunk, long address) {
        ChunkPages meta = region.meta(chunk);
        if (meta == null) {
            return Misuse.ALREADY_FREE.code();
        }
        long offset = address - region.base(chunk);
        Slab slab = meta.slabAtPage[(int) (offset >>> ChunkedRegion.PAGE_SHIFT)];
        if (slab == null) {
            return freeRun(chunk, meta, offset);
        }
        int slot = slab.slotAt(address);
        if (slot < 0) {
            return Misuse.NOT_A_BLOCK_START.code();
        }
        if (!slab.clearLive(slot)) {
            return Misuse.ALREADY_FREE.code();
        }
        giveBack(slab, slot);
        return slab.slotSize;
    }

    /** Returns a slot that is no longer live to its slab. */
    void giveBack(Slab slab, int slot) {
        SlabList list = classes[slab.sizeClass];
        synchronized (list) {
            giveBackLocked(list, slab, slot);
        }
    }

    private void giveBackLocked(SlabList list, Slab slab, int slot) {
        slab.give(slot);
        if (slab.freeSlots == 1) {
            push(list, slab);
        }
        if (slab.freeSlots == slab.slots) {
            if (list.head != slab || slab.next != null) {
                retire(list, slab, System.nanoTime());
            } else {
                slab.emptySince = System.nanoTime();
            }
        }
    }

    long usableSize(int chunk, long address) {
        ChunkPages meta = region.meta(chunk);
        if (meta == null) {
            return 0;
        }
        long offset = address - region.base(chunk);
        int page = (int) (offset >>> ChunkedRegion.PAGE_SHIFT);
        Slab slab = meta.slabAtPage[page];
        if (slab != null) {
            int slot = slab.slotAt(address);
            return slot >= 0 && slab.isLive(slot) ? slab.slotSize : 0;
        }
        synchronized (pageLock) {
            boolean runStart = region.isCommitted(chunk, meta) && meta.slabAtPage[page] == null
                    && (offset & (ChunkedRegion.PAGE_SIZE - 1)) == 0;
            return runStart ? (long) meta.pages.runPagesAt(page) << ChunkedRegion.PAGE_SHIFT : 0;
        }
    }

    long largestFree(int chunk) {
        synchronized (pageLock) {
            ChunkPages meta = region.meta(chunk);
            return meta == null ? 0 : (long) meta.pages.largestFreeRun() << ChunkedRegion.PAGE_SHIFT;
        }
    }

    /** Returns the entirely free slab each class keeps, so that empty chunks can go back. */
    void trim() {
        for (SlabList list : classes) {
            synchronized (list) {
                Slab slab = list.head;
                while (slab != null) {
                    Slab next = slab.next;
                    if (slab.freeSlots == slab.slots) {
                        retire(list, slab, System.nanoTime());
                    }
                    slab = next;
                }
            }
        }
    }

    /**
     * Retires the entirely free slab each class keeps if it has been free since {@code cutoff}
     * (System.nanoTime) or before, its chunk marked dirty since then, so that the sweep that
     * follows drops its pages: the pages of small blocks freed for good go back about a second
     * after their last free, like those of large blocks.
     */
    void retireIdle(long cutoff) {
        for (SlabList list : classes) {
            synchronized (list) {
                Slab slab = list.head;
                if (slab != null && slab.next == null && slab.freeSlots == slab.slots && slab.emptySince - cutoff <= 0) {
                    int chunk = region.chunkOf(slab.base); // before the retire, which may detach the chunk
                    retire(list, slab, slab.emptySince);
                    region.noteDirtySince(chunk, Math.max(1, slab.emptySince));
                }
            }
        }
    }

    private long freeRun(int chunk, ChunkPages meta, long offset) {
        int page = (int) (offset >>> ChunkedRegion.PAGE_SHIFT);
        synchronized (pageLock) {
            // A slab seen here but not before the lock was cut from free pages meanwhile: the address was free.
            if (!region.isCommitted(chunk, meta) || meta.slabAtPage[page] != null) {
                return Misuse.ALREADY_FREE.code();
            }
            if ((offset & (ChunkedRegion.PAGE_SIZE - 1)) != 0 || meta.pages.runPagesAt(page) == 0) {
                return meta.pages.isUsed(page) ? Misuse.NOT_A_BLOCK_START.code() : Misuse.ALREADY_FREE.code();
            }
            long bytes = (long) meta.pages.free(page) << ChunkedRegion.PAGE_SHIFT;
            region.noteDirty(chunk);
            releaseIfEmpty(chunk, meta);
            return bytes;
        }
    }

    /**
     * Takes the first run of at least {@code minBytes} free pages of {@code chunk} at or after
     * {@code from} out of use, so that the background thread can drop its pages outside the
     * lock: its start and length in {@code out}; false if there is none.
     */
    boolean claimFreeIn(int chunk, long from, long minBytes, long[] out) {
        synchronized (pageLock) {
            ChunkPages meta = region.meta(chunk);
            if (meta == null) {
                return false;
            }
            long run = meta.pages.freeRunFrom((int) ((from - region.base(chunk)) >>> ChunkedRegion.PAGE_SHIFT),
                    (int) (minBytes >>> ChunkedRegion.PAGE_SHIFT));
            if (run < 0) {
                return false;
            }
            int start = (int) (run >>> 32);
            int count = (int) run;
            meta.pages.claim(start, count); // an empty chunk stays the spare: the claim is not a use

            out[0] = region.base(chunk) + ((long) start << ChunkedRegion.PAGE_SHIFT);
            out[1] = (long) count << ChunkedRegion.PAGE_SHIFT;
            return true;
        }
    }

    /** Puts back pages {@link #claimFree} took. */
    void unclaim(int chunk, long address) {
        synchronized (pageLock) {
            ChunkPages meta = region.meta(chunk);
            meta.pages.free((int) ((address - region.base(chunk)) >>> ChunkedRegion.PAGE_SHIFT));
            releaseIfEmpty(chunk, meta);
        }
    }

    /** Cuts a slab from fresh pages; null if there are none. Under the class lock. */
    private Slab newSlab(int sizeClass) {
        synchronized (pageLock) {
            long address = takePages(SizeClasses.slabPages(sizeClass), true);
            if (address == 0) {
                return null;
            }
            Slab slab = new Slab(sizeClass, address);
            setSlabAtPages(slab, slab);
            return slab;
        }
    }

    /**
     * Returns an entirely free slab's pages, its chunk marked dirty; if that empties the chunk,
     * the chunk counts as idle since {@code idleSince}. Under its class lock.
     */
    private void retire(SlabList list, Slab slab, long idleSince) {
        unlink(list, slab);
        synchronized (pageLock) {
            int chunk = region.chunkOf(slab.base);
            ChunkPages meta = setSlabAtPages(slab, null);
            meta.pages.free((int) ((slab.base - region.base(chunk)) >>> ChunkedRegion.PAGE_SHIFT));
            region.noteDirty(chunk);
            if (meta.pages.isEmpty() && region.emptied(chunk, idleSince)) {
                forget(chunk);
            }
        }
    }

    private ChunkPages setSlabAtPages(Slab slab, Slab value) {
        int chunk = region.chunkOf(slab.base);
        ChunkPages meta = region.meta(chunk);
        int first = (int) ((slab.base - region.base(chunk)) >>> ChunkedRegion.PAGE_SHIFT);
        java.util.Arrays.fill(meta.slabAtPage, first, first + slab.pages, value);
        return meta;
    }

    /**
     * Takes a run of pages from this heap's chunks, committing a chunk only if none has room:
     * its address, or 0. Best fit over all of them (the chunk with the smallest run that holds
     * the request; the lower address of equals), so that large free runs stay whole and a new
     * chunk is touched only when the heap is really full. Under the page lock.
     */
    private long takePages(int count, boolean mayGrow) {
        int bestChunk = -1;
        long best = -1;
        for (int i = 0; i < chunkCount; i++) {
            int chunk = chunks[i];
            long fit = region.meta(chunk).pages.bestFit(count);
            if (fit >= 0 && (best < 0 || (fit >>> 32) < (best >>> 32)
                    || (fit >>> 32) == (best >>> 32) && region.base(chunk) < region.base(bestChunk))) {
                best = fit;
                bestChunk = chunk;
            }
        }
        if (bestChunk >= 0) {
            return takePagesIn(bestChunk, count, (int) best);
        }
        if (!mayGrow || !region.hasUncommittedChunk()) {
            return 0;
        }
        int chunk = region.commit(owner, new ChunkPages((int) (region.chunkBytes() >>> ChunkedRegion.PAGE_SHIFT)));
        if (chunk < 0) {
            return 0;
        }
        if (chunkCount == chunks.length) {
            chunks = java.util.Arrays.copyOf(chunks, chunkCount * 2);
        }
        chunks[chunkCount++] = chunk;
        return takePagesIn(chunk, count, -1);
    }

    /** Takes {@code count} pages of {@code chunk} at {@code page} (free, as a search found them), or best fit if it is -1. */
    private long takePagesIn(int chunk, int count, int page) {
        ChunkPages meta = region.meta(chunk);
        boolean wasEmpty = meta.pages.isEmpty();
        if (page < 0) {
            page = meta.pages.allocate(count);
        } else if (!meta.pages.claim(page, count)) {
            page = -1;
        }
        if (page < 0) {
            return 0;
        }
        if (wasEmpty) {
            region.reused(chunk);
        }
        return region.base(chunk) + ((long) page << ChunkedRegion.PAGE_SHIFT);
    }

    private void releaseIfEmpty(int chunk, ChunkPages meta) {
        if (meta.pages.isEmpty() && region.emptied(chunk)) {
            forget(chunk);
        }
    }

    /** Drops a detached chunk from this heap's list. */
    private void forget(int chunk) {
        for (int i = 0; i < chunkCount; i++) {
            if (chunks[i] == chunk) {
                chunks[i] = chunks[--chunkCount];
                return;
            }
        }
    }

    private static void push(SlabList list, Slab slab) {
        slab.prev = null;
        slab.next = list.head;
        if (list.head != null) {
            list.head.prev = slab;
        }
        list.head = slab;
    }

    private static void unlink(SlabList list, Slab slab) {
        if (slab.prev != null) {
            slab.prev.next = slab.next;
        } else if (list.head == slab) {
            list.head = slab.next;
        }
        if (slab.next != null) {
            slab.next.prev = slab.prev;
        }
        slab.prev = null;
        slab.next = null;
    }
}
