package dev.alloc.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the whole suite and writes {@code docs/PERFORMANCE.md}: every allocate+free benchmark in
 * JVMs forked without the agent and with it under each option set, on each JDK, plus the
 * start-up measurements. Ratios compare figures measured in the same run only.
 *
 * <pre>
 *   java -jar benchmarks.jar --agent agent/target/alloc.jar --jdk 17=/path/to/jdk17 --jdk 25=/path/to/jdk25
 *        [--jfc path/alloc.jfc] [--classload-jar benchmarks/target/classload.jar] [--out docs/PERFORMANCE.md]
 *        [--quick] [--only REGEX] [--configs none,track,limit,...] [--threads 1,2] [--rounds N] [--best-iteration]
 *        [--iterations N] [--iteration-millis MS] [--no-startup] [--no-jmh]
 *        [--prof NAME] [--no-prof] [--before-agent LABEL=older/alloc.jar] [--note TEXT]
 * </pre>
 */
public final class Suite {
    static final String[] STRATEGIES = {"slab", "buddy", "tlsf", "arena"};
    static final String LIMIT = "limit=1g";

    /** One benchmark method at some sizes. */
    record Case(Class<?> bench, String size, String method) {
        Case(Class<?> bench, String size) {
            this(bench, size, "allocateFree");
        }

        String label() {
            String name = bench.getSimpleName().replace("Bench", "");
            return switch (name) {
                case "DirectBuffer" -> "allocateDirect " + Sizes.human(size) + " + invokeCleaner";
                case "Unsafe" -> "Unsafe.allocateMemory " + Sizes.human(size) + " + freeMemory";
                case "FfmArena" -> "FFM confined arena " + Sizes.human(size);
                case "Floor" -> switch (method) {
                    case "sharedAtomic" -> "floor: 2 atomic adds, one shared counter";
                    case "ownedAtomic" -> "floor: 2 atomic adds, a counter per thread";
                    case "ownedPlain" -> "floor: 2 ordered plain writes, a cell per thread";
                    default -> "floor: ThreadLocal.get";
                };
                default -> name + " " + size;
            };
        }
    }

    /** An agent option set (or none), the JVM flags it takes, and the cases it is measured on. */
    record Config(String id, String title, List<String> jvmArgs, List<Case> cases, String skipped) {
        Config skip(String why) {
            return new Config(id, title, jvmArgs, cases, why);
        }
    }

    static final List<Case> ALL = List.of(
            new Case(DirectBufferBench.class, "64"), new Case(DirectBufferBench.class, "4096"),
            new Case(DirectBufferBench.class, "1048576"),
            new Case(UnsafeBench.class, "64"), new Case(UnsafeBench.class, "4096"), new Case(UnsafeBench.class, "16384"),
            new Case(FfmArenaBench.class, "64"), new Case(FfmArenaBench.class, "4096"),
            new Case(FloorBench.class, "64", "sharedAtomic"), new Case(FloorBench.class, "64", "ownedAtomic"),
            new Case(FloorBench.class, "64", "ownedPlain"), new Case(FloorBench.class, "64", "threadLocalGet"));
    static final List<Case> GOAL_CASES = List.of(new Case(DirectBufferBench.class, "4096"),
            new Case(UnsafeBench.class, "64"));
    /** The pools' goals (issue 11): Unsafe pairs of 64 B, 4 KiB and 16 KiB, and allocateDirect 4 KiB. */
    static final List<Case> STRATEGY_CASES = List.of(new Case(DirectBufferBench.class, "4096"),
            new Case(UnsafeBench.class, "64"), new Case(UnsafeBench.class, "4096"), new Case(UnsafeBench.class, "16384"));

