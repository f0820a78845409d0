package dev.alloc.runtime.pool;

import java.util.Arrays;

/**
 * One two-level segregated fit heap (Masmano, Ripoll, Crespo, Real: "TLSF: a New Dynamic
 * Memory Allocator for Real-Time Systems", 2004) over the chunks it was given. Not
 * thread-safe: the {@link TlsfAllocator} holds this object's lock around every call.
 *
 * <p>Notation: sizes are multiples of the 16-byte granule. A free block of size {@code s} sits
 * in list {@code (fl, sl)}: below 256 bytes {@code fl = 0, sl = s / 16}; from 256 up,
 * {@code fl = log2(s) - 7} and {@code sl} is the next 4 bits of {@code s} below its top bit,
 * so each power-of-two range is cut into 16 lists. {@code flBitmap} has bit {@code fl} set
 * when any list of that row is non-empty; {@code slBitmap[fl]} has bit {@code sl} set when
 * list {@code (fl, sl)} is non-empty.
 *
 * <p>Layout: a block is a descriptor (an index into parallel arrays on the Java heap: start,
 * size, free flag, physical neighbours, free-list links); {@code byAddress} maps a block's
 * start to its descriptor. Nothing is stored in the chunks, so an overrun cannot break the heap.
 *
 * <p>Invariants:
 * <ul>
 *   <li>The blocks of a chunk tile it exactly, linked in address order by
 *       {@code prevPhys/nextPhys}; the first block starts at the chunk's base.</li>
 *   <li>No two free blocks are physical neighbours (free merges at once).</li>
 *   <li>Every free block is in exactly the list its size maps to; live blocks are in none.</li>
 * </ul>
 *
 * <p>Allocate: round the request up to the start of the next list ({@code s + 2^(log2(s)-4) - 1})
 * so that any block found there fits; find the first non-empty list at or above it with two
 * find-first-set operations on the bitmaps; take its head, split off the front for alignment
 * (a multiple of 16, so a valid free block) and the tail beyond the request. Free: look the
 * descriptor up, merge with free physical neighbours, put the result in its list. Both O(1)
 * (the hash lookup expected O(1)). A chunk that becomes one free block is offered back to the
 * region, which may release it.
 */
final class TlsfHeap {
    private static final int GRANULE = 16;
    private static final int SL_BITS = 4;
    private static final int SL_COUNT = 1 << SL_BITS;
    private static final int SMALL_SHIFT = 8;
    private static final long SMALL_LIMIT = 1L << SMALL_SHIFT;
    private static final int FL_COUNT = 32;
    private static final int NONE = -1;
    /** Blocks {@link #claimFreeIn} walks under the lock before it lets go. */
    private static final int CLAIM_STEPS = 1024;
    /** Blocks of the request's own list looked at for the best fit before a larger list (see {@link #findFree}). */
    private static final int OWN_LIST_STEPS = 8;

    private final ChunkedRegion<TlsfHeap> region;
    private final LongIntMap byAddress = new LongIntMap();
    private int flBitmap;
    private final int[] slBitmap = new int[FL_COUNT];
    private final int[] heads = new int[FL_COUNT * SL_COUNT];

    private long[] start = new long[64];
    private long[] size = new long[64];
    private boolean[] isFree = new boolean[64];
    private int[] prevPhys = new int[64];
    private int[] nextPhys = new int[64];
    private int[] prevFree = new int[64];
    private int[] nextFree = new int[64];
    private int descriptors;
    /** Recycled descriptors, linked through {@code nextFree}. */
    private int recycled = NONE;

    TlsfHeap(ChunkedRegion<TlsfHeap> region) {
        this.region = region;
        Arrays.fill(heads, NONE);
    }

    /** Adds a fresh chunk as one free block. */
    void addChunk(long base, long bytes) {
        int block = newDescriptor(base, bytes);
        prevPhys[block] = NONE;
        nextPhys[block] = NONE;
        isFree[block] = true;
        insertFree(block);
    }

