package dev.alloc.bench.startup;

import java.lang.instrument.Instrumentation;

/** An agent that does nothing: what {@code -javaagent} itself costs, whatever the agent. */
public final class EmptyAgent {
    private EmptyAgent() {
    }

    public static void premain(String args, Instrumentation inst) {
        // nothing
    }
}
