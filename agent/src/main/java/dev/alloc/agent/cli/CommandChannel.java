package dev.alloc.agent.cli;

import com.sun.tools.attach.AgentInitializationException;
import com.sun.tools.attach.AgentLoadException;
import dev.alloc.agent.AttachState;
import dev.alloc.agent.command.Commands;
import dev.alloc.agent.command.Request;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The command line's side of the command channel, as async-profiler's {@code asprof} drives its
 * agent: the request travels as the argument of {@code VirtualMachine.loadAgent(alloc.jar, ...)}
 * (the running agent sees it and answers), the answer comes back in a file this side created,
 * mode 0600, in a directory of its own, mode 0700, both removed afterwards. No port, no socket,
 * no JMX agent in the target; access is the attach API's rule: the same user as the target.
 */
final class CommandChannel implements AutoCloseable {
    /** How long a rewritten answer (top) may take to be complete again. */
    private static final long COMPLETE_WAIT_MILLIS = 2000;

    private final TargetVm target;
    private final Path directory;
    final Path answer;

    private CommandChannel(TargetVm target, Path directory) {
        this.target = target;
        this.directory = directory;
        this.answer = directory.resolve("answer");
    }

    /** Attaches to {@code pid} and checks that it runs the agent; fails with one line otherwise. */
    static CommandChannel open(String pid) throws CommandError {
        TargetVm target = TargetVm.attach(pid);
        try {
            String state = target.property(AttachState.PROPERTY);
            if (state == null || state.startsWith("error: ")) {
                throw new CommandError("no alloc agent in JVM " + pid + (state == null ? "" : " (" + state + ")")
                        + "; load one with: java -jar alloc.jar attach " + pid + " [key=value,...]", 1);
            }
            Path directory = Files.createTempDirectory("alloc-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            CommandChannel channel = new CommandChannel(target, directory);
            Files.createFile(channel.answer, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            return channel;
        } catch (IOException e) {
            target.close();
            throw new CommandError("cannot prepare a command for JVM " + pid + ": " + e.getMessage(), 1);
        } catch (CommandError | RuntimeException e) {
            target.close();
            throw e;
        }
    }

    String pid() {
        return target.pid;
    }

    /** Sends {@code name value} to the agent and returns its answer; an error answer fails with its message. */
    String ask(String name, String value) throws CommandError {
        send(name, value);
        return read();
    }

    /** Sends a request; the answer (at least its first version) is in the file when this returns. */
    void send(String name, String value) throws CommandError {
        try {
            target.vm.loadAgent(AttachCommand.agentJar(), new Request(name, value, answer).toAgentArgument());
        } catch (AgentLoadException | AgentInitializationException | IOException e) {
            throw new CommandError("JVM " + target.pid + " did not take the command: " + e.getMessage(), 1);
        }
    }

    /** The complete answer now in the file (waiting briefly while it is being rewritten). */
    String read() throws CommandError {
        long deadline = System.nanoTime() + COMPLETE_WAIT_MILLIS * 1_000_000;
        while (true) {
            String text;
            try {
                text = new String(Files.readAllBytes(answer), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new CommandError("cannot read the answer of JVM " + target.pid + ": " + e.getMessage(), 1);
            }
            if (!text.isEmpty() && text.charAt(text.length() - 1) == Request.END) {
                text = text.substring(0, text.length() - 1);
                if (text.startsWith(Commands.ERROR)) {
                    throw new CommandError("JVM " + target.pid + ": " + text.substring(Commands.ERROR.length()), 1);
                }
                return text;
            }
            if (System.nanoTime() > deadline) {
                throw new CommandError("JVM " + target.pid + " did not answer (is its alloc agent older than this command?)", 1);
            }
            sleep(20);
        }
    }

    static void sleep(long millis) throws CommandError {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandError("interrupted", 1);
        }
    }

    /** Removes the answer and the directory (the answer first: a running top session stops on it). */
    @Override
    public void close() {
        target.close();
        for (int attempt = 0; attempt < 10; attempt++) {
            try {
                Files.deleteIfExists(answer);
                Files.deleteIfExists(directory);
                return;
            } catch (DirectoryNotEmptyException | NoSuchFileException e) {
                // something else appeared in the directory: retry briefly
            } catch (IOException e) {
                return;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
