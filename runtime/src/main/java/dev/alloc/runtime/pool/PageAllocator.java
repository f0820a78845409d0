package dev.alloc.runtime.pool;

/**
 * The pages of one chunk: runs of contiguous 4 KiB pages, best fit over a bitmap. Not
 * thread-safe: the owning {@link SlabHeap} holds its page lock around every call.
 *
 * <p>Layout: bit {@code p} of {@code used} is set while page {@code p} belongs to a run;
 * {@code runPages[p]} is the run's length at its first page and 0 on every other page, so a
 * free of anything but a run's first page is caught. A 4 MiB chunk is 1024 pages: a search
 * scans at most 16 words and the runs between them.
 *
 * <p>Best fit (the smallest free run that holds the request, the lowest of equals) rather than
 * first fit: under churn of blocks from a few KiB to a quarter chunk it keeps the large free
 * runs whole, so fewer chunks are in use and resident (issue 11: 1.20 to 1.12 of peak live
 * bytes, in {@code SlabHeap}'s model run). {@code largest} caches the longest free run while no
 * free may have grown one ({@code largestKnown}), so that a heap can skip chunks that cannot
 * serve a request without scanning them.
 */
final class PageAllocator {
    private final int pages;
    private final long[] used;
    private final int[] runPages;
    private int freePages;
    /** The longest free run, valid while {@code largestKnown}: a free may lengthen a run, an allocation may shorten the longest. */
    private int largest;
    private boolean largestKnown;

    PageAllocator(int pages) {
        this.pages = pages;
        used = new long[(pages + 63) >>> 6];
        runPages = new int[pages];
        freePages = pages;
    }

    /** Takes the best-fitting run of {@code count} free pages: its first page, or -1 if there is none. */
    int allocate(int count) {
        long fit = bestFit(count);
        if (fit < 0) {
            return -1;
        }
        take((int) fit, count);
        return (int) fit;
    }

    /**
     * The smallest free run of at least {@code count} pages (the lowest of equal ones), as
     * {@code length << 32 | start}, or -1 if there is none; changes nothing but the cached
     * longest run.
     */
    long bestFit(int count) {
        if (count > freePages || largestKnown && count > largest) {
            return -1;
        }
        long best = -1;
        int longest = 0;
        for (int start = nextClear(0); start >= 0; ) {
            int end = nextSet(start);
            int length = end - start;
            longest = Math.max(longest, length);
            if (length >= count && (best < 0 || length < (int) (best >>> 32))) {
                best = (long) length << 32 | start;
                if (length == count) {
                    return best; // exact: no better one, and the scan is cut short
                }
            }
            start = end < pages ? nextClear(end) : -1;
        }
        largest = longest;
        largestKnown = true;
        return best;
    }

    /** Takes the free pages {@code [start, start + count)} as one run. */
    private void take(int start, int count) {
        setRange(start, count, true);
        runPages[start] = count;
        freePages -= count;
        largestKnown = false;
    }

    /** Takes exactly the pages {@code [start, start + count)} as one run if all are free; false otherwise. */
    boolean claim(int start, int count) {
        if (start < 0 || count <= 0 || start + count > pages || nextSet(start) < start + count) {
            return false;
        }
        take(start, count);
        return true;
    }

    /** Frees the run starting at {@code page}: its length in pages, or -1 if no run starts there. */
    int free(int page) {
        int count = runPages[page];
        if (count == 0) {
            return -1;
        }
        setRange(page, count, false);
        runPages[page] = 0;
        freePages += count;
        largestKnown = false;
        return count;
    }

    /**
     * The first run of at least {@code minPages} free pages at or after {@code page}, as
     * {@code start << 32 | length} (the whole free run from there), or -1 if there is none.
     */
    long freeRunFrom(int page, int minPages) {
        for (int start = page < pages ? nextClear(page) : -1; start >= 0; ) {
            int end = nextSet(start);
            if (end - start >= Math.max(1, minPages)) {
                return (long) start << 32 | (end - start);
            }
            start = end < pages ? nextClear(end) : -1;
        }
        return -1;
    }

    boolean isUsed(int page) {
        return (used[page >>> 6] & (1L << page)) != 0;
    }

    /** The length of the run starting at {@code page}, 0 if none starts there. */
    int runPagesAt(int page) {
        return runPages[page];
    }

    boolean isEmpty() {
        return freePages == pages;
    }

    int largestFreeRun() {
        int largest = 0;
        for (int start = nextClear(0); start >= 0; ) {
            int end = nextSet(start);
            largest = Math.max(largest, end - start);
            start = end < pages ? nextClear(end) : -1;
        }
        return largest;
    }

    private int nextClear(int from) {
        for (int word = from >>> 6; word < used.length; word++) {
            long clear = ~used[word] & (word == from >>> 6 ? -1L << from : -1L);
            if (clear != 0) {
                int page = (word << 6) + Long.numberOfTrailingZeros(clear);
                return page < pages ? page : -1;
            }
        }
        return -1;
    }

    private int nextSet(int from) {
        for (int word = from >>> 6; word < used.length; word++) {
            long set = used[word] & (word == from >>> 6 ? -1L << from : -1L);
            if (set != 0) {
                return Math.min(pages, (word << 6) + Long.numberOfTrailingZeros(set));
            }
        }
        return pages;
    }

    private void setRange(int start, int count, boolean value) {
        for (int page = start; page < start + count; ) {
            int word = page >>> 6;
            int bits = Math.min(64 - (page & 63), start + count - page);
            long mask = (bits == 64 ? -1L : (1L << bits) - 1) << page;
            used[word] = value ? used[word] | mask : used[word] & ~mask;
            page += bits;
        }
    }
}
