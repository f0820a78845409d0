package dev.alloc.runtime;

import dev.alloc.runtime.report.Log;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import jdk.internal.access.SharedSecrets;

/**
 * Gives the garbage collector a chance to free dead buffers before a reservation fails, as
 * {@code java.nio.Bits.reserveMemory} does for {@code -XX:MaxDirectMemorySize}: memory held by
 * unreachable direct buffers (and automatic FFM arenas) comes back only when their Cleaners
 * run, so failing at once would fail while the memory is really free.
 *
 * <p>One reclaim at a time. A thread whose reservation failed either drives a round or, when
 * a round is already running, waits for that round to end (at most {@link #MAX_WAIT_MILLIS}),
 * retries once and gives up. A round is what the JDK does for one thread: wait while the
 * Reference Handler has references to process, retrying; one {@code System.gc()}; then up to
 * 9 retries with doubling sleeps (about 0.5 s in all), waiting for reference processing
 * instead of sleeping while there is some. The driver retries its own reservation only, and
 * the round ends as soon as it succeeds. A round that has not succeeded by then lasts on while
 * threads keep joining it (until none has joined for {@link #QUIET_MILLIS}, at most
 * {@link #MAX_ROUND_MILLIS} in all): thousands of threads reaching the limit at once do not all
 * arrive within one round on a busy machine, and each late one would otherwise start a round of
 * its own, a {@code System.gc()} and half a second later than the others. So a storm of failing
 * threads costs one {@code System.gc()} per round, not one per thread, and every thread has its
 * answer within about one round of arriving.
 *
 * <p>The first round that has waiters also warms up the limit error's construction (a few
 * thousand throw-away errors while the round waits for GC anyway): when the round ends, every
 * waiter builds its error at once, and a cold path (interpreted, then compiled by C1 and C2
 * while thousands of threads run it) took most of a storm's time: 20,000 virtual threads'
 * errors spread over 1.1 to 2.4 s on the 2-core test machine, most of it the JIT's.
 *
 * <p>Waiters park on the round and its driver unparks each of them when it ends: no lock or
 * latch, whose wake-ups pass from one waiter to the next (with 20,000 virtual threads each hop
 * waits its turn on a carrier) and whose timed-out waiters are unlinked one by one.
 *
 * <p>Invariants: at most one round runs at any instant (the {@link #running} reference is set
 * by one CAS and cleared by its driver alone, in a {@code finally}, before it wakes the
 * waiters); a waiter enqueues itself before it reads {@link Round#over}, and the driver sets
 * {@code over} before it drains the queue, so no waiter sleeps through the end of its round;
 * a waiter never waits longer than {@link #MAX_WAIT_MILLIS}, so a stuck driver cannot hang
 * anyone; no thread that
 * runs Cleaners (Reference Handler, Common-Cleaner) ever drives or waits (see
 * {@link #mayHelp}): it would wait for itself. Frees never wait for this.
 */
final class Reclaimer {
    private static final int MAX_SLEEPS = 9;
    /** A failed round ends once no thread has joined it for this long. */
    static final long QUIET_MILLIS = 100;
    /** A round lasts at most this long, inside a waiter's {@link #MAX_WAIT_MILLIS}. */
    static final long MAX_ROUND_MILLIS = 4_000;
    /** Throw-away limit errors built by the first round with waiters; see the class comment. */
    private static final int WARM_UP_ERRORS = 3_000;
    /** At most this long is spent on them (a slow, loaded machine builds fewer). */
    private static final long WARM_UP_MILLIS = 150;
    /** Set by the first round that warms the error path up. */
    private static volatile boolean errorPathWarm;
    /** Longer than a round (at most {@link #MAX_ROUND_MILLIS}): a waiter normally sees its round end. */
    static final long MAX_WAIT_MILLIS = 5_000;

    /** The round in progress, or null. */
    private static final AtomicReference<Round> running = new AtomicReference<>();
    /** Set once the JDK's wait for reference processing could not be called: sleeps only. */
    private static volatile boolean referencesUnavailable;

    private Reclaimer() {
    }

    /** One reclaim: the threads waiting for it, woken when it is {@link #over}. */
    private static final class Round {
        volatile boolean over;
        /** When the last waiter joined ({@link System#nanoTime}); the round's start before any did. */
        volatile long lastJoin = System.nanoTime();
        final long start = lastJoin;
        final ConcurrentLinkedQueue<Thread> waiters = new ConcurrentLinkedQueue<>();

        /** Waits until the round is over, at most until {@code deadline} ({@link System#nanoTime}) or an interrupt. */
        void await(long deadline) {
            lastJoin = System.nanoTime();
            waiters.add(Thread.currentThread());
            long left;
            while (!over && (left = deadline - System.nanoTime()) > 0 && !Thread.currentThread().isInterrupted()) {
                LockSupport.parkNanos(this, left);
            }
        }

