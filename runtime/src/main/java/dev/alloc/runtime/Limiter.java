package dev.alloc.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.util.Arrays;
import jdk.internal.vm.annotation.ForceInline;
import jdk.internal.vm.annotation.DontInline;

/**
 * Accounting of live off-heap bytes against the limits, with per-thread batches of budget in
 * the style of the Linux memory cgroup's per-CPU charge stock: bytes are charged to a shared
 * counter before memory is taken, so the memory really in use never exceeds a limit at any
 * instant, but a thread charges them a batch at a time and serves its reservations from its
 * batch without writing any line another thread writes.
 *
 * <h2>Limits, paths and budgets</h2>
 * A limit id is a kind ({@link Kind}), {@link #TOTAL}, or one of the extra limits the limiter
 * was built with ({@link #extraLimit}; ids after {@code TOTAL}). A reservation follows a
 * <em>path</em>: its kind, the total and optionally one extra limit; every limit on the path is
 * charged (kinds outside the total, {@link Kind#inTotal}: file mappings, skip the total). Each
 * thread owns a {@link Budget}: per path, a <em>stock</em> of bytes already charged to every
 * limit of the path and not yet used, and its cap. The live bytes of a limit are its charge
 * minus the stocks on paths through it, so a reservation served from the stock writes the
 * stock alone. Virtual threads share their carrier's budget (JDK 19+), so a million virtual
 * threads cost as many budgets as there are carriers.
 *
 * <h2>Algorithm</h2>
 * <ul>
 *   <li>Reserve: if the path's stock covers the size, one compare-and-set on the thread's own
 *       stock (a line no other thread writes unless it drains). Otherwise the slow path charges (size - stock + batch) to each limit of the path
 *       with a compare-and-set loop that never lets a counter pass its limit, or the size
 *       alone if the batch does not fit; if neither fits, it drains every thread's stock and
 *       tries the exact size once more before it refuses.</li>
 *   <li>Batch: at most {@value #MAX_BATCH} bytes and at most 1/64 of the room left under each
 *       limit of the path (room to the warning threshold while below it), so batches shrink to
 *       0 as usage nears a limit and accounting there is exact.</li>
 *   <li>Release: the thread's stock grows by the size (one atomic add on its own line); past the cap (twice the batch the room allows) the excess above half the
 *       cap goes back to the shared counters.</li>
 *   <li>Drain ({@link #drainAll}): every budget's stock is taken with an atomic swap and
 *       uncharged; caps drop to 0 so the next release recomputes them. A limit change drains,
 *       so it applies to the next reservation of every thread.</li>
 *   <li>Threads that end: the limiter holds each budget's cells strongly and the budget itself
 *       weakly; once the thread (or carrier) is gone and its budget collected, its stock is
 *       uncharged and the cells dropped. A drain reaches dead
 *       threads' stock too, so a batch never makes a reservation fail.</li>
 * </ul>
 *
 * <h2>Invariants</h2>
 * <ul>
 *   <li>charged(limit) = live bytes + stocks on paths through it, and never exceeds the limit
 *       (except under {@link #forceReserve}); every transition changes the counter first when
 *       it grows and last when it shrinks, so in flight the charge is only ever higher than
 *       the sum, never lower: the memory really taken is at most the charge.</li>
 *   <li>{@link #used} is the charge minus the stocks (exact whenever no reservation or
 *       release is in flight). The charge is read first: a stock given back or drained
 *       afterwards was taken off the stock before it left the charge, so a racing read can
 *       only over-state, and it is clamped to the charge, never more than the limit.</li>
 *   <li>{@link #peak} is the highest {@link #used} seen at a sample point: every trip to the
 *       shared counters that raises a charge above the recorded peak, every read of
 *       {@code used} or {@code peak}. It is exact for reservations of at least a batch
 *       (they always take the slow path); a transient rise made only of small reservations
 *       served from stocks may be missed by at most the stocks held (64 KiB per thread and
 *       path, and nothing near a limit).</li>
 *   <li>The warning listener is told when a charge first reaches the warning threshold, with
 *       the exact used bytes at that moment; batches shrink towards the threshold, so it fires
 *       at most the other threads' stocks early.</li>
 * </ul>
 */