    public static void main(String[] args) throws Exception {
        Arguments a = Arguments.parse(args);
        Results results = new Results();
        // Another JMH run on this machine holds JMH's lock: measure anyway (the deadline is
        // ours, not theirs) and say so in the report.
        results.otherJmh = Machine.otherJmhRunning();
        System.setProperty("jmh.ignoreLock", "true");
        String loadBefore = Machine.loadAverage();
        long started = System.nanoTime();
        Path benchmarksJar = Path.of(Suite.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        for (Map.Entry<String, String> jdk : a.jdks.entrySet()) {
            Jvm jvm = new Jvm(jdk.getKey(), Path.of(jdk.getValue(), "bin", "java"), benchmarksJar);
            results.jdkVersions.put(jvm.label, jvm.version());
            List<Config> configs = configs(a, jvm);
            results.configs.putIfAbsent(jvm.label, configs);
            if (a.jmh) {
                // Interleaved: every configuration of one case and thread count runs back to
                // back, so a change in the machine's load hits them alike; with --rounds N the
                // whole sequence repeats and each figure is its best round.
                for (Config config : configs) {
                    if (config.skipped != null) {
                        System.out.println("[" + jvm.label + "] " + config.title + ": skipped, " + config.skipped);
                    }
                }
                for (int round = 0; round < a.rounds; round++) {
                    for (Case c : ALL) {
                        if (c.bench == FfmArenaBench.class && !(jvm.feature() >= 22
                                && FfmArenaBench.available(Suite.class.getClassLoader()))) {
                            continue;
                        }
                        if (a.only != null && !a.only.matcher(c.label()).find()) {
                            continue;
                        }
                        for (int threads : a.threads) {
                            for (Config config : configs) {
                                if (config.skipped == null && config.cases.contains(c)) {
                                    runOne(a, jvm, config, c, threads, results);
                                }
                            }
                        }
                    }
                }
            }
            if (a.startup) {
                results.startup.put(jvm.label, Startup.measure(jvm, a, results));
            }
        }
        results.minutes = (System.nanoTime() - started) / 60e9;
        results.loadBefore = loadBefore;
        results.loadAfter = Machine.loadAverage();
        String report = Report.write(a, results);
        if (a.out != null) {
            report += Report.keptAnalysis(a.out);
            Files.createDirectories(a.out.toAbsolutePath().getParent());
            Files.writeString(a.out, report, StandardCharsets.UTF_8);
            System.out.println("wrote " + a.out);
        } else {
            System.out.println(report);
        }
    }

    static List<Config> configs(Arguments a, Jvm jvm) throws IOException, InterruptedException {
        String agent = "-javaagent:" + a.agent;
        List<Config> all = new ArrayList<>();
        all.add(new Config("none", "no agent", List.of(), ALL, null));
        List<Case> tracked = ALL.subList(0, ALL.size() - 4); // the floors are the same with or without the agent
        all.add(new Config("track", "track only (sites=off)", List.of(agent + "=sites=off"), tracked, null));
        all.add(new Config("limit", "limit + sites (" + LIMIT + ")", List.of(agent + "=" + LIMIT), tracked, null));
        if (a.beforeAgent != null) {
            all.add(new Config("before", "limit + sites, older agent (" + a.beforeLabel + ")",
                    List.of("-javaagent:" + a.beforeAgent + "=" + LIMIT), GOAL_CASES, null));
        }
        // The agent's own jfr= option (a recording on alloc.jfc) once it exists, else the same
        // recording started by the JVM from the source tree's alloc.jfc, else not measured.
        Path jfrFile = a.work.resolve("bench-" + jvm.label + ".jfr");
        Config jfr = new Config("jfr", "limit + sites + JFR (jfr=, alloc.jfc)",
                List.of(agent + "=" + LIMIT + ",jfr=" + jfrFile), GOAL_CASES, null);
        String refused = jvm.refusal(jfr.jvmArgs);
        if (refused != null) {
            jfr = new Config("jfr", "limit + sites + JFR (alloc.jfc)", List.of(agent + "=" + LIMIT,
                    "-XX:StartFlightRecording=settings=" + a.jfc + ",filename=" + jfrFile), GOAL_CASES, null);
            if (a.jfc == null || !Files.isRegularFile(a.jfc)) {
                jfr = jfr.skip("the agent refuses jfr= (" + refused + ") and alloc.jfc was not found (" + a.jfc + ")");
            } else {
                String alsoRefused = jvm.refusal(jfr.jvmArgs);
                jfr = alsoRefused == null ? jfr : jfr.skip(alsoRefused);
            }
        }
        all.add(jfr);
        for (String strategy : STRATEGIES) {
            Config pool = new Config(strategy, "limit + strategy=" + strategy,
                    List.of(agent + "=" + LIMIT + ",strategy=" + strategy), STRATEGY_CASES, null);
            String poolRefused = jvm.refusal(pool.jvmArgs);
            all.add(poolRefused == null ? pool : pool.skip(poolRefused));
        }
        List<Config> chosen = new ArrayList<>();
        for (Config c : all) {
            if (a.configs == null || a.configs.contains(c.id)) {
                chosen.add(c);
            }
        }
        return chosen;
    }

    private static void runOne(Arguments a, Jvm jvm, Config config, Case c, int threads, Results results) {
        String key = Results.key(jvm.label, config.id, c, threads);
        List<String> jvmArgs = new ArrayList<>(List.of("-Xms512m", "-Xmx512m"));
        jvmArgs.addAll(config.jvmArgs);
        Path log = a.work.resolve("jmh-" + jvm.label + "-" + config.id + "-" + c.bench.getSimpleName() + "-" + c.method + "-" + c.size
                + "-t" + threads + ".log");
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include("^" + Pattern.quote(c.bench.getName() + "." + c.method) + "$")
                .param("size", c.size)
                .threads(threads)
                .forks(1)
                .warmupIterations(a.warmups).warmupTime(TimeValue.milliseconds(a.iterationMillis))
                .measurementIterations(a.iterations).measurementTime(TimeValue.milliseconds(a.iterationMillis))
                .jvm(jvm.java.toString())
                .jvmArgs(jvmArgs.toArray(new String[0]))
                .shouldFailOnError(true)
                .output(log.toString());
        for (String profiler : a.profilers) {
            options.addProfiler(profiler);
        }
        long t0 = System.nanoTime();
        try {
            for (RunResult run : new Runner(options.build()).run()) {
                Result<?> primary = run.getPrimaryResult();
                double[] score = {primary.getScore(), primary.getScoreError()};
                if (a.bestIteration) {
                    double best = Double.MAX_VALUE;
                    for (org.openjdk.jmh.results.BenchmarkResult iterations : run.getBenchmarkResults()) {
                        for (org.openjdk.jmh.results.IterationResult iteration : iterations.getIterationResults()) {
                            best = Math.min(best, iteration.getPrimaryResult().getScore());
                        }
                    }
                    score = new double[] {best, primary.getScore() - best}; // ± becomes the mean's distance
                }
                results.scores.merge(key, score, (best, now) -> now[0] < best[0] ? now : best);
                for (Map.Entry<String, Result> secondary : run.getSecondaryResults().entrySet()) {
                    results.secondary.computeIfAbsent(key, k -> new LinkedHashMap<>())
                            .put(secondary.getKey(), secondary.getValue().getScore());
                }
            }
            double[] s = results.scores.get(key);
            System.out.printf("[%s] %-28s %-45s t=%d  %10.2f ± %6.2f ns  (%.0f s)%n", jvm.label, config.title,
                    c.label(), threads, s[0], s[1], (System.nanoTime() - t0) / 1e9);
        } catch (RunnerException | RuntimeException e) {
            results.failures.put(key, String.valueOf(e.getMessage()));
            System.out.printf("[%s] %-28s %-45s t=%d  FAILED, see %s%n", jvm.label, config.title, c.label(), threads, log);
        }
    }

    /** Parsed command line. */
    static final class Arguments {
        Path agent;
        /** An older alloc.jar to compare with (limit + sites, goal cases only). */
        Path beforeAgent;
        String beforeLabel = "";
        Path jfc;
        Path classloadJar;
        Path out;
        Path work = Path.of(System.getProperty("java.io.tmpdir"), "alloc-bench");
        final Map<String, String> jdks = new LinkedHashMap<>();
        List<String> configs;
        List<Integer> threads = List.of(1, 2);
        Pattern only;
        boolean jmh = true;
        boolean startup = true;
        int warmups = 3;
        /** How many times the interleaved sequence runs; each figure is its best round. */
        int rounds = 1;
        /**
         * Report each run's fastest measurement iteration instead of the mean (then "± x" is how
         * far the mean lay above it): on a machine loaded by other work the fastest iteration is
         * the one least disturbed.
         */
        boolean bestIteration;
        int iterations = 6;
        int iterationMillis = 500;
        int helloRuns = 10;
        int classloadRuns = 6;
        /** JMH's gc profiler by default: it proves the agent adds no heap allocation per pair. */
        final List<String> profilers = new ArrayList<>(List.of("gc"));
        String note = "";

        static Arguments parse(String[] args) throws IOException {
            Arguments a = new Arguments();
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                switch (arg) {
                    case "--agent" -> a.agent = Path.of(args[++i]).toAbsolutePath();
                    case "--jfc" -> a.jfc = Path.of(args[++i]).toAbsolutePath();
                    case "--before-agent" -> {
                        String[] labelPath = args[++i].split("=", 2);
                        a.beforeLabel = labelPath[0];
                        a.beforeAgent = Path.of(labelPath[1]).toAbsolutePath();
                    }
                    case "--classload-jar" -> a.classloadJar = Path.of(args[++i]).toAbsolutePath();
                    case "--out" -> a.out = Path.of(args[++i]);
                    case "--work" -> a.work = Path.of(args[++i]).toAbsolutePath();
                    case "--jdk" -> {
                        String[] labelPath = args[++i].split("=", 2);
                        a.jdks.put(labelPath[0], labelPath[1]);
                    }
                    case "--configs" -> a.configs = List.of(args[++i].split(","));
                    case "--threads" -> {
                        List<Integer> list = new ArrayList<>();
                        for (String t : args[++i].split(",")) {
                            list.add(Integer.parseInt(t));
                        }
                        a.threads = list;
                    }
                    case "--only" -> a.only = Pattern.compile(args[++i]);
                    case "--no-jmh" -> a.jmh = false;
                    case "--rounds" -> a.rounds = Integer.parseInt(args[++i]);
                    case "--best-iteration" -> a.bestIteration = true;
                    case "--iterations" -> a.iterations = Integer.parseInt(args[++i]);
                    case "--iteration-millis" -> a.iterationMillis = Integer.parseInt(args[++i]);
                    case "--no-startup" -> a.startup = false;
                    case "--prof" -> a.profilers.add(args[++i]);
                    case "--no-prof" -> a.profilers.clear();
                    case "--note" -> a.note = args[++i];
                    case "--quick" -> {
                        a.warmups = 2;
                        a.iterations = 3;
                        a.iterationMillis = 300;
                        a.helloRuns = 3;
                        a.classloadRuns = 2;
                    }
                    default -> throw new IllegalArgumentException("unknown argument " + arg + "; see " + Suite.class.getName());
                }
            }
            if (a.agent == null || !Files.isRegularFile(a.agent)) {
                throw new IllegalArgumentException("--agent must name the built alloc.jar, got " + a.agent);
            }
            if (a.jdks.isEmpty()) {
                a.jdks.put(String.valueOf(Runtime.version().feature()), System.getProperty("java.home"));
            }
            Files.createDirectories(a.work);
            return a;
        }
    }

