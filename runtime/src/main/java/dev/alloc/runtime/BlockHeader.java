package dev.alloc.runtime;

import jdk.internal.vm.annotation.ForceInline;

/**
 * The 16 bytes the agent puts in front of a block it takes from the system allocator for a
 * platform thread, so that a free learns the block's size, kind and site, and the slot that
 * registers it ({@link SlotPages}), from memory it is about to touch anyway, instead of a
 * shared hash table. The user gets {@code base + 16}, still 16-byte aligned (malloc's
 * alignment, which FFM relies on).
 * <pre>
 *   base + 0 : info ({@link BlockInfo})
 *   base + 8 : tag: bits 63..32 a check of (address, info, ref), bits 31..0 ref = page id &lt;&lt; 8 | slot
 * </pre>
 *
 * <p>Trust: a free of an address the agent never saw (allocated before it attached, or by a kind
 * it does not track) reads 16 bytes in front of it, which for any malloc'd block is malloc's own
 * chunk header or the end of the chunk before: readable, arbitrary. A header is accepted only if
 * its check matches <em>and</em> the slot it names holds exactly this address. The second test
 * is decisive: a slot holds the address of a live headed block, and no live block the agent
 * never saw can have the address of a live block it did. The check only turns most strangers
 * away before the slot is read, and catches an underrun that overwrote the header (the free
 * then passes to libc as the agent never saw the block, as it would without the agent).
 *
 * <p>Memory from Unsafe, direct buffers and FFM arenas must be freed through the JDK (as the JDK
 * documents; with {@code -XX:NativeMemoryTracking} the JVM's own header makes the same demand):
 * an FFM downcall of libc's {@code free} is recognised ({@link MallocHooks#isPoolMemory}) and
 * freed by the agent; native code calling {@code free} or {@code realloc} on it itself would
 * hand libc an address 16 bytes past the chunk.
 */
final class BlockHeader {
    static final int SIZE = 16;
    private static final long MIX = 0x9E3779B97F4A7C15L;

    private BlockHeader() {
    }

    /** The tag of a block at user address {@code address} with {@code info}, registered in slot {@code ref}. */
    @ForceInline
    static long tag(long address, long info, int ref) {
        return check(address, info, ref) << 32 | (ref & 0xFFFF_FFFFL);
    }

    /** Whether {@code tag} (read at {@code address - 8}) checks with {@code info} (read at {@code address - 16}). */
    @ForceInline
    static boolean checks(long address, long info, long tag) {
        return tag >>> 32 == check(address, info, (int) tag);
    }

    static int ref(long tag) {
        return (int) tag;
    }

    private static long check(long address, long info, int ref) {
        return ((address ^ info ^ ref) * MIX) >>> 32;
    }

    /** Writes the header of the block whose malloc'd base is {@code base}. */
    @ForceInline
    static void write(long base, long info, int ref) {
        SystemMemory.putLong(base, info);
        SystemMemory.putLong(base + 8, tag(base + SIZE, info, ref));
    }

    /** The size the JDK would name in its {@code OutOfMemoryError} for {@code size} (it rounds up to 8). */
    static long jdkRounded(long size) {
        return (size + 7) & -8L;
    }
}
