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
