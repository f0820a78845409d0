package dev.alloc.runtime;

/**
 * Packs what the agent remembers of one live block into a single {@code long}, so that the
 * address table stores and returns it without objects or boxing:
 * <pre>
 *   bit 63      : 0 (a valid value is never negative; {@link #MISSING} is -1)
 *   bits 62..23 : size in bytes (40 bits, up to 1 TiB; larger sizes are clamped)
 *   bits 22..20 : kind (see {@link Kind})
 *   bits 19..0  : site id (see {@link SiteRegistry})
 * </pre>
 */
public final class BlockInfo {
    public static final long MISSING = -1L;
    public static final long MAX_SIZE = (1L << 40) - 1;
    static final int SITE_BITS = 20;
    public static final int MAX_SITE = (1 << SITE_BITS) - 1;

    private BlockInfo() {
    }

    public static long pack(long size, int kind, int site) {
        long clamped = size > MAX_SIZE ? MAX_SIZE : size;
        return clamped << 23 | (long) kind << SITE_BITS | site;
    }

    public static long size(long info) {
        return info >>> 23;
    }

    public static int kind(long info) {
        return (int) (info >>> SITE_BITS) & 7;
    }

    public static int site(long info) {
        return (int) info & MAX_SITE;
    }
}
