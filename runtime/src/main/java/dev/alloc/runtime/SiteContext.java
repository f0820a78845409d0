package dev.alloc.runtime;

import jdk.internal.vm.annotation.ForceInline;
import jdk.internal.vm.annotation.DontInline;

/**
 * Per-thread state shared by the rewritten call sites and the JDK choke points.
 *
 * <p>A rewritten call site (see the agent's {@code CallSiteTransformer}) stores its constant site
 * id here around the call into the JDK; the choke point that takes the memory reads it, so
 * attribution costs a thread-local access instead of a stack walk. {@link #inAgent} marks a thread that is
 * running the agent's own code, so native memory the agent itself takes is never tracked
 * through the agent (no recursion).
 */
public final class SiteContext {
    private static final ThreadLocal<SiteContext> CURRENT = new ThreadLocal<SiteContext>() {
        @Override
        protected SiteContext initialValue() {
            return new SiteContext();
        }
    };

    /** The site id of the rewritten call in progress on this thread, 0 for none. */
    int site;
    /** The site of the reservation in progress on this thread, for a limit warning raised inside it. */
    int reserving;
    /** True while this thread runs agent code that may itself take native memory. */
    boolean inAgent;
    /** The old block of a libc {@code realloc} in flight on this thread (see {@link MallocHooks}). */
    long reallocating;
    /** This thread's stripe of the per-site counters: shared, or leased to it alone ({@link StripeLeases}). */
    private int stripe;
    /** Events counted on a shared stripe since the last request for a lease. */
    private int sharedEvents;
    /**
     * The installed limiter's budget of this thread, kept here so a hook needs one lookup; null
     * on a virtual thread, whose budget is its carrier's and must be looked up at each use.
     */
    Limiter.Budget budget;
    /** The page this thread claims slots of headed blocks in ({@link SlotPages}); null until its first. */
    SlotPages.Page page;
    /** True on a virtual thread (JDK 21+). */
    final boolean virtual;

    /*
     * A cache in front of the ThreadLocal, indexed by thread id: one array load and one compare
     * instead of a ThreadLocalMap probe, on every allocation and twice per rewritten call. Slots
     * are written racily, which is safe: a thread only accepts the context whose final owner is
     * itself (final fields are visible through a race), and that is the context its own
     * ThreadLocal made, whose other fields only it touches. The id only picks the slot (a
     * subclass overriding getId() costs speed, not correctness); threads sharing a slot take the
     * ThreadLocal path more often. A slot keeps at most one finished Thread object reachable.
     */
    private static final int CACHE_SLOTS = 1 << 12;
    private static final SiteContext[] BY_THREAD_ID = new SiteContext[CACHE_SLOTS];

    private final Thread owner;

    private SiteContext() {
        owner = Thread.currentThread();
        virtual = VirtualThreads.isVirtual(owner);
        int leased = mayLease() ? StripeLeases.lease(owner) : -1;
        stripe = leased >= 0 ? leased : StripeLeases.shared();
    }

    /**
     * The stripe this thread counts its next site event in. A platform thread takes a lease when
     * its context is made, if one is free; on a shared stripe it asks again every
     * {@link StripeLeases#EVENTS_BEFORE_LEASE} events. Virtual threads stay shared.
     */
    @ForceInline
    int stripe() {
        int current = stripe;
        if (!StripeLeases.exclusive(current) && ++sharedEvents == StripeLeases.EVENTS_BEFORE_LEASE) {
            current = leaseStripe();
        }
        return current;
    }

    /** Virtual threads and the JDK's GC-paced freeing threads stay on shared stripes. */
    private boolean mayLease() {
        return !virtual && !JdkThreads.isCleanerThread(owner);
    }

    @DontInline
    private int leaseStripe() {
        sharedEvents = 0;
        int leased = mayLease() ? StripeLeases.lease(owner) : -1;
        if (leased >= 0) {
            stripe = leased;
        }
        return stripe;
    }

    @SuppressWarnings("deprecation") // Thread.getId: threadId() is JDK 19+
    @ForceInline
    public static SiteContext current() {
        Thread thread = Thread.currentThread();
        int slot = (int) thread.getId() & (CACHE_SLOTS - 1);
        SiteContext cached = BY_THREAD_ID[slot];
        if (cached != null && cached.owner == thread) {
            return cached;
        }
        SiteContext context = CURRENT.get();
        BY_THREAD_ID[slot] = context;
        return context;
    }

    /** Woven before an intercepted JDK call in application code: the call's constant site id. */
    @ForceInline
    public static void prime(int site) {
        current().site = site;
    }

    /** Woven after the intercepted call returns. */
    @ForceInline
    public static void unprime() {
        current().site = 0;
    }

    /** Marks this thread as running agent code; returns the previous mark for {@link #exitAgent}. */
    public boolean enterAgent() {
        boolean previous = inAgent;
        inAgent = true;
        return previous;
    }

    public void exitAgent(boolean previous) {
        inAgent = previous;
    }
}