        /** Whether threads are still joining: one joined within the quiet time, and the round is not too old. */
        boolean stillJoining() {
            long now = System.nanoTime();
            return now - lastJoin < TimeUnit.MILLISECONDS.toNanos(QUIET_MILLIS)
                    && now - start < TimeUnit.MILLISECONDS.toNanos(MAX_ROUND_MILLIS);
        }

        void end() {
            over = true;
            for (Thread waiter; (waiter = waiters.poll()) != null; ) {
                LockSupport.unpark(waiter);
            }
        }
    }

    /** Loads what a round and a wait use now, at install, not inside an allocation at the limit. */
    static void warmUp() {
        Round round = new Round();
        round.end();
        round.await(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1));
        LockSupport.unpark(Thread.currentThread());
        LockSupport.parkNanos(1); // consumes the permit just given
        running.compareAndExchange(round, null);
    }

    /** Whether waiting can free anything: the limit hit covers GC-freed memory, some is live, and this thread may wait. */
    static boolean mayHelp(Limiter limiter, int limitHit) {
        // GC never frees unsafe or malloc memory: a full limit.unsafe or limit.malloc fails at once.
        boolean gcFreesThisLimit = limitHit == Limiter.TOTAL || limitHit == Kind.DIRECT || limitHit == Kind.FFM;
        boolean gcUnmaps = limitHit == Kind.MAPPED && limiter.used(Kind.MAPPED) > 0; // dead mapped buffers
        return (gcUnmaps || gcFreesThisLimit && (limiter.used(Kind.DIRECT) > 0 || limiter.used(Kind.FFM) > 0))
                && !JdkThreads.isCleanerThread(Thread.currentThread());
    }

    /** Drives a round, or waits for the one running and retries once; returns {@link Limiter#OK} or the limit still exceeded. */
    static int retry(Limiter limiter, int kind, long size, int budget) { // budget: Budgets.NONE or its limit id
        Round mine = new Round();
        Round other = running.compareAndExchange(null, mine);
        if (other == null) {
            try {
                return driveRound(limiter, kind, size, budget, mine);
            } finally {
                running.set(null);
                mine.end();
            }
        }
        other.await(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MAX_WAIT_MILLIS));
        return limiter.tryReserve(limiter.budget(), kind, budget, size);
    }

    private static int driveRound(Limiter limiter, int kind, long size, int budget, Round round) {
        int hit;
        do {
            hit = limiter.tryReserve(limiter.budget(), kind, budget, size);
            if (hit == Limiter.OK) {
                return hit;
            }
        } while (waitForReferenceProcessing());
        System.gc();
        long sleepMillis = 1;
        for (int sleeps = 0; ; ) {
            hit = limiter.tryReserve(limiter.budget(), kind, budget, size);
            if (hit == Limiter.OK) {
                return hit;
            }
            boolean patient = sleeps < MAX_SLEEPS;
            if (!patient && !round.stillJoining()) {
                return hit;
            }
            if (!errorPathWarm && !round.waiters.isEmpty()) {
                warmUpErrorPath(kind, size);
                continue;
            }
            if (!waitForReferenceProcessing()) {
                try {
                    Thread.sleep(patient ? sleepMillis : QUIET_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return limiter.tryReserve(limiter.budget(), kind, budget, size);
                }
                if (patient) {
                    sleepMillis <<= 1;
                    sleeps++;
                }
            }
        }
    }

    /** Builds throw-away limit errors, so the waiters find the error path compiled when the round ends. */
    private static void warmUpErrorPath(int kind, long size) {
        errorPathWarm = true;
        SiteRegistry sites = OffHeap.sites();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WARM_UP_MILLIS);
        try {
            for (int i = 0; i < WARM_UP_ERRORS && System.nanoTime() - deadline < 0; i++) {
                LimitErrors.create(kind, size, "warm-up", Limiter.TOTAL, 0, 0, sites);
            }
        } catch (Throwable ignored) {
            // only a speed-up: a failure here (a full heap, say) must not end the round
        }
    }

    /**
     * Waits while the Reference Handler has pending references; true if there were any (it waited).
     * A direct call through the JDK's {@code SharedSecrets} (see {@code src/jdk-stub}; the agent
     * exports {@code jdk.internal.access} to the runtime): a method handle cost the start-up its
     * lambda forms. Where the call cannot link, the round only sleeps.
     */
    private static boolean waitForReferenceProcessing() {
        if (referencesUnavailable) {
            return false;
        }
        try {
            return SharedSecrets.getJavaLangRefAccess().waitForReferenceProcessing();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Throwable e) {
            referencesUnavailable = true;
            Log.debug("no wait for reference processing at the limit (" + e + "): sleeps only");
            return false;
        }
    }
}