public final class Limiter {
    /** Index of the total among the limits; kinds use their own index. */
    public static final int TOTAL = Kind.COUNT;
    /** Returned by {@link #tryReserve} when the reservation succeeded. */
    public static final int OK = -1;
    /** The extra limit argument for a path of kind and total only. */
    public static final int NO_EXTRA = -1;
    /** The largest batch a thread takes at once. */
    static final long MAX_BATCH = 64 * 1024;

    private static final int PAD = 16; // 128 bytes between lines written by different threads
    private static final VarHandle CELLS = MethodHandles.arrayElementVarHandle(long[].class);

    private final int limitCount;
    private final int pathCount;
    // shared, a line each per limit i: charged, peak, and the highest use sampled for warnings
    private final long[] cells;
    private final long[] limits;
    /** Usage at which each limit's warning fires; {@code Long.MAX_VALUE} without a limit. */
    private final long[] warnAt;
    private volatile int warnPercent = 90;
    private volatile WarningListener warningListener;
    /** Incremented by every limit change; a refill that saw another value gives its stock back. */
    private volatile int limitsVersion;
    private final ThreadLocal<Budget> budgets = newBudgetLocal();
    /** Every budget's cells (strong) and the budget (weak); replaced whole under the lock. */
    private volatile long[][] registeredCells = new long[0][];
    private volatile WeakReference<?>[] registeredOwners = new WeakReference<?>[0];
    private int liveAtLastSweep;

    /** Told when usage first reaches {@code warn} percent of a limit. Runs on the allocating thread. */
    public interface WarningListener {
        void crossed(int which, long used, long limit);
    }

    /**
     * One thread's (or carrier's) cells: per path its stock at {@code PAD + path} and cap at
     * {@code PAD + paths + path}. Only the owner writes them, but for drains.
     */
    public static final class Budget {
        final long[] cells;

        Budget(long[] cells) {
            this.cells = cells;
        }
    }

    public Limiter() {
        this(0);
    }

    /** A limiter with {@code extraLimits} more limits after {@link #TOTAL} (e.g. per package prefix). */
    public Limiter(int extraLimits) {
        limitCount = TOTAL + 1 + extraLimits;
        pathCount = Kind.COUNT * (1 + extraLimits);
        cells = new long[(limitCount * 3 + 1) * PAD];
        limits = new long[limitCount];
        warnAt = new long[limitCount];
        Arrays.fill(warnAt, Long.MAX_VALUE);
    }

    /** The limit id of extra limit {@code index} (0-based). */
    public static int extraLimit(int index) {
        return TOTAL + 1 + index;
    }

    public void setWarningListener(WarningListener listener) {
        warningListener = listener;
    }

    /** Sets the percentage of each limit at which the warning listener is told. */
    public void setWarnPercent(int percent) {
        warnPercent = percent;
        for (int which = 0; which < limitCount; which++) {
            updateWarnAt(which);
        }
        limitsChanged();
    }

    private void updateWarnAt(int which) {
        long limit = limit(which);
        CELLS.setVolatile(warnAt, which, limit > 0 ? Math.max(1L, limit / 100 * warnPercent) : Long.MAX_VALUE);
    }

    private static int chargedIndex(int limit) {
        return (limit * 3 + 1) * PAD;
    }

    private static int peakIndex(int limit) {
        return (limit * 3 + 2) * PAD;
    }

    private static int sampledIndex(int limit) {
        return (limit * 3 + 3) * PAD;
    }

    /** Sets a limit (kind index, {@link #TOTAL} or an extra limit); 0 or less removes it. Applies at once. */
    public void setLimit(int which, long bytes) {
        CELLS.setVolatile(limits, which, bytes > 0 ? bytes : 0L);
        updateWarnAt(which);
        limitsChanged();
    }

    private void limitsChanged() {
        limitsVersion++; // only setters write it; a lost increment among racing setters still changes it
        drainAll();
    }

    public long limit(int which) {
        return (long) CELLS.getVolatile(limits, which);
    }

    /** The current thread's budget (one thread-local lookup; callers on hot paths keep it). */
    public Budget budget() {
        Budget budget = budgets.get();
        return budget != null ? budget : register();
    }