    /** Allocates a block: its descriptor (see {@link #address}, {@link #size}), or -1 if no list can serve it. */
    int allocate(long request, long alignment) {
        long need = (Math.max(request, GRANULE) + GRANULE - 1) & -GRANULE;
        // Room for the worst alignment gap, but no more than a chunk: a chunk's start is page-aligned.
        long padded = alignment > GRANULE ? Math.min(need + alignment - GRANULE, region.chunkBytes()) : need;
        int block = findFree(padded);
        if (block == NONE) {
            return NONE;
        }
        long gap = ((start[block] + alignment - 1) & -alignment) - start[block];
        if (gap + need > size[block]) {
            return NONE;
        }
        removeFree(block);
        if (size[block] == region.chunkBytes()) {
            region.reused(region.chunkOf(start[block]));
        }
        if (gap > 0) {
            int front = block;
            block = split(front, gap);
            insertFree(front);
        }
        if (size[block] > need) {
            insertFree(split(block, need));
        }
        isFree[block] = false;
        return block;
    }

    long address(int block) {
        return start[block];
    }

    long size(int block) {
        return size[block];
    }

    /**
     * Frees the block at {@code address}: its size, or a negative {@link Misuse#code()}. If the
     * free block that results (merged with its free neighbours) is big enough for the
     * background thread to drop, its chunk is marked dirty.
     */
    long free(long address) {
        return free(address, true);
    }

    private long free(long address, boolean noteDirty) {
        int block = byAddress.get(address);
        if (block == LongIntMap.ABSENT) {
            return Misuse.NOT_A_BLOCK_START.code();
        }
        if (isFree[block]) {
            return Misuse.ALREADY_FREE.code();
        }
        long bytes = size[block];
        isFree[block] = true;
        int prev = prevPhys[block];
        if (prev != NONE && isFree[prev]) {
            removeFree(prev);
            absorbNext(prev);
            block = prev;
        }
        int next = nextPhys[block];
        if (next != NONE && isFree[next]) {
            removeFree(next);
            absorbNext(block);
        }
        if (size[block] == region.chunkBytes() && region.emptied(region.chunkOf(start[block]))) {
            byAddress.remove(start[block]);
            recycle(block);
        } else {
            insertFree(block);
            if (noteDirty && size[block] >= ChunkedRegion.DROP_MIN_BYTES) {
                region.noteDirty(region.chunkOf(start[block]));
            }
        }
        return bytes;
    }

    /**
     * Walks the blocks of a chunk from the one starting at {@code from} and takes the first free
     * block of at least {@code minBytes} out of the free lists, as if allocated, so that the
     * background thread can drop its pages outside the lock: its start and size in {@code out}.
     * After {@value #CLAIM_STEPS} blocks without one it stops, with the start of the next block
     * to walk from in {@code out[0]} and 0 in {@code out[1]}, so the lock is held briefly. False
     * when no block starts at {@code from} any more, or the chunk's last block was passed.
     */
    boolean claimFreeIn(long from, long minBytes, long[] out) {
        int block = byAddress.get(from);
        if (block == LongIntMap.ABSENT) {
            return false;
        }
        for (int steps = 0; block != NONE; block = nextPhys[block], steps++) {
            if (steps == CLAIM_STEPS) {
                out[0] = start[block];
                out[1] = 0;
                return true;
            }
            if (isFree[block] && size[block] >= minBytes) {
                removeFree(block); // an empty chunk stays the spare: the claim is not a use
                isFree[block] = false;
                out[0] = start[block];
                out[1] = size[block];
                return true;
            }
        }
        return false;
    }

    /** Frees a block {@link #claimFree} took, without noting it dirty again. */
    void unclaim(long address) {
        free(address, false);
    }

    /** What is wrong with a free of {@code address}, which the caller knows is not live: a {@link Misuse#code()}. */
    long misuseAt(long address) {
        return byAddress.get(address) == LongIntMap.ABSENT ? Misuse.NOT_A_BLOCK_START.code() : Misuse.ALREADY_FREE.code();
    }

    long usableSize(long address) {
        int block = byAddress.get(address);
        return block == LongIntMap.ABSENT || isFree[block] ? 0 : size[block];
    }

    /** The largest free block of the chunk at {@code base}: a walk over its blocks, for statistics only. */
    long largestFreeInChunk(long base) {
        long largest = 0;
        for (int block = byAddress.get(base); block != NONE && block != LongIntMap.ABSENT; block = nextPhys[block]) {
            if (isFree[block]) {
                largest = Math.max(largest, size[block]);
            }
        }
        return largest;
    }