    /** Sizes in words. */
    static final class Sizes {
        private Sizes() {
        }

        static String human(String bytes) {
            long n = Long.parseLong(bytes);
            return n >= 1 << 20 && n % (1 << 20) == 0 ? n / (1 << 20) + " MiB"
                    : n >= 1024 && n % 1024 == 0 ? n / 1024 + " KiB" : n + " B";
        }
    }

    /** What else the machine was doing. */
    static final class Machine {
        private Machine() {
        }

        static String loadAverage() {
            try {
                return Files.readString(Path.of("/proc/loadavg")).trim();
            } catch (IOException e) {
                return "unknown";
            }
        }

        static boolean otherJmhRunning() {
            Path lock = Path.of(System.getProperty("java.io.tmpdir"), "jmh.lock");
            try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(lock,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE)) {
                java.nio.channels.FileLock held = channel.tryLock();
                if (held == null) {
                    return true;
                }
                held.release();
                return false;
            } catch (IOException | java.nio.channels.OverlappingFileLockException e) {
                return true;
            }
        }

        static String cpu() {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                    if (line.startsWith("model name")) {
                        return line.substring(line.indexOf(':') + 1).trim();
                    }
                }
            } catch (IOException e) {
                // fall through
            }
            return System.getProperty("os.arch");
        }
    }
}