    private synchronized Budget register() {
        sweep(false);
        long[] owned = new long[PAD + 2 * pathCount + PAD];
        Budget budget = new Budget(owned);
        long[][] cellsNow = registeredCells;
        WeakReference<?>[] ownersNow = registeredOwners;
        long[][] moreCells = Arrays.copyOf(cellsNow, cellsNow.length + 1);
        WeakReference<?>[] moreOwners = Arrays.copyOf(ownersNow, ownersNow.length + 1);
        moreCells[cellsNow.length] = owned;
        moreOwners[ownersNow.length] = new WeakReference<>(budget);
        registeredOwners = moreOwners;
        registeredCells = moreCells; // published last: a reader that sees it sees the cells
        budgets.set(budget);
        return budget;
    }

    /** Folds the budgets of ended threads; unless {@code always}, only when the registry doubled since the last sweep. */
    private void sweep(boolean always) {
        long[][] all = registeredCells;
        if (!always && all.length < 2 * liveAtLastSweep + 8) {
            return;
        }
        WeakReference<?>[] owners = registeredOwners;
        int kept = 0;
        long[][] keptCells = new long[all.length][];
        WeakReference<?>[] keptOwners = new WeakReference<?>[all.length];
        for (int i = 0; i < all.length; i++) {
            if (owners[i].get() != null) {
                keptCells[kept] = all[i];
                keptOwners[kept++] = owners[i];
                continue;
            }
            drain(all[i]); // nobody can reach it to write it any more
        }
        registeredOwners = Arrays.copyOf(keptOwners, kept);
        registeredCells = Arrays.copyOf(keptCells, kept);
        liveAtLastSweep = kept;
    }

    private int pathOf(int kind, int extra) {
        return extra < 0 ? kind : kind + Kind.COUNT * (extra - TOTAL);
    }

    private static int stockIndex(int path) {
        return PAD + path;
    }

    private int capIndex(int path) {
        return PAD + pathCount + path;
    }

    /** Whether path {@code path}'s stock is charged to limit {@code which}. */
    private boolean through(int path, int which) {
        int kind = path % Kind.COUNT;
        if (which == TOTAL) {
            return Kind.inTotal(kind);
        }
        return which < Kind.COUNT ? kind == which : path / Kind.COUNT - 1 == which - TOTAL - 1;
    }

    /** Live bytes of a limit: exact when nothing is in flight, never more than is charged. */
    public long used(int which) {
        long used = exactUsed(which);
        raise(peakIndex(which), used);
        return used;
    }

    private long exactUsed(int which) {
        long charged = (long) CELLS.getVolatile(cells, chargedIndex(which)); // first: see the class comment
        long stocks = 0;
        for (long[] owned : registeredCells) {
            for (int path = 0; path < pathCount; path++) {
                if (through(path, which)) {
                    stocks += (long) CELLS.getVolatile(owned, stockIndex(path));
                }
            }
        }
        return Math.max(0L, Math.min(charged - stocks, charged));
    }

    /** The highest used seen at a sample point (see the class comment); at least what is used now. */
    public long peak(int which) {
        used(which);
        return (long) CELLS.getVolatile(cells, peakIndex(which));
    }

    /** Bytes charged to a limit: live bytes plus the stocks of every thread (for tests and diagnostics). */
    long charged(int which) {
        return (long) CELLS.getVolatile(cells, chargedIndex(which));
    }

    /**
     * Reserves {@code size} bytes of {@code kind} for the current thread: returns {@link #OK},
     * or the limit that would be exceeded, in which case nothing was reserved.
     */
    public int tryReserve(int kind, long size) {
        return tryReserve(budget(), kind, NO_EXTRA, size);
    }

    public int tryReserve(Budget budget, int kind, long size) {
        return tryReserve(budget, kind, NO_EXTRA, size);
    }

    /** Reserves along the path of {@code kind}, the total and {@code extra} ({@link #NO_EXTRA} or an extra limit id). */
    @ForceInline
    public int tryReserve(Budget budget, int kind, int extra, long size) {
        long[] owned = budget.cells;
        int stock = stockIndex(pathOf(kind, extra));
        long have = (long) CELLS.getOpaque(owned, stock);
        if (have >= size && CELLS.compareAndSet(owned, stock, have, have - size)) {
            return OK;
        }
        return reserveSlow(owned, kind, extra, size);
    }

