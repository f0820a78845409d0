package dev.alloc.agent.cli;

import dev.alloc.runtime.report.Sizes;
import java.io.PrintStream;

/**
 * {@code java -jar alloc.jar limit <pid> <size>|none}: changes a running agent's total limit, as
 * the MXBean's writable {@code Limit} does. Nothing already allocated is touched.
 */
final class LimitCommand {
    static final String USAGE = "java -jar alloc.jar limit <pid> <size>|none";

    private LimitCommand() {
    }

    static void run(String[] args, PrintStream out) throws CommandError {
        if (args.length != 2) {
            throw new CommandError("usage: " + USAGE, 2);
        }
        long bytes = args[1].equals("none") ? 0 : Sizes.parse(args[1]);
        if (bytes < 0) {
            throw new CommandError("bad size '" + args[1] + "' for limit; valid: 65536, 512k, 64m, 1g (binary units), "
                    + "or none", 2);
        }
        try (CommandChannel channel = CommandChannel.open(args[0])) {
            out.print(channel.ask("limit", Long.toString(bytes)));
        }
    }
}