    private int findFree(long bytes) {
        if (bytes >= SMALL_LIMIT) {
            int own = firstLevel(bytes);
            if (own < FL_COUNT) {
                int fit = NONE;
                int steps = 0;
                for (int block = heads[own * SL_COUNT + secondLevel(bytes, own)]; block != NONE && steps < OWN_LIST_STEPS;
                        block = nextFree[block], steps++) {
                    if (size[block] >= bytes && (fit == NONE || size[block] < size[fit])) {
                        fit = block;
                    }
                }
                if (fit != NONE) {
                    return fit;
                }
            }
        }
        long rounded = bytes < SMALL_LIMIT ? bytes : bytes + (1L << (63 - Long.numberOfLeadingZeros(bytes) - SL_BITS)) - 1;
        int fl = firstLevel(rounded);
        if (fl >= FL_COUNT) {
            return NONE;
        }
        int slMap = slBitmap[fl] & (-1 << secondLevel(rounded, fl));
        if (slMap == 0) {
            int flMap = fl + 1 >= FL_COUNT ? 0 : flBitmap & (-1 << (fl + 1));
            if (flMap == 0) {
                return NONE;
            }
            fl = Integer.numberOfTrailingZeros(flMap);
            slMap = slBitmap[fl];
        }
        return heads[fl * SL_COUNT + Integer.numberOfTrailingZeros(slMap)];
    }

    private static int firstLevel(long bytes) {
        return bytes < SMALL_LIMIT ? 0 : 63 - Long.numberOfLeadingZeros(bytes) - (SMALL_SHIFT - 1);
    }

    private static int secondLevel(long bytes, int fl) {
        return fl == 0 ? (int) (bytes / GRANULE) : (int) (bytes >>> (fl + SMALL_SHIFT - 1 - SL_BITS)) & (SL_COUNT - 1);
    }

    private void insertFree(int block) {
        int fl = firstLevel(size[block]);
        int sl = secondLevel(size[block], fl);
        int list = fl * SL_COUNT + sl;
        int head = heads[list];
        prevFree[block] = NONE;
        nextFree[block] = head;
        if (head != NONE) {
            prevFree[head] = block;
        }
        heads[list] = block;
        slBitmap[fl] |= 1 << sl;
        flBitmap |= 1 << fl;
    }

    private void removeFree(int block) {
        int prev = prevFree[block];
        int next = nextFree[block];
        if (next != NONE) {
            prevFree[next] = prev;
        }
        if (prev != NONE) {
            nextFree[prev] = next;
            return;
        }
        int fl = firstLevel(size[block]);
        int sl = secondLevel(size[block], fl);
        heads[fl * SL_COUNT + sl] = next;
        if (next == NONE) {
            slBitmap[fl] &= ~(1 << sl);
            if (slBitmap[fl] == 0) {
                flBitmap &= ~(1 << fl);
            }
        }
    }

    /** Cuts {@code block} after {@code firstBytes}; returns the new block holding the rest, free flag as the original. */
    private int split(int block, long firstBytes) {
        int rest = newDescriptor(start[block] + firstBytes, size[block] - firstBytes);
        size[block] = firstBytes;
        isFree[rest] = isFree[block];
        int next = nextPhys[block];
        nextPhys[rest] = next;
        if (next != NONE) {
            prevPhys[next] = rest;
        }
        prevPhys[rest] = block;
        nextPhys[block] = rest;
        return rest;
    }

    /** Merges {@code block}'s physical successor into it. */
    private void absorbNext(int block) {
        int next = nextPhys[block];
        size[block] += size[next];
        int after = nextPhys[next];
        nextPhys[block] = after;
        if (after != NONE) {
            prevPhys[after] = block;
        }
        byAddress.remove(start[next]);
        recycle(next);
    }

    private int newDescriptor(long address, long bytes) {
        int block = recycled;
        if (block != NONE) {
            recycled = nextFree[block];
        } else {
            if (descriptors == start.length) {
                growDescriptors();
            }
            block = descriptors++;
        }
        start[block] = address;
        size[block] = bytes;
        byAddress.put(address, block);
        return block;
    }

    private void recycle(int block) {
        nextFree[block] = recycled;
        recycled = block;
    }

    private void growDescriptors() {
        int capacity = start.length * 2;
        start = Arrays.copyOf(start, capacity);
        size = Arrays.copyOf(size, capacity);
        isFree = Arrays.copyOf(isFree, capacity);
        prevPhys = Arrays.copyOf(prevPhys, capacity);
        nextPhys = Arrays.copyOf(nextPhys, capacity);
        prevFree = Arrays.copyOf(prevFree, capacity);
        nextFree = Arrays.copyOf(nextFree, capacity);
    }
}
