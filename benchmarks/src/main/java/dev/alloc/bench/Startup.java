package dev.alloc.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Start-up costs: the wall time {@code -javaagent:alloc.jar} adds to a hello-world (median of
 * N runs, alternating with and without the agent so that drift hits both alike), and the time
 * to load every class of a large jar with and without the agent (measured inside the process,
 * so JVM start-up is not counted). Also collects what the JVM prints with the agent that it
 * does not print without it (warnings).
 */
final class Startup {
    private static final String HELLO = "dev.alloc.bench.startup.Hello";
    private static final String LOAD_ALL = "dev.alloc.bench.startup.LoadAllClasses";
    private static final Pattern LOADED = Pattern.compile("classes=(\\d+) failed=(\\d+) nanos=(\\d+)");

    record Figures(double helloWithout, double helloWith, int helloRuns, double loadWithout, double loadWith,
                   int loadRuns, int classes, int failed, List<String> addedLines) {
    }

    private Startup() {
    }

    static Figures measure(Jvm jvm, Suite.Arguments a, Results results) throws IOException, InterruptedException {
        List<String> agent = List.of("-javaagent:" + a.agent);
        List<String> none = List.of();
        // One unmeasured run each: page cache and CDS archive warm for both.
        Jvm.Run plain = jvm.run(none, HELLO);
        Jvm.Run withAgent = jvm.run(agent, HELLO);
        Set<String> added = new LinkedHashSet<>(Arrays.asList(withAgent.err().split("\n")));
        added.removeAll(Arrays.asList(plain.err().split("\n")));
        added.removeIf(String::isBlank);
        double[] without = new double[a.helloRuns];
        double[] with = new double[a.helloRuns];
        for (int i = 0; i < a.helloRuns; i++) {
            without[i] = jvm.run(none, HELLO).nanos() / 1e6;
            with[i] = jvm.run(agent, HELLO).nanos() / 1e6;
        }
        double loadWithout = Double.NaN;
        double loadWith = Double.NaN;
        int classes = 0;
        int failed = 0;
        if (a.classloadJar != null) {
            double[] lw = new double[a.classloadRuns];
            double[] la = new double[a.classloadRuns];
            for (int i = 0; i < a.classloadRuns; i++) {
                int[] counts = new int[2];
                lw[i] = loadMillis(jvm.run(none, LOAD_ALL, a.classloadJar.toString()), counts);
                la[i] = loadMillis(jvm.run(agent, LOAD_ALL, a.classloadJar.toString()), counts);
                classes = counts[0];
                failed = counts[1];
            }
            loadWithout = median(lw);
            loadWith = median(la);
        }
        Figures f = new Figures(median(without), median(with), a.helloRuns, loadWithout, loadWith, a.classloadRuns,
                classes, failed, new ArrayList<>(added));
        System.out.printf("[%s] hello-world %.0f ms -> %.0f ms with the agent; loading %d classes %.0f ms -> %.0f ms; "
                + "printed only with the agent: %s%n", jvm.label, f.helloWithout, f.helloWith, classes, loadWithout,
                loadWith, added);
        return f;
    }

    private static double loadMillis(Jvm.Run run, int[] counts) {
        Matcher m = LOADED.matcher(run.out());
        if (run.exit() != 0 || !m.find()) {
            throw new IllegalStateException("class-loading run failed: " + run.err());
        }
        counts[0] = Integer.parseInt(m.group(1));
        counts[1] = Integer.parseInt(m.group(2));
        return Long.parseLong(m.group(3)) / 1e6;
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
