package dev.alloc.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The agent's own cost (issue 15): idle resident set size, hello-world wall and CPU time, and
 * the time to load a large jar's classes through a fresh loader, each without an agent, with an
 * agent that does nothing (what {@code -javaagent} itself costs) and with {@code alloc.jar=limit=1g},
 * on every JDK given, in one run. The configurations alternate inside each round so that drift
 * and other load hit them alike; the figures are medians.
 *
 * <pre>
 *   java -cp benchmarks/target/benchmarks.jar dev.alloc.bench.LightAgent --agent agent/target/alloc.jar
 *        --jdk 17=/usr/lib/jvm/java-17-openjdk-amd64 --jdk 25=/usr/lib/jvm/temurin-25-jdk-amd64
 *        [--classload-jar benchmarks/target/classload.jar] [--runs 8] [--idle-runs 3] [--out file.md]
 *        [--before-agent another/alloc.jar]
 * </pre>
 *
 * {@code --before-agent} adds a fourth configuration, interleaved with the others: another build of
 * the agent with the same options, to compare two versions in one run.
 */
public final class LightAgent {
    private static final Pattern RSS = Pattern.compile("VmRSS: (\\d+) RssAnon: (\\d+) Threads: (\\d+)");
    private static final Pattern CPU = Pattern.compile("cpuMillis=(\\d+)");
    private static final Pattern LOADED = Pattern.compile("classes=(\\d+) failed=(\\d+) nanos=(\\d+)");
    private static final String[] CONFIGS = {"none", "empty agent", "alloc limit=1g"};

    private LightAgent() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> jdks = new LinkedHashMap<>();
        String agent = null;
        String classload = null;
        String before = null;
        int runs = 8;
        int idleRuns = 3;
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--agent" -> agent = args[++i];
                case "--classload-jar" -> classload = args[++i];
                case "--before-agent" -> before = args[++i];
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--idle-runs" -> idleRuns = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--jdk" -> {
                    String[] kv = args[++i].split("=", 2);
                    jdks.put(kv[0], kv[1]);
                }
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (agent == null || jdks.isEmpty()) {
            throw new IllegalArgumentException("give --agent <alloc.jar> and at least one --jdk <label>=<home>");
        }
        Path benchmarksJar = Path.of(LightAgent.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path empty = emptyAgentJar();
        List<List<String>> flags = new ArrayList<>(List.of(List.of(), List.of("-javaagent:" + empty),
                List.of("-javaagent:" + agent + "=limit=1g")));
        if (before != null) {
            flags.add(List.of("-javaagent:" + before + "=limit=1g"));
        }
        int n = flags.size();
        String loadBefore = Suite.Machine.loadAverage();
        long started = System.nanoTime();
        StringBuilder md = new StringBuilder();
        md.append("| JDK | figure | none | empty agent | alloc limit=1g | alloc − none | alloc ÷ none |")
                .append(before == null ? "\n" : " alloc before | before − none | before ÷ none |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|").append(before == null ? "\n" : "---:|---:|---:|\n");
        for (Map.Entry<String, String> jdk : jdks.entrySet()) {
            Jvm jvm = new Jvm(jdk.getKey(), Path.of(jdk.getValue(), "bin", "java"), benchmarksJar);
            double[][] rss = new double[n][idleRuns];
            double[][] anon = new double[n][idleRuns];
            double[][] threads = new double[n][idleRuns];
            double[][] wall = new double[n][runs];
            double[][] cpu = new double[n][runs];
            double[][] load = new double[n][classload == null ? 0 : runs];
            for (int c = 0; c < n; c++) {
                jvm.run(withXmx(flags.get(c)), "dev.alloc.bench.startup.HelloCpu"); // page cache and CDS warm
            }
            for (int i = 0; i < idleRuns; i++) {
                for (int c = 0; c < n; c++) {
                    Matcher m = matched(RSS, jvm.run(withXmx(flags.get(c)), "dev.alloc.bench.startup.IdleRss"));
                    rss[c][i] = Long.parseLong(m.group(1)) / 1024.0;
                    anon[c][i] = Long.parseLong(m.group(2)) / 1024.0;
                    threads[c][i] = Long.parseLong(m.group(3));
                }
            }
            for (int i = 0; i < runs; i++) {
                for (int c = 0; c < n; c++) {
                    Jvm.Run run = jvm.run(withXmx(flags.get(c)), "dev.alloc.bench.startup.HelloCpu");
                    wall[c][i] = run.nanos() / 1e6;
                    cpu[c][i] = Long.parseLong(matched(CPU, run).group(1));
                    if (classload != null) {
                        load[c][i] = Long.parseLong(matched(LOADED,
                                jvm.run(flags.get(c), "dev.alloc.bench.startup.LoadAllClasses", classload)).group(3)) / 1e6;
                    }
                }
            }
            row(md, jvm.label, "idle RSS after 4.5 s, MiB (-Xmx64m)", rss, 1);
            row(md, jvm.label, "idle anonymous RSS, MiB", anon, 1);
            row(md, jvm.label, "idle threads", threads, 0);
            row(md, jvm.label, "hello world wall, ms", wall, 0);
            row(md, jvm.label, "hello world CPU (all threads), ms", cpu, 0);
            if (classload != null) {
                row(md, jvm.label, "load " + Path.of(classload).getFileName() + "'s classes, ms", load, 0);
            }
            System.out.print(md);
        }
        md.append("\nMedians of ").append(idleRuns).append(" idle runs and ").append(runs)
                .append(" hello-world and class-loading runs per configuration, interleaved; ")
                .append(String.format(Locale.ROOT, "%.1f minutes", (System.nanoTime() - started) / 60e9))
                .append("; load average before ").append(loadBefore).append(", after ").append(Suite.Machine.loadAverage())
                .append(" on ").append(Runtime.getRuntime().availableProcessors()).append(" CPUs.\n");
        if (out != null) {
            Files.writeString(out, md.toString(), StandardCharsets.UTF_8);
            System.out.println("wrote " + out);
        } else {
            System.out.println(md);
        }
    }

