package dev.alloc.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One JDK the suite forks: its {@code java} launcher and how to run a small program in it. */
final class Jvm {
    final String label;
    final Path java;
    final Path classPath;
    private String version;

    Jvm(String label, Path java, Path classPath) {
        this.label = label;
        this.java = java;
        this.classPath = classPath;
    }

    /** What a finished process printed. */
    record Run(int exit, String out, String err, long nanos) {
    }

    /** Runs {@code java <jvmArgs> -cp <benchmarks jar> <main> <args>} and times it from start to exit. */
    Run run(List<String> jvmArgs, String main, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(jvmArgs);
        if (main != null) {
            command.add("-cp");
            command.add(classPath.toString());
            command.add(main);
        }
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        long start = System.nanoTime();
        Process process = builder.start();
        process.getOutputStream().close();
        byte[] err = process.getErrorStream().readAllBytes();
        byte[] out = process.getInputStream().readAllBytes();
        int exit = process.waitFor();
        long nanos = System.nanoTime() - start;
        return new Run(exit, new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8), nanos);
    }

    String version() throws IOException, InterruptedException {
        if (version == null) {
            String err = run(List.of("-version"), null).err;
            String[] lines = err.split("\n");
            version = lines.length > 1 ? lines[0].trim() + " (" + lines[1].trim() + ")" : err.trim();
        }
        return version;
    }

    int feature() {
        try {
            Matcher m = Pattern.compile("version \"(\\d+)").matcher(version());
            return m.find() ? Integer.parseInt(m.group(1)) : 0;
        } catch (IOException | InterruptedException e) {
            return 0;
        }
    }

    /**
     * Null when a hello-world starts with these flags, else the first line the JVM or the agent
     * printed (e.g. {@code alloc: strategy=slab is not supported yet}).
     */
    String refusal(List<String> jvmArgs) throws IOException, InterruptedException {
        Run run = run(jvmArgs, "dev.alloc.bench.startup.Hello");
        if (run.exit == 0 && run.out.contains("Hello, world")) {
            return null; // a refused option stops the JVM with status 1 (DESIGN.md)
        }
        for (String line : run.err.split("\n")) {
            if (!line.isBlank()) {
                int valid = line.indexOf("; valid:");
                return (valid > 0 ? line.substring(0, valid) : line).trim();
            }
        }
        return "exit " + run.exit;
    }
}
