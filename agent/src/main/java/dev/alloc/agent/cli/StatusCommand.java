package dev.alloc.agent.cli;

import java.io.PrintStream;

/**
 * {@code java -jar alloc.jar status <pid> [--top N]}: a running agent's numbers, asked through the
 * command channel (see {@link CommandChannel}): no JMX agent started in the target, no port.
 */
final class StatusCommand {
    static final String USAGE = "java -jar alloc.jar status <pid> [--top N]";

    private StatusCommand() {
    }

    static void run(String[] args, PrintStream out) throws CommandError {
        if (args.length != 1 && !(args.length == 3 && args[1].equals("--top"))) {
            throw new CommandError("usage: " + USAGE, 2);
        }
        int top = args.length == 3 ? Arguments.positiveInt("--top", args[2]) : 10;
        try (CommandChannel channel = CommandChannel.open(args[0])) {
            out.print(channel.ask("status", Integer.toString(top)));
        }
    }
}
