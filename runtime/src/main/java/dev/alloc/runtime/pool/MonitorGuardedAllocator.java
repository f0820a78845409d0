package dev.alloc.runtime.pool;

/**
 * A pool whose per-chunk meta is also the lock that guards it (the buddy allocator's tree per
 * chunk, the TLSF allocator's shard per group of chunks). Looks the meta up, locks it, checks
 * that the chunk was not released meanwhile (only a racing misuse sees that), and only then
 * lets the strategy act.
 */
abstract class MonitorGuardedAllocator<M> extends RegionAllocator<M> {

    MonitorGuardedAllocator(ChunkedRegion<M> region, MisuseListener listener) {
        super(region, listener);
    }

    abstract long freeLocked(int chunk, M meta, long address);

    abstract long usableSizeLocked(int chunk, M meta, long address);

    abstract long largestFreeLocked(int chunk, M meta);

    abstract long misuseLocked(int chunk, M meta, long address);

    @Override
    final long misuseAt(int chunk, long address) {
        M meta = region.meta(chunk);
        if (meta == null) {
            return Misuse.ALREADY_FREE.code();
        }
        synchronized (meta) {
            return region.isCommitted(chunk, meta) ? misuseLocked(chunk, meta, address) : Misuse.ALREADY_FREE.code();
        }
    }

    /** Gives back blocks, each run of blocks under one meta's lock taken once. */
    @Override
    public final void giveBack(long[] addresses, int from, int count) {
        int end = from + count;
        while (from < end) {
            int chunk = region.chunkOf(addresses[from]);
            M meta = chunk < 0 ? null : region.meta(chunk);
            if (meta == null) {
                from++;
                continue;
            }
            synchronized (meta) {
                while (from < end) {
                    chunk = region.chunkOf(addresses[from]);
                    if (chunk < 0 || region.meta(chunk) != meta) {
                        break;
                    }
                    freeLocked(chunk, meta, addresses[from++]);
                }
            }
        }
    }

    @Override
    final long freeBlock(int chunk, long address) {
        M meta = region.meta(chunk);
        if (meta == null) {
            return Misuse.ALREADY_FREE.code();
        }
        synchronized (meta) {
            return region.isCommitted(chunk, meta) ? freeLocked(chunk, meta, address) : Misuse.ALREADY_FREE.code();
        }
    }

    @Override
    final long usableSizeIn(int chunk, long address) {
        M meta = region.meta(chunk);
        if (meta == null) {
            return 0;
        }
        synchronized (meta) {
            return region.isCommitted(chunk, meta) ? usableSizeLocked(chunk, meta, address) : 0;
        }
    }

    @Override
    final long largestFreeIn(int chunk) {
        M meta = region.meta(chunk);
        if (meta == null) {
            return 0;
        }
        synchronized (meta) {
            return region.isCommitted(chunk, meta) ? largestFreeLocked(chunk, meta) : 0;
        }
    }
}