    @DontInline
    private int reserveSlow(long[] owned, int kind, int extra, long size) {
        int path = pathOf(kind, extra);
        int version = limitsVersion;
        long have = (long) CELLS.getAndSet(owned, stockIndex(path), 0L);
        long need = size - have;
        if (need <= 0) { // a release refilled the stock meanwhile
            CELLS.getAndAdd(owned, stockIndex(path), -need);
            return OK;
        }
        long batch = need > Long.MAX_VALUE - MAX_BATCH ? 0 : batchFor(kind, extra, need);
        int hit = batch > 0 ? charge(kind, extra, need + batch) : Kind.COUNT; // not OK: try the exact size
        if (hit != OK) {
            batch = 0;
            hit = charge(kind, extra, need);
        }
        if (hit != OK) {
            CELLS.getAndAdd(owned, stockIndex(path), have);
            drainAll();
            hit = charge(kind, extra, size);
            if (hit != OK) {
                return hit;
            }
        } else if (batch > 0) {
            CELLS.getAndAdd(owned, stockIndex(path), batch);
        }
        setCap(owned, path, kind, extra, 2 * batch, version);
        sample(kind);
        sample(TOTAL);
        if (extra >= 0) {
            sample(extra);
        }
        return OK;
    }

    /** Sets the cap; if the limits changed since {@code version} was read, gives the stock back instead. */
    private void setCap(long[] owned, int path, int kind, int extra, long cap, int version) {
        CELLS.setVolatile(owned, capIndex(path), cap);
        if (limitsVersion != version) { // a limit changed while we computed: our stock may be too big
            CELLS.setVolatile(owned, capIndex(path), 0L);
            long taken = (long) CELLS.getAndSet(owned, stockIndex(path), 0L);
            if (taken > 0) {
                uncharge(kind, extra, taken);
            }
        }
    }

    /** The batch to take on top of {@code need}: see the class comment. */
    private long batchFor(int kind, int extra, long need) {
        long batch = Math.min(MAX_BATCH, room(kind, need));
        if (Kind.inTotal(kind)) {
            batch = Math.min(batch, room(TOTAL, need));
        }
        return extra >= 0 ? Math.min(batch, room(extra, need)) : batch;
    }

    private long room(int which, long need) {
        long limit = (long) CELLS.getVolatile(limits, which);
        if (limit == 0) {
            return Long.MAX_VALUE;
        }
        long charged = (long) CELLS.getVolatile(cells, chargedIndex(which));
        long warn = (long) CELLS.getOpaque(warnAt, which);
        long ceiling = charged < warn ? warn : limit;
        return Math.max(0L, (ceiling - charged - need) >> 6);
    }

    /** Charges every limit of the path, or none: returns {@link #OK} or the limit that refused. */
    private int charge(int kind, int extra, long amount) {
        if (!add(kind, amount)) {
            return kind;
        }
        boolean inTotal = Kind.inTotal(kind);
        if (inTotal && !add(TOTAL, amount)) {
            CELLS.getAndAdd(cells, chargedIndex(kind), -amount);
            return TOTAL;
        }
        if (extra >= 0 && !add(extra, amount)) {
            CELLS.getAndAdd(cells, chargedIndex(kind), -amount);
            if (inTotal) {
                CELLS.getAndAdd(cells, chargedIndex(TOTAL), -amount);
            }
            return extra;
        }
        return OK;
    }

    private void uncharge(int kind, int extra, long amount) {
        CELLS.getAndAdd(cells, chargedIndex(kind), -amount);
        if (Kind.inTotal(kind)) {
            CELLS.getAndAdd(cells, chargedIndex(TOTAL), -amount);
        }
        if (extra >= 0) {
            CELLS.getAndAdd(cells, chargedIndex(extra), -amount);
        }
    }

    private boolean add(int which, long size) {
        int index = chargedIndex(which);
        long limit = (long) CELLS.getVolatile(limits, which);
        if (limit == 0) {
            CELLS.getAndAdd(cells, index, size);
            return true;
        }
        long charged;
        do {
            charged = (long) CELLS.getVolatile(cells, index);
            if (size > limit - charged) {
                return false;
            }
        } while (!CELLS.compareAndSet(cells, index, charged, charged + size));
        return true;
    }

    /** After a trip to the shared counters: raises the peak and tells the warning listener, from the exact use. */
    private void sample(int which) {
        long charged = (long) CELLS.getVolatile(cells, chargedIndex(which));
        if (charged <= (long) CELLS.getVolatile(cells, peakIndex(which))
                && charged <= (long) CELLS.getVolatile(cells, sampledIndex(which))) {
            return; // used <= charged: neither a new peak nor a new crossing is possible
        }
        long used = exactUsed(which);
        raise(peakIndex(which), used);
        long before = raise(sampledIndex(which), used);
        long threshold = (long) CELLS.getOpaque(warnAt, which);
        long limit = limit(which); // read once: a concurrent setLimit(0) must not reach the listener as a limit of 0
        if (limit > 0 && before < threshold && used >= threshold) { // only the one raise across the threshold
            WarningListener listener = warningListener;
            if (listener != null) {
                listener.crossed(which, used, limit);
            }
        }
    }

