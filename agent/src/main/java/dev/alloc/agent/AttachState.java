package dev.alloc.agent;

/**
 * What the agent tells the {@code attach} command, which runs in another JVM and cannot see the
 * target's standard error: the start-up line or the error, in a system property of the target
 * that the command reads back through the attach API. Not under {@code alloc.}: those are options.
 */
public final class AttachState {
    /** The property the attach command reads. */
    public static final String PROPERTY = "dev.alloc.agent.state";

    private AttachState() {
    }

    private static String startLine = "";

    /** The agent started with this line. */
    static void started(String line) {
        startLine = line;
        set(line);
    }

    static void set(String state) {
        System.setProperty(PROPERTY, state);
    }

    static String startLine() {
        return startLine;
    }
}
