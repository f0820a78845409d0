package dev.alloc.agent.transform;

/**
 * The one moment before a transformer first uses ASM: each transformer calls {@link #beforeFirstUse}
 * before it touches a class of its ASM rewrite (whose linking loads ASM's classes). The agent sets
 * what runs then: it defines the agent's shaded ASM in the bootstrap loader, where the JVM does
 * not verify classes, so a first rewrite (a class that really calls an intercepted method, or a
 * JDK class the in-place inserters refuse) does not verify ASM's ~30 classes in the agent's
 * loader first: that verification was half of the ~20 ms the first rewrite of Guava's
 * {@code Files} cost. Unset (tests, the command line), ASM loads in the agent's loader as any class.
 */
public final class AsmLoading {
    private static volatile Runnable action;
    private static boolean done;

    private AsmLoading() {
    }

    /** Set once, by the agent at start, before any transformer can run. */
    public static void setBeforeFirstUse(Runnable beforeFirstUse) {
        action = beforeFirstUse;
    }

    /** Runs the agent's action the first time; later calls (or without an action) do nothing. */
    static synchronized void beforeFirstUse() {
        if (done) {
            return;
        }
        done = true;
        Runnable run = action;
        if (run != null) {
            run.run();
        }
    }
}
