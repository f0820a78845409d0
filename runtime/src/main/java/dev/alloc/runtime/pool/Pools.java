package dev.alloc.runtime.pool;

/** Creates a pool by its strategy name, the value of the agent's {@code strategy=} option. */
public final class Pools {
    /** The pool strategies, as the option spells them. */
    public static final String STRATEGIES = "slab, buddy, tlsf, arena";

    private Pools() {
    }

    /** A pool of {@code regionBytes} over system memory that ignores misuse (it still counts it). */
    public static NativeAllocator create(String strategy, long regionBytes) {
        return create(strategy, regionBytes, RegionSource.SYSTEM, MisuseListener.IGNORE);
    }

    /**
     * The source for the agent's pool of {@code regionBytes}: one mapped range whose empty
     * chunks are given back with {@code madvise} (JDK 22+ on Linux), else the system allocator,
     * remembering released chunks. Either way a stale free is recognised.
     */
    public static RegionSource sourceFor(long regionBytes) {
        long chunkBytes = ChunkedRegion.chunkBytesFor(regionBytes);
        long chunks = regionBytes / chunkBytes;
        if (LibcMappings.available() && chunks >= 1 && chunks <= Integer.MAX_VALUE) {
            MappedRegionSource mapped = MappedRegionSource.map(chunkBytes + ChunkedRegion.PAGE_SIZE, (int) chunks);
            if (mapped != null) {
                return mapped;
            }
        }
        return new RecordingSystemSource();
    }

    /** How {@link #sourceFor} gets memory in this JVM, for the start-up line. */
    public static String sourceDescription() {
        return LibcMappings.available() ? "one mapped range, empty chunks returned with madvise"
                : "chunks from malloc, freed when empty (" + LibcMappings.whyUnavailable() + ")";
    }

    /**
     * A pool of {@code regionBytes} (rounded down to whole chunks, at least one page) taking
     * chunks from {@code source} and reporting bad frees to {@code listener}.
     *
     * @throws IllegalArgumentException for an unknown strategy or a region smaller than a page
     */
    public static NativeAllocator create(String strategy, long regionBytes, RegionSource source,
                                         MisuseListener listener) {
        switch (strategy) {
            case "slab":
                return new SlabAllocator(source, regionBytes, listener);
            case "buddy":
                return new BuddyAllocator(source, regionBytes, listener);
            case "tlsf":
                return new TlsfAllocator(source, regionBytes, listener);
            case "arena":
                return new ArenaAllocator(source, regionBytes, listener);
            default:
                throw new IllegalArgumentException("unknown pool strategy '" + strategy + "'; valid: " + STRATEGIES);
        }
    }
}
