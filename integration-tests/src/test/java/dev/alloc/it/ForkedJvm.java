package dev.alloc.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a program in a separate JVM, usually with the real {@code alloc.jar} as its agent, drains
 * its output, and kills it if it outlives a timeout. Declared per test, run in one call:
 * <pre>
 *   Result r = ForkedJvm.on(jdk).agent("limit=64m").main(HoldBuffers.class, "1048576").run();
 * </pre>
 */
public final class ForkedJvm {
    private final Jdk jdk;
    private final List<String> jvmArgs = new ArrayList<>();
    private final List<String> command = new ArrayList<>();
    private long timeoutSeconds = 120;

    private ForkedJvm(Jdk jdk) {
        this.jdk = jdk;
    }

    public static ForkedJvm on(Jdk jdk) {
        return new ForkedJvm(jdk);
    }

    /** The agent jar under test (built by the agent module). */
    public static Path agentJar() {
        Path jar = Paths.get(System.getProperty("alloc.jar", "../agent/target/alloc.jar")).toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no agent jar at " + jar + ": run 'mvn install' from the top directory");
        }
        return jar;
    }

    /** A scratch directory for a test's files (recordings, reports). */
    public static Path workDir(String name) {
        Path dir = Paths.get(System.getProperty("alloc.test.work", "target/it-work")).resolve(name).toAbsolutePath();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    /** {@link #workDir}, emptied of what an earlier run left there. */
    public static Path emptyWorkDir(String name) {
        Path dir = workDir(name);
        try (java.util.stream.Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toArray(Path[]::new)) {
                if (!p.equals(dir)) {
                    Files.delete(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    /** Adds {@code -javaagent:alloc.jar=<options>} ({@code options} may be empty). */
    public ForkedJvm agent(String options) {
        jvmArgs.add("-javaagent:" + agentJar() + (options.isEmpty() ? "" : "=" + options));
        return this;
    }

    public ForkedJvm jvmArgs(String... args) {
        jvmArgs.addAll(Arrays.asList(args));
        return this;
    }

    /**
     * Runs a class from the test class path. The agent's own jars are left off that class path:
     * the program must see the agent only as {@code -javaagent} puts it there.
     */
    public ForkedJvm main(Class<?> mainClass, String... args) {
        command.add("-cp");
        command.add(programClassPath());
        command.add(mainClass.getName());
        command.addAll(Arrays.asList(args));
        return this;
    }

    static String programClassPath() {
        List<String> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            String name = Paths.get(entry).getFileName().toString();
            if (!name.startsWith("alloc-agent") && !name.startsWith("alloc-runtime") && !name.startsWith("asm-")
                    && !name.equals("alloc.jar")) {
                entries.add(entry);
            }
        }
        return String.join(java.io.File.pathSeparator, entries);
    }

    /** Runs a single-file source program with the source launcher ({@code java Foo.java}). */
    public ForkedJvm source(Path file, String... args) {
        command.add(file.toString());
        command.addAll(Arrays.asList(args));
        return this;
    }

    /** Runs a jar ({@code java -jar file}). */
    public ForkedJvm jar(Path file, String... args) {
        command.add("-jar");
        command.add(file.toString());
        command.addAll(Arrays.asList(args));
        return this;
    }

    public ForkedJvm timeoutSeconds(long seconds) {
        timeoutSeconds = seconds;
        return this;
    }

    private List<String> commandLine() {
        List<String> all = new ArrayList<>();
        all.add(jdk.java().toString());
        all.addAll(jvmArgs);
        all.addAll(command);
        return all;
    }

    public Result run() {
        List<String> all = commandLine();
        try {
            Process process = new ProcessBuilder(all).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            Drain out = new Drain(process.getInputStream());
            Drain err = new Drain(process.getErrorStream());
            out.start();
            err.start();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                out.join();
                err.join();
                throw new AssertionError("timed out after " + timeoutSeconds + " s: " + all
                        + "\nstdout:\n" + out.text() + "\nstderr:\n" + err.text());
            }
            out.join();
            err.join();
            return new Result(all, process.exitValue(), out.text(), err.text());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Starts the JVM and returns at once: for programs that run while a test attaches to them. */
    public Running start() {
        List<String> all = commandLine();
        try {
            return new Running(all, new ProcessBuilder(all).start(), timeoutSeconds);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A JVM that is running: the test sends it lines on its standard input and waits for lines on
     * its standard output. Closing it closes that input (the programs exit then) and waits.
     */
    public static final class Running implements AutoCloseable {
        private final List<String> command;
        private final Process process;
        private final long timeoutSeconds;
        private final Drain out;
        private final Drain err;
        private final java.io.PrintStream in;

        private Running(List<String> command, Process process, long timeoutSeconds) {
            this.command = command;
            this.process = process;
            this.timeoutSeconds = timeoutSeconds;
            this.out = new Drain(process.getInputStream());
            this.err = new Drain(process.getErrorStream());
            out.start();
            err.start();
            this.in = new java.io.PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
        }

        public long pid() {
            return process.pid();
        }

        public void send(String line) {
            in.println(line);
        }

        /** Waits until standard output has a line starting with {@code prefix} after the first {@code skip} such lines; returns it. */
        public String awaitLine(String prefix, int skip) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                int seen = 0;
                for (String line : out.text().split("\n")) {
                    if (line.startsWith(prefix) && seen++ == skip) {
                        return line;
                    }
                }
                if (!process.isAlive() && seen <= skip) {
                    break;
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            throw new AssertionError("no line '" + prefix + "...' (#" + (skip + 1) + ") from " + this);
        }

        public boolean isAlive() {
            return process.isAlive();
        }

        public String stdout() {
            return out.text();
        }

        public String stderr() {
            return err.text();
        }

        /** Closes standard input and waits for the exit; returns what the JVM did. */
        public Result finish() {
            in.close();
            try {
                if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                    throw new AssertionError("timed out: " + this);
                }
                out.join();
                err.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            return new Result(command, process.exitValue(), out.text(), err.text());
        }

        /** Stops the JVM as Ctrl-C would (its shutdown hooks run) and returns what it did. */
        public Result interrupt() {
            process.destroy();
            return finish();
        }

        @Override
        public void close() {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
        }

        @Override
        public String toString() {
            return "command: " + String.join(" ", command) + "\nalive: " + process.isAlive() + "\nstdout:\n" + out.text()
                    + "\nstderr:\n" + err.text();
        }
    }

    /** What a forked JVM did. */
    public record Result(List<String> command, int exitCode, String stdout, String stderr) {
        /** stderr lines that the agent printed ({@code alloc: ...}). */
        public List<String> agentLines() {
            List<String> lines = new ArrayList<>();
            for (String line : stderr.split("\n")) {
                if (line.startsWith("alloc: ")) {
                    lines.add(line);
                }
            }
            return lines;
        }

        @Override
        public String toString() {
            return "command: " + String.join(" ", command) + "\nexit: " + exitCode + "\nstdout:\n" + stdout
                    + "\nstderr:\n" + stderr;
        }
    }

    private static final class Drain extends Thread {
        private final InputStream in;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        Drain(InputStream in) {
            this.in = in;
            setDaemon(true);
        }

        @Override
        public void run() {
            try {
                in.transferTo(bytes);
            } catch (IOException e) {
                // the process died; keep what we have
            }
        }

        String text() {
            synchronized (bytes) {
                return bytes.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
