package dev.alloc.agent.cli;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code java -jar alloc.jar top <pid> [--top N] [-n FRAMES]}: the status, refreshed every second
 * until Ctrl-C (or FRAMES frames), clearing the screen as {@code top} does when the output is a
 * terminal, one frame after another otherwise. One attach for the whole session: the agent
 * rewrites the answer file every second until this process or the file is gone.
 */
final class TopCommand {
    static final String USAGE = "java -jar alloc.jar top <pid> [--top N] [-n FRAMES]";
    private static final String CLEAR_SCREEN = "\033[H\033[2J";
    /** A frame comes every second; this long without one means the agent's session is gone. */
    private static final long STALE_NANOS = 10_000_000_000L;

    private TopCommand() {
    }

    static void run(String[] args, PrintStream out) throws CommandError {
        if (args.length < 1 || args.length % 2 != 1) {
            throw new CommandError("usage: " + USAGE, 2);
        }
        int rows = 20;
        int frames = Integer.MAX_VALUE;
        for (int i = 1; i < args.length; i += 2) {
            if (args[i].equals("--top")) {
                rows = Arguments.positiveInt("--top", args[i + 1]);
            } else if (args[i].equals("-n")) {
                frames = Arguments.positiveInt("-n", args[i + 1]);
            } else {
                throw new CommandError("bad argument '" + args[i] + "'; usage: " + USAGE, 2);
            }
        }
        boolean terminal = System.console() != null;
        CommandChannel channel = CommandChannel.open(args[0]);
        AtomicBoolean stopping = new AtomicBoolean();
        Thread cleanup = new Thread(() -> { // Ctrl-C: the file goes, so the agent's session stops
            stopping.set(true);
            channel.close();
        }, "alloc-top-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            channel.send("top", rows + "," + ProcessHandle.current().pid());
            ProcessHandle target = ProcessHandle.of(Long.parseLong(channel.pid())).orElse(null);
            String last = null;
            long changed = System.nanoTime();
            for (int shown = 0; shown < frames;) {
                String frame;
                try {
                    frame = channel.read();
                } catch (CommandError e) {
                    if (stopping.get()) {
                        return; // Ctrl-C removed the file under the last read: not an error
                    }
                    throw e;
                }
                if (!frame.equals(last)) {
                    out.print((terminal ? CLEAR_SCREEN : shown == 0 ? "" : "\n") + frame);
                    out.flush();
                    last = frame;
                    changed = System.nanoTime();
                    shown++;
                    continue;
                }
                if (target == null || !target.isAlive()) {
                    throw new CommandError("JVM " + channel.pid() + " has ended", 1);
                }
                if (System.nanoTime() - changed > STALE_NANOS) {
                    throw new CommandError("JVM " + channel.pid() + " stopped answering (no new frame for 10 s)", 1);
                }
                CommandChannel.sleep(100);
            }
        } finally {
            channel.close();
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException e) {
                // already shutting down (Ctrl-C): the hook is running
            }
        }
    }
}
