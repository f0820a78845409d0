package dev.alloc.runtime.pool;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The front end every pool strategy shares, over a {@link ChunkedRegion}: per-thread caches of
 * free blocks, the record of which blocks are live, statistics, misuse reports. A strategy
 * supplies the chunk-level operations underneath.
 *
 * <p>Algorithm. A request of at most 16 KiB at the default alignment maps to a size class
 * ({@link SizeClasses}); the thread's {@link ThreadCache} keeps a small stack of free blocks per
 * class. Allocate pops one; on a miss it refills half the stack from the strategy in one call.
 * A free that names the block's size ({@link #free(long, long)}, as the agent's records allow)
 * pushes the block on the freeing thread's stack; a full stack gives its older half back to the
 * strategy in one call. So a hit takes no lock and writes only the thread's own lines and the
 * block's live bit; the strategy's locks are taken once per batch. Blocks freed by another
 * thread than the one that allocated them simply join that thread's cache (as in tcache): a
 * producer/consumer pair moves blocks in batches through the strategy.
 *
 * <p>Virtual threads (JDK 21+, with the agent's exports, see {@link Carriers}) use their
 * carrier's cache, so a million of them cost as many caches as there are carriers, and their
 * blocks are flushed when the carrier ends like any platform thread's. A hit (pop or push) runs
 * unpinned: it takes no lock and cannot unmount between the look-up and its last use of the
 * cache. Every other path (refill, spill, a flush asked for, a block of a page run) runs pinned
 * and looks the cache up again once pinned, so no other virtual thread on that carrier touches
 * the cache meanwhile.
 *
 * <p>Invariants.
 * <ul>
 *   <li>A block's bit in its chunk's {@link LiveBlocks} is set exactly while the application
 *       holds it. Every free clears it by CAS first, so a double free, a free of a block parked
 *       in a cache and an interior free all fail there and are reported; only the winner of the
 *       CAS touches the strategy or a cache. Misuse never reaches the strategy's free.</li>
 *   <li>A cached block is allocated in the strategy, at {@code slotSize(class)} bytes, so its
 *       chunk stays committed; caches are bounded ({@link ThreadCache#capacity}).</li>
 *   <li>Statistics: allocations, frees and bytes in use are per-thread cells, summed on read;
 *       a small block counts {@code classBytes[class]}, the strategy's usable size for its
 *       class, so a free without a size hint (through the strategy) subtracts the same.</li>
 *   <li>Nothing cached makes the pool look full: before an allocation fails, the thread flushes
 *       its own cache and the caches of dead threads, asks every live thread to flush its cache
 *       at its next call ({@code drainEpoch}), trims the strategy, and tries once more.</li>
 * </ul>
 *
 * <p>Contract of the strategy's operations: {@link #allocateBlock} gets a size in
 * {@code [1, chunkBytes]} and a power-of-two alignment in {@code [16, 4096]} and hands out a
 * block of exactly {@link #blockBytes} usable bytes. {@link #freeBlock} gets only blocks it
 * handed out and that are not live any more, and returns their usable size; it must tolerate
 * a chunk released meanwhile. {@link #misuseAt} classifies a bad free without changing anything.
 *
 * @param <M> the strategy's per-chunk bookkeeping
 */
abstract class RegionAllocator<M> implements NativeAllocator, ThreadCache.BlockSink {
    final ChunkedRegion<M> region;
    private final MisuseListener listener;
    private final LongAdder failures = new LongAdder();
    private final LongAdder misuses = new LongAdder();
    /** The strategy's usable size for each size class, counted for small blocks. */
    private final long[] classBytes = new long[SizeClasses.COUNT];
    private final AtomicInteger nextHome = new AtomicInteger();
    /** Bumped to ask every live thread to flush its cache at its next call. */
    private volatile int drainEpoch;
    private final ThreadCacheRegistry registry = new ThreadCacheRegistry(this);
    /** Whether this pool was handed to {@link PoolDecay}; set once, racy reads only cost a call. */
    private volatile boolean decaying;
    /**
     * The caches of platform threads by thread id modulo its length, looked at before the
     * {@code ThreadLocal} (a lookup there costs a hash probe and a weak reference read): an
     * entry serves only the thread it belongs to, and is replaced only once that thread died,
     * so two live threads that collide never write it in turn.
     */
    private final ThreadCache[] byThreadId = new ThreadCache[64];
    /** Each thread's cache, a virtual thread's being its carrier's when {@link Carriers#AVAILABLE}. */
    private final ThreadLocal<ThreadCache> caches = Carriers.newLocal();

    RegionAllocator(ChunkedRegion<M> region, MisuseListener listener) {
        this.region = region;
        this.listener = listener;
    }

    /** Strategy-specific set-up done, the class sizes can be asked: call at the end of the constructor. */
    final void classesKnown() {
        for (int c = 0; c < SizeClasses.COUNT; c++) {
            classBytes[c] = blockBytes(SizeClasses.slotSize(c), MIN_ALIGNMENT);
        }
    }

    /** A block of {@link #blockBytes}{@code (size, alignment)} usable bytes, or 0; {@code home} spreads threads. */
    abstract long allocateBlock(long size, long alignment, int home);

    /** Gives back a block this strategy handed out (not live any more): its usable size. */
    abstract long freeBlock(int chunk, long address);

    /** The usable size of the block the strategy holds allocated at {@code address} in {@code chunk}, or 0. */
    abstract long usableSizeIn(int chunk, long address);

    /** The largest block {@code chunk} could serve now. */
    abstract long largestFreeIn(int chunk);

    /** The usable size of the block {@link #allocateBlock} hands out for this request. */
    abstract long blockBytes(long size, long alignment);

    /** What is wrong with a free of {@code address}, which is not live: a {@link Misuse#code()}; changes nothing. */
    abstract long misuseAt(int chunk, long address);

    /**
     * Takes the first free run of at least {@code minBytes} in {@code chunk} at or after
     * {@code from} out of use, so that its pages can be dropped outside every lock: its start
     * and length in {@code out} (a length of 0: none yet, walk on from {@code out[0]}); false
     * when there is none. Strategies that cannot tell keep the pages until the chunk empties.
     */
    boolean claimFreeIn(int chunk, long from, long minBytes, long[] out) {
        return false;
    }

    /** Puts back a run {@link #claimFreeIn} took. */
    void unclaim(int chunk, long address) {
    }

    /**
     * Returns strategy-level caches of free memory (e.g. the free slab a size class keeps) idle
     * since {@code cutoff} or before, marking their chunks dirty since then, so that the sweep
     * that follows drops them. Strategies without such caches keep none.
     */
    void retireIdle(long cutoff) {
    }

    /** Returns entirely free strategy-level caches (e.g. spare slabs), so that empty chunks can go back. */
    void trimStrategy() {
    }

    /**
     * Takes up to {@code n} blocks of {@code bytes} (a size class's slot size) into
     * {@code out[from..]}: how many. Strategies override it to take their lock once.
     */
    int allocateBlocks(long bytes, int home, long[] out, int from, int n) {
        int taken = 0;
        while (taken < n) {
            long address = allocateBlock(bytes, MIN_ALIGNMENT, home);
            if (address == 0) {
                break;
            }
            out[from + taken++] = address;
        }
        return taken;
    }

    /** Gives back blocks of the cache (see {@link ThreadCache.BlockSink}). Strategies may override it to batch. */
    @Override
    public void giveBack(long[] addresses, int from, int count) {
        for (int i = from; i < from + count; i++) {
            int chunk = region.chunkOf(addresses[i]);
            if (chunk >= 0) {
                freeBlock(chunk, addresses[i]);
            }
        }
    }

    @Override
    public final long allocate(long size, long alignment) {
        if (alignment <= 0 || Long.bitCount(alignment) != 1) {
            throw new IllegalArgumentException("alignment must be a power of two: " + alignment);
        }
        if (size <= 0 || alignment > MAX_ALIGNMENT || size > region.chunkBytes()) {
            failures.increment();
            return 0;
        }
        ThreadCache cache = cache();
        if (cache.owner != Thread.currentThread()) {
            return allocateOnCarrier(cache, size, alignment);
        }
        return allocateWith(cache, size, alignment);
    }

    /** A virtual thread's allocation from its carrier's {@code cache}: a hit unpinned, anything else pinned. */
    private long allocateOnCarrier(ThreadCache cache, long size, long alignment) {
        if (cache.drainSeen == drainEpoch && size <= SizeClasses.SMALL_MAX && alignment <= MIN_ALIGNMENT) {
            int sizeClass = SizeClasses.classOf(size, MIN_ALIGNMENT);
            long address = cache.pop(sizeClass);
            if (address != 0) {
                return handOut(cache, address, classBytes[sizeClass]);
            }
        }
        Carriers.pin();
        try {
            return allocateWith(cache(), size, alignment);
        } finally {
            Carriers.unpin();
        }
    }

    private long allocateWith(ThreadCache cache, long size, long alignment) {
        if (cache.drainSeen != drainEpoch) {
            cache.drainSeen = drainEpoch;
            cache.flush(this);
        }
        long address;
        long bytes;
        if (size <= SizeClasses.SMALL_MAX && alignment <= MIN_ALIGNMENT) {
            int sizeClass = SizeClasses.classOf(size, MIN_ALIGNMENT);
            bytes = classBytes[sizeClass];
            address = cache.pop(sizeClass);
            if (address == 0) {
                prepareChunk();
                address = refill(cache, sizeClass);
            }
            if (address == 0) {
                drainForSpace(cache);
                address = allocateBlock(SizeClasses.slotSize(sizeClass), MIN_ALIGNMENT, cache.home);
            }
        } else {
            long align = Math.max(alignment, MIN_ALIGNMENT);
            bytes = blockBytes(size, align);
            prepareChunk();
            address = allocateBlock(size, align, cache.home);
            if (address == 0) {
                drainForSpace(cache);
                address = allocateBlock(size, align, cache.home);
            }
        }
        if (address == 0) {
            failures.increment();
            return 0;
        }
        return handOut(cache, address, bytes);
    }

    /** Marks a block live and counts it on {@code cache}: the address. */
    private long handOut(ThreadCache cache, long address, long bytes) {
        int chunk = region.chunkOf(address);
        region.live(chunk).markLive(address - region.base(chunk));
        cache.count(ThreadCache.ALLOCATIONS, 1);
        cache.count(ThreadCache.IN_USE, bytes);
        return address;
    }

    /** The current thread's cache; a virtual thread's carrier's (owned by the carrier) when {@link Carriers#AVAILABLE}. */
    @SuppressWarnings("deprecation") // Thread.threadId() is JDK 19+
    private ThreadCache cache() {
        Thread thread = Carriers.current();
        ThreadCache cache = byThreadId[(int) thread.getId() & (byThreadId.length - 1)];
        return cache != null && cache.owner == thread ? cache : cacheFromThreadLocal(thread);
    }

    @SuppressWarnings("deprecation")
    private ThreadCache cacheFromThreadLocal(Thread carrier) {
        ThreadCache cache = caches.get();
        if (cache == null) {
            cache = newCache(carrier);
        }
        int slot = (int) carrier.getId() & (byThreadId.length - 1);
        ThreadCache old = byThreadId[slot];
        if (cache.cachesBlocks && (old == null || old.ownerDied())) {
            byThreadId[slot] = cache; // its fields the reader needs are final
        }
        return cache;
    }

    /** Makes and registers {@code carrier}'s cache; pinned on a virtual thread, whose registration may block. */
    private ThreadCache newCache(Thread carrier) {
        boolean virtual = carrier != Thread.currentThread();
        if (virtual) {
            Carriers.pin();
        }
        try {
            ThreadCache cache = new ThreadCache(nextHome.getAndIncrement() & Integer.MAX_VALUE, drainEpoch, carrier);
            registry.add(cache);
            caches.set(cache);
            return cache;
        } finally {
            if (virtual) {
                Carriers.unpin();
            }
        }
    }

    /** So that a strategy that grows under its lock finds a chunk ready (see {@link ChunkedRegion#prepareChunk}). */
    private void prepareChunk() {
        if (region.wantsPreparedChunk()) {
            region.prepareChunk();
        }
    }

    /** Fills half of the class's stack from the strategy: one of the blocks, or 0. */
    private long refill(ThreadCache cache, int sizeClass) {
        long[] stack = cache.stackFor(sizeClass);
        long slotBytes = SizeClasses.slotSize(sizeClass);
        if (stack == null) {
            return allocateBlock(slotBytes, MIN_ALIGNMENT, cache.home);
        }
        int taken = allocateBlocks(slotBytes, cache.home, stack, 0, Math.max(1, stack.length / 2));
        if (taken == 0) {
            return 0;
        }
        cache.setCount(sizeClass, taken - 1);
        return stack[taken - 1];
    }

    /** Before an allocation gives up: every cache that can be emptied now is, and live threads are asked to. */
    private void drainForSpace(ThreadCache cache) {
        cache.flush(this);
        drainEpoch++; // racy increments may merge: any change is a request
        cache.drainSeen = drainEpoch;
        registry.flushDead();
        trimStrategy();
        startDecay();
    }

    @Override
    public final boolean free(long address) {
        return free(address, 0);
    }

    @Override
    public final boolean free(long address, long requestedSize) {
        int chunk = region.chunkOf(address);
        if (chunk < 0) {
            return false;
        }
        LiveBlocks live = region.live(chunk);
        if (live == null || !live.clearLive(address - region.base(chunk))) {
            reportMisuse(chunk, address);
            return true;
        }
        ThreadCache cache = cache();
        if (cache.owner != Thread.currentThread()) {
            freeOnCarrier(cache, chunk, address, requestedSize);
        } else {
            freeWith(cache, chunk, address, requestedSize);
        }
        return true;
    }

    /** A virtual thread's free into its carrier's {@code cache}: a push unpinned, anything else pinned. */
    private void freeOnCarrier(ThreadCache cache, int chunk, long address, long requestedSize) {
        if (requestedSize > 0 && requestedSize <= SizeClasses.SMALL_MAX) {
            int sizeClass = SizeClasses.classOf(requestedSize, MIN_ALIGNMENT);
            if (cache.push(sizeClass, address)) {
                cache.count(ThreadCache.FREES, 1);
                cache.count(ThreadCache.IN_USE, -classBytes[sizeClass]);
                return;
            }
        }
        Carriers.pin();
        try {
            freeWith(cache(), chunk, address, requestedSize);
        } finally {
            Carriers.unpin();
        }
    }

    /** Frees a block no longer live into {@code cache} or the strategy. */
    private void freeWith(ThreadCache cache, int chunk, long address, long requestedSize) {
        long bytes;
        if (requestedSize > 0 && requestedSize <= SizeClasses.SMALL_MAX) {
            int sizeClass = SizeClasses.classOf(requestedSize, MIN_ALIGNMENT);
            bytes = classBytes[sizeClass];
            if (!cache.push(sizeClass, address)) {
                if (cache.cachesBlocks) {
                    spill(cache, sizeClass);
                    cache.push(sizeClass, address);
                } else {
                    freeBlock(chunk, address);
                }
            }
        } else {
            bytes = freeBlock(chunk, address);
            startDecay();
        }
        cache.count(ThreadCache.FREES, 1);
        cache.count(ThreadCache.IN_USE, -bytes);
    }

    /** Gives the older half of a full stack back to the strategy. */
    private void spill(ThreadCache cache, int sizeClass) {
        long[] stack = cache.stackFor(sizeClass);
        int count = cache.count(sizeClass);
        int half = Math.max(1, count / 2);
        giveBack(stack, 0, half);
        System.arraycopy(stack, half, stack, 0, count - half);
        cache.setCount(sizeClass, count - half);
        startDecay();
    }

    private void startDecay() {
        if (!decaying) {
            decaying = true;
            PoolDecay.start(this);
        }
    }

    /**
     * The background thread's round ({@link PoolDecay}): flushes the caches of threads that
     * ended, retires the strategy's idle free caches, and sweeps every chunk marked dirty at or
     * before {@code cutoff} (System.nanoTime): each free run of at least
     * {@link ChunkedRegion#DROP_MIN_BYTES} in it is claimed from the strategy, its pages dropped
     * and put back. Then gives detached chunks back to the source. No strategy lock is held
     * during a system call.
     */
    final void decay(long cutoff) {
        registry.flushDead();
        retireIdle(cutoff);
        int[] chunks = new int[(int) (region.reservedBytes() / region.chunkBytes())];
        long[] run = new long[2];
        int count = region.takeDirty(cutoff, chunks);
        for (int i = 0; i < count; i++) {
            int chunk = chunks[i];
            long from = region.base(chunk);
            while (claimFreeIn(chunk, from, ChunkedRegion.DROP_MIN_BYTES, run)) {
                if (run[1] > 0) {
                    region.dropPages(run[0], run[1]);
                    unclaim(chunk, run[0]);
                }
                from = run[0] + run[1];
            }
        }
        region.releaseDetached(cutoff);
    }

    private void reportMisuse(int chunk, long address) {
        misuses.increment();
        long code = region.meta(chunk) == null ? Misuse.ALREADY_FREE.code() : misuseAt(chunk, address);
        listener.onMisuse(address, Misuse.ofCode(code));
    }

    @Override
    public final boolean freeStale(long address) {
        if (free(address)) {
            return true;
        }
        if (!region.everHeld(address)) {
            return false;
        }
        misuses.increment();
        listener.onMisuse(address, Misuse.ALREADY_FREE);
        return true;
    }

    @Override
    public final boolean owns(long address) {
        return region.chunkOf(address) >= 0;
    }

    @Override
    public final long usableSize(long address) {
        int chunk = region.chunkOf(address);
        if (chunk < 0) {
            return 0;
        }
        LiveBlocks live = region.live(chunk);
        return live != null && live.isLive(address - region.base(chunk)) ? usableSizeIn(chunk, address) : 0;
    }

    @Override
    public final boolean resizesInPlace(long address, long oldSize, long newSize) {
        if (oldSize <= SizeClasses.SMALL_MAX || newSize <= SizeClasses.SMALL_MAX) {
            return oldSize > 0 && newSize > 0 && oldSize <= SizeClasses.SMALL_MAX && newSize <= SizeClasses.SMALL_MAX
                    && SizeClasses.classOf(oldSize, MIN_ALIGNMENT) == SizeClasses.classOf(newSize, MIN_ALIGNMENT);
        }
        long usable = usableSize(address);
        return newSize <= usable && newSize > usable / 2;
    }

    @Override
    public PoolStatistics statistics() {
        long largest = 0;
        if (region.hasUncommittedChunk()) {
            largest = region.chunkBytes();
        } else {
            for (int chunk : region.committedChunks()) {
                largest = Math.max(largest, largestFreeIn(chunk));
            }
        }
        long[] sums = registry.sums();
        return new PoolStatistics(region.reservedBytes(), region.committedBytes(), sums[2], largest,
                region.chunkBytes(), sums[0], sums[1], failures.sum(), misuses.sum());
    }

    /**
     * Flushes this thread's cache and those of dead threads, asks live ones to flush, trims the
     * strategy, and gives back at once, on this thread, the pages the background thread would
     * give back in the next second.
     */
    @Override
    public void trim() {
        boolean virtual = Carriers.current() != Thread.currentThread();
        if (virtual) {
            Carriers.pin();
        }
        try {
            drainForSpace(cache());
        } finally {
            if (virtual) {
                Carriers.unpin();
            }
        }
        decay(System.nanoTime());
    }

    @Override
    public void close() {
        region.close();
    }
}
