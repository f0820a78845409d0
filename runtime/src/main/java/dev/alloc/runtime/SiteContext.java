package dev.alloc.runtime;

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
    /** True while this thread runs agent code that may itself take native memory. */
    boolean inAgent;

    private SiteContext() {
    }

    public static SiteContext current() {
        return CURRENT.get();
    }

    /** Woven before an intercepted JDK call in application code: the call's constant site id. */
    public static void prime(int site) {
        CURRENT.get().site = site;
    }

    /** Woven after the intercepted call returns. */
    public static void unprime() {
        CURRENT.get().site = 0;
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
