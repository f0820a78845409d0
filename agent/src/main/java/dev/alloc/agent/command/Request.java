package dev.alloc.agent.command;

import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * A command for the agent running in a target JVM, carried as the argument of
 * {@code VirtualMachine.loadAgent(alloc.jar, argument)}: {@code dev.alloc.command <name> <value> <answer file>}.
 * The answer file is created by the command line in its private directory; the agent only ever
 * writes into it (see {@link AnswerFile}). The path comes last, so it may hold spaces.
 */
public final class Request {
    /** What starts an agent argument that is a command rather than options. */
    public static final String PREFIX = "dev.alloc.command ";
    /** Ends every complete answer: the reader of a file being rewritten waits for it. */
    public static final char END = '\u0000';

    public final String name;
    public final String value;
    public final Path answer;

    public Request(String name, String value, Path answer) {
        if (name.isEmpty() || name.contains(" ") || value.isEmpty() || value.contains(" ")) {
            throw new IllegalArgumentException("command and value must be single words: '" + name + "' '" + value + "'");
        }
        this.name = name;
        this.value = value;
        this.answer = answer;
    }

    public static boolean isCommand(String agentArgs) {
        return agentArgs != null && agentArgs.startsWith(PREFIX);
    }

    /** The agent argument that carries this request. */
    public String toAgentArgument() {
        return PREFIX + name + " " + value + " " + answer;
    }

    /** Reads what {@link #toAgentArgument()} wrote; null if malformed. */
    public static Request parse(String agentArgs) {
        String[] parts = agentArgs.substring(PREFIX.length()).split(" ", 3);
        if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty() || parts[2].isEmpty()) {
            return null;
        }
        return new Request(parts[0], parts[1], Paths.get(parts[2]));
    }
}
