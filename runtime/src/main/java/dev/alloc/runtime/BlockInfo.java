package dev.alloc.runtime;

import dev.alloc.runtime.report.Sizes;

/**
 * Packs what the agent remembers of one live block into a single {@code long}, so that the
 * address table stores and returns it without objects or boxing:
 * <pre>
 *   bit 63      : 0 (a valid value is never negative; {@link #MISSING} is -1)
 *   bits 62..23 : size (40 bits): below 2^39 (512 GiB) the size in bytes; from there bit 62 set
 *                 and bits 61..23 the size in units of {@link #HUGE_UNIT} (up to 2^56 bytes,
 *                 all the address space a process can have)
 *   bits 22..20 : kind (see {@link Kind})
 *   bits 19..0  : site id (see {@link SiteRegistry})
 * </pre>
 * A block is accounted (reserved against the limits, counted at its site, released) by
 * {@link #accounted}{@code (size)}: its size, rounded up to a whole unit from 512 GiB on, so
 * that what {@link #size} gives back at the free is exactly what was reserved.
 */
public final class BlockInfo {
    public static final long MISSING = -1L;
    /** Sizes below this are kept to the byte. */
    static final long EXACT_LIMIT = 1L << 39;
    /** The unit of larger sizes: 128 KiB, glibc's mmap threshold; such blocks are mapped in pages anyway. */
    static final int HUGE_SHIFT = 17;
    static final long HUGE_UNIT = 1L << HUGE_SHIFT;
    /** The largest size kept (larger ones are never allocated: no process has that much address space). */
    public static final long MAX_SIZE = (EXACT_LIMIT - 1) << HUGE_SHIFT;
    private static final long HUGE_FLAG = EXACT_LIMIT;
    static final int SITE_BITS = 20;
    public static final int MAX_SITE = (1 << SITE_BITS) - 1;

    private BlockInfo() {
    }

    /**
     * Whether the agent tracks an allocation of {@code size}: above 0, and not a size the JDK
     * refuses with its own exception (it rounds sizes up to 8 bytes and throws
     * {@code IllegalArgumentException} when that overflows) or that no malloc can serve.
     */
    public static boolean trackable(long size) {
        return size > 0 && size <= MAX_SIZE;
    }

    /** The bytes a block of {@code size} counts for: {@code size}, rounded up to {@link #HUGE_UNIT} from 512 GiB on. */
    public static long accounted(long size) {
        return size < EXACT_LIMIT ? size : (size + HUGE_UNIT - 1) & -HUGE_UNIT;
    }

    /** Packs a block of {@code size} bytes ({@link #trackable}); {@link #size} gives back {@link #accounted}{@code (size)}. */
    public static long pack(long size, int kind, int site) {
        long field = size < EXACT_LIMIT ? size : HUGE_FLAG | Math.min(accounted(size), MAX_SIZE) >>> HUGE_SHIFT;
        return field << 23 | (long) kind << SITE_BITS | site;
    }

    public static long size(long info) {
        long field = info >>> 23;
        return field < HUGE_FLAG ? field : (field & (HUGE_FLAG - 1)) << HUGE_SHIFT;
    }

    public static int kind(long info) {
        return (int) (info >>> SITE_BITS) & 7;
    }

    public static int site(long info) {
        return (int) info & MAX_SITE;
    }
}