    private static List<String> withXmx(List<String> flags) {
        List<String> all = new ArrayList<>(flags);
        all.add(0, "-Xmx64m");
        return all;
    }

    private static Matcher matched(Pattern pattern, Jvm.Run run) {
        Matcher m = pattern.matcher(run.out());
        if (run.exit() != 0 || !m.find()) {
            throw new IllegalStateException("run failed (exit " + run.exit() + "): " + run.out() + run.err());
        }
        return m;
    }

    private static void row(StringBuilder md, String jdk, String figure, double[][] samples, int decimals) {
        double none = Startup.median(samples[0]);
        double empty = Startup.median(samples[1]);
        double alloc = Startup.median(samples[2]);
        String f = "%." + decimals + "f";
        md.append("| ").append(jdk).append(" | ").append(figure).append(" | ")
                .append(String.format(Locale.ROOT, f, none)).append(" | ")
                .append(String.format(Locale.ROOT, f, empty)).append(" | ")
                .append(String.format(Locale.ROOT, f, alloc)).append(" | ")
                .append(String.format(Locale.ROOT, "%+." + decimals + "f", alloc - none)).append(" | ")
                .append(String.format(Locale.ROOT, "×%.2f", alloc / none)).append(" |");
        if (samples.length > 3) {
            double before = Startup.median(samples[3]);
            md.append(' ').append(String.format(Locale.ROOT, f, before)).append(" | ")
                    .append(String.format(Locale.ROOT, "%+." + decimals + "f", before - none)).append(" | ")
                    .append(String.format(Locale.ROOT, "×%.2f", before / none)).append(" |");
        }
        md.append('\n');
    }

    /** A jar whose manifest names {@link dev.alloc.bench.startup.EmptyAgent} (found on the class path). */
    private static Path emptyAgentJar() throws IOException {
        Path jar = Files.createTempFile("empty-agent", ".jar");
        jar.toFile().deleteOnExit();
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().putValue("Premain-Class", "dev.alloc.bench.startup.EmptyAgent");
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream ignored = new JarOutputStream(file, manifest)) {
            return jar;
        }
    }
}
