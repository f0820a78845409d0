package dev.alloc.runtime.pool;

/**
 * The buddy system of one chunk: a complete binary tree over the chunk whose leaves are the
 * smallest blocks (64 bytes) and whose root is the whole chunk. Not thread-safe: the
 * {@link BuddyAllocator} holds the tree's lock around every call.
 *
 * <p>Nodes are numbered from 1 in heap order: node {@code n} at depth {@code d} covers
 * {@code chunk >> d} bytes starting at {@code (n - 2^d) * (chunk >> d)}; its children are
 * {@code 2n} and {@code 2n + 1}. A node of order {@code k} covers {@code 64 << k} bytes.
 *
 * <ul>
 *   <li>{@code longest[n]} is 1 + the order of the largest free block inside node {@code n}'s
 *       subtree, 0 if there is none. A node is entirely free when {@code longest[n]} is
 *       1 + its own order.</li>
 *   <li>A set bit in {@code allocated} marks the node that is a live block; its descendants
 *       are then meaningless. Each live block is exactly one allocated node.</li>
 *   <li>Merging is implicit: a parent whose two children are entirely free is entirely free.</li>
 * </ul>
 * Allocation walks down from the root to the leftmost node of the wanted order whose subtree
 * has room, marks it and recomputes {@code longest} up to the root: O(log chunk). Free walks
 * down along the address to the allocated node, so a double free (the walk reaches an
 * entirely free node) or an interior pointer (the node starts elsewhere) is caught.
 */
final class BuddyTree {
    static final int MIN_SHIFT = 6;

    private final int levels;
    private final byte[] longest;
    private final long[] allocated;

    BuddyTree(long chunkBytes) {
        levels = Long.numberOfTrailingZeros(chunkBytes) - MIN_SHIFT;
        longest = new byte[2 << levels];
        allocated = new long[(longest.length + 63) >>> 6];
        for (int depth = 0; depth <= levels; depth++) {
            java.util.Arrays.fill(longest, 1 << depth, 2 << depth, (byte) (levels - depth + 1));
        }
    }

    /** The order of the smallest block that holds {@code size} bytes at {@code alignment}: blocks are aligned to their size. */
    static int orderFor(long size, long alignment) {
        long bytes = Math.max(Math.max(size, alignment), 1L << MIN_SHIFT);
        return 64 - Long.numberOfLeadingZeros(bytes - 1) - MIN_SHIFT;
    }

    static long bytesOf(int order) {
        return 1L << (order + MIN_SHIFT);
    }

    /** 1 + the order of the largest free block, 0 if none; may be read without the lock as a hint. */
    int largestFreeOrderPlusOne() {
        return longest[1];
    }

    long largestFree() {
        return longest[1] == 0 ? 0 : bytesOf(longest[1] - 1);
    }

    boolean isEmpty() {
        return longest[1] == levels + 1;
    }

    /** Returns the offset of a free block of {@code order}, now allocated, or -1 if there is none. */
    long allocate(int order) {
        if (longest[1] < order + 1) {
            return -1;
        }
        int node = 1;
        for (int depth = levels; depth > order; depth--) {
            node <<= 1;
            if (longest[node] < order + 1) {
                node++;
            }
        }
        longest[node] = 0;
        allocated[node >>> 6] |= 1L << node;
        updateAncestors(node, order);
        return startOf(node, order);
    }

    /** Frees the block at {@code offset}: its size, or a negative {@link Misuse#code()}. */
    long free(long offset) {
        int node = liveNodeAt(offset);
        if (node < 0) {
            return Misuse.ALREADY_FREE.code();
        }
        int order = orderOf(node);
        if (startOf(node, order) != offset) {
            return Misuse.NOT_A_BLOCK_START.code();
        }
        allocated[node >>> 6] &= ~(1L << node);
        longest[node] = (byte) (order + 1);
        updateAncestors(node, order);
        return bytesOf(order);
    }

    /** What is wrong with a free at {@code offset}, which the caller knows is not live: a {@link Misuse#code()}. */
    long misuseAt(long offset) {
        int node = liveNodeAt(offset);
        return node < 0 || startOf(node, orderOf(node)) == offset ? Misuse.ALREADY_FREE.code()
                : Misuse.NOT_A_BLOCK_START.code();
    }

    long usableSize(long offset) {
        int node = liveNodeAt(offset);
        if (node < 0) {
            return 0;
        }
        int order = orderOf(node);
        return startOf(node, order) == offset ? bytesOf(order) : 0;
    }

    /** The allocated node whose block holds {@code offset}, or -1 if it lies in free memory. */
    private int liveNodeAt(long offset) {
        int node = 1;
        for (int order = levels; ; order--) {
            if ((allocated[node >>> 6] & (1L << node)) != 0) {
                return node;
            }
            if (longest[node] == order + 1) {
                return -1;
            }
            node <<= 1;
            if ((offset & bytesOf(order - 1)) != 0) {
                node++;
            }
        }
    }

    private void updateAncestors(int node, int order) {
        while (node > 1) {
            node >>>= 1;
            order++;
            byte left = longest[node << 1];
            byte right = longest[(node << 1) + 1];
            // Entirely free children (value = order) merge into an entirely free parent.
            longest[node] = left == order && right == order ? (byte) (order + 1) : (byte) Math.max(left, right);
        }
    }

    private int orderOf(int node) {
        int depth = 31 - Integer.numberOfLeadingZeros(node);
        return levels - depth;
    }

    private static long startOf(int node, int order) {
        int depth = 31 - Integer.numberOfLeadingZeros(node);
        return (long) (node - (1 << depth)) << (order + MIN_SHIFT);
    }
}
