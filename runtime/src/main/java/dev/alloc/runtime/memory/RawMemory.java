package dev.alloc.runtime.memory;

import dev.alloc.runtime.pool.PoolStatistics;
import dev.alloc.runtime.report.Sizes;
import java.util.Locale;

/**
 * The memory behind tracked blocks, as the accounting ({@code dev.alloc.runtime.Accounting}) takes it: the system allocator
 * ({@link SystemRawMemory}) or the pool chosen with {@code strategy=} ({@link PoolMemory}). The
 * limit is the caller's business; this is only where the bytes come from.
 *
 * <p>One implementation is live in a JVM (chosen at install), so every call site on it stays
 * monomorphic; tests put failing ones behind an accounting of their own.
 *
 * <p>Contract, as the accounting relies on it: {@link #allocate} answers a block or throws
 * ({@code OutOfMemoryError}, never 0 for a positive size); {@link #reallocate} to a positive
 * size answers the block's new address, or 0 or a throw when it failed, and then the old block
 * is untouched; to size 0 it frees the block and answers 0.
 */
public interface RawMemory {
    /** A block for a tracked allocation: malloc's alignment (16), contents undefined. */
    long allocate(long size);

    /** Resizes a tracked block of {@code oldSize} requested bytes to {@code size}, keeping its contents. */
    long reallocate(long address, long oldSize, long size);

    /** Frees a tracked block of {@code size} requested bytes (as allocated or last resized here). */
    void free(long address, long size);

    /** Frees an address the agent has no record of. */
    void freeUntracked(long address);

    /** Resizes a block the agent has no record of (or frees it, for {@code size <= 0}). */
    long reallocateUntracked(long address, long size);

    /** {@code system} or the pool strategy's name. */
    String strategy();

    /**
     * Whether blocks may carry the accounting's 16-byte header: real malloc'd memory, whose
     * bytes in front of any block it hands out are readable (false for pools and test doubles).
     */
    default boolean allowsHeaders() {
        return false;
    }

    /** Whether {@code address} lies in pool memory (never true without a pool). */
    default boolean ownedByPool(long address) {
        return false;
    }

    /** The pool's figures, or null without a pool. */
    default PoolStatistics statistics() {
        return null;
    }

    /** Allocations the pool could not serve that the system allocator served instead. */
    default long fallbacks() {
        return 0;
    }

    default long fallbackBytes() {
        return 0;
    }

    /** The pool's line of the exit report, or null without a pool. */
    default String summary() {
        PoolStatistics s = statistics();
        if (s == null) {
            return null;
        }
        return String.format(Locale.ROOT, "alloc: pool %s: reserved %d bytes (%s), committed %s, in use %d bytes (%s), "
                        + "free %d bytes, largest free block %s, fragmentation %.1f%%, allocations %d, frees %d, "
                        + "fallbacks %d (%d bytes), misuses %d",
                strategy(), s.reserved(), Sizes.human(s.reserved()), Sizes.human(s.committed()), s.inUse(),
                Sizes.human(s.inUse()), s.free(), Sizes.human(s.largestFreeBlock()), 100 * s.fragmentation(),
                s.allocations(), s.frees(), fallbacks(), fallbackBytes(), s.misuses());
    }
}