    /** Reserves regardless of the limits ({@code policy=warn}). */
    public void forceReserve(int kind, long size) {
        forceReserve(budget(), kind, NO_EXTRA, size);
    }

    public void forceReserve(Budget budget, int kind, int extra, long size) {
        CELLS.getAndAdd(cells, chargedIndex(kind), size);
        if (Kind.inTotal(kind)) {
            CELLS.getAndAdd(cells, chargedIndex(TOTAL), size);
        }
        if (extra >= 0) {
            CELLS.getAndAdd(cells, chargedIndex(extra), size);
        }
        sample(kind);
        sample(TOTAL);
        if (extra >= 0) {
            sample(extra);
        }
    }

    /** Releases {@code size} bytes of {@code kind} on the current thread. */
    public void release(int kind, long size) {
        release(budget(), kind, NO_EXTRA, size);
    }

    public void release(Budget budget, int kind, long size) {
        release(budget, kind, NO_EXTRA, size);
    }

    /** Releases along a path: the thread's stock grows (excess above the cap goes back). */
    @ForceInline
    public void release(Budget budget, int kind, int extra, long size) {
        long[] owned = budget.cells;
        int path = pathOf(kind, extra);
        long stock = (long) CELLS.getAndAdd(owned, stockIndex(path), size) + size;
        if (stock > (long) CELLS.getOpaque(owned, capIndex(path))) {
            giveBackExcess(owned, path, kind, extra);
        }
    }

    @DontInline
    private void giveBackExcess(long[] owned, int path, int kind, int extra) {
        int version = limitsVersion;
        long cap = 2 * batchFor(kind, extra, 0);
        long keep = cap / 2;
        long stock;
        do {
            stock = (long) CELLS.getOpaque(owned, stockIndex(path));
            if (stock <= keep) {
                break;
            }
        } while (!CELLS.compareAndSet(owned, stockIndex(path), stock, keep));
        if (stock > keep) {
            uncharge(kind, extra, stock - keep);
        }
        setCap(owned, path, kind, extra, cap, version);
    }

    /** Takes every thread's stock back to the shared counters (a reservation about to fail, a limit change). */
    public void drainAll() {
        for (long[] owned : registeredCells) {
            drain(owned);
        }
    }

    private void drain(long[] owned) {
        for (int path = 0; path < pathCount; path++) {
            CELLS.setOpaque(owned, capIndex(path), 0L);
            long taken = (long) CELLS.getAndSet(owned, stockIndex(path), 0L);
            if (taken != 0) {
                int kind = path % Kind.COUNT;
                int extraIndex = path / Kind.COUNT - 1;
                uncharge(kind, extraIndex < 0 ? NO_EXTRA : extraLimit(extraIndex), taken);
            }
        }
    }

    /** Raises a high-water cell to {@code now}; returns the value this call raised it from, or {@code now} if it did not. */
    private long raise(int index, long now) {
        long high;
        while (now > (high = (long) CELLS.getVolatile(cells, index))) {
            if (CELLS.compareAndSet(cells, index, high, now)) {
                return high;
            }
        }
        return now;
    }

    /** Sets every peak to the current use. */
    public void resetPeaks() {
        for (int which = 0; which < limitCount; which++) {
            CELLS.setVolatile(cells, peakIndex(which), 0L);
            used(which);
        }
    }

    /** Number of budgets registered (threads and carriers not yet folded after they ended); for tests. */
    int budgetCount() {
        return registeredCells.length;
    }

    /** Folds ended threads' budgets now (tests; normally done as new threads register). */
    synchronized void sweep() {
        sweep(true);
    }

    /** Per carrier on JDK 19+ (a virtual thread shares its carrier's budget), per thread before. */
    private static ThreadLocal<Budget> newBudgetLocal() {
        try {
            return CarrierLocals.create();
        } catch (LinkageError e) {
            return new ThreadLocal<>(); // JDK 17-18, or jdk.internal.misc not exported: per thread
        }
    }
}
