package dev.alloc.runtime;

/**
 * Per-thread state shared by the rewritten call sites and the JDK choke points.
 *
 * <p>A rewritten call site (see the agent's call-site wrappers) stores its constant site id here
 * around the call into the JDK; the choke point that takes the memory reads it, so attribution
 * costs a thread-local read instead of a stack walk. {@link #inAgent} marks a thread that is
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

    /** The site id of the innermost rewritten call site on this thread, 0 for none. */
    int site;
    /** True while this thread runs agent code that may itself take native memory. */
    boolean inAgent;
    /** A site armed by a rewritten call just before it calls the JDK; the next allocation takes it. */
    int armed;
    /** The old block of a libc {@code realloc} in flight on this thread (see {@link MallocHooks}). */
    long reallocating;

    private SiteContext() {
    }

    public static SiteContext current() {
        return CURRENT.get();
    }

    /** Called by a call-site wrapper before the call: sets the site, returns the one to restore. */
    public int enter(int newSite) {
        int previous = site;
        site = newSite;
        return previous;
    }

    /**
     * Called by a rewritten call site right before a JDK call that allocates at once (no
     * wrapper frame in between): the allocation that follows on this thread takes this site
     * and clears it. Used where the JDK inspects its caller ({@code sun.misc.Unsafe} on 24+).
     */
    public static void arm(int site) {
        CURRENT.get().armed = site;
    }

    /** Called by a call-site wrapper after the call, normally or by exception. */
    public void exit(int previous) {
        site = previous;
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
