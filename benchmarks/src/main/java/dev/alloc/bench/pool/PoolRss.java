package dev.alloc.bench.pool;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The RSS experiment of issue 5: runs {@link PoolRssChurn} in a fresh JVM once with the system
 * allocator (no agent) and once per pool strategy, and prints a Markdown table of peak RSS per
 * live byte and of what stays resident after everything is freed.
 *
 * <p>Usage: {@code PoolRss <java> <alloc.jar> <seconds> <liveMiB>}; the class path of this JVM
 * is the forks' class path.
 */
public final class PoolRss {
    private static final String[] CONFIGS = {"system", "slab", "buddy", "tlsf", "arena"};

    public static void main(String[] args) throws Exception {
        String java = args[0];
        String agentJar = args[1];
        String seconds = args[2];
        String liveMiB = args[3];
        System.out.println("| allocator | mean live | peak live | peak RSS | peak RSS ÷ mean live | peak RSS ÷ peak live | "
                + "RSS after all freed | after ÷ peak |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (String config : CONFIGS) {
            List<String> command = new ArrayList<>();
            command.add(java);
            command.add("-Xms128m");
            command.add("-Xmx128m");
            command.add("-XX:+AlwaysPreTouch");
            command.add("-XX:MaxDirectMemorySize=2g");
            if (!config.equals("system")) {
                command.add("-javaagent:" + agentJar + "=strategy=" + config + ",pool=512m,log=quiet");
            }
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(PoolRssChurn.class.getName());
            command.add(seconds);
            command.add(liveMiB);
            String result = run(command);
            System.out.println(row(config, result));
        }
    }

    private static String run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT)
                .redirectInput(new File("/dev/null")).start();
        String result = null;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith("RESULT ")) {
                    result = line;
                }
            }
        }
        if (process.waitFor() != 0 || result == null) {
            throw new IllegalStateException("the churn failed: " + command);
        }
        return result;
    }

    private static String row(String config, String result) {
        long meanLive = field(result, "meanLive");
        long maxLive = field(result, "maxLive");
        long peak = field(result, "peakRss");
        long after = field(result, "afterRss");
        return String.format(Locale.ROOT, "| %s | %.1f MiB | %.1f MiB | %.1f MiB | %.2f | %.2f | %.1f MiB | %.1f%% |",
                config, mib(meanLive), mib(maxLive), mib(peak), (double) peak / meanLive, (double) peak / maxLive,
                mib(after), 100.0 * after / peak);
    }

    private static long field(String result, String name) {
        for (String part : result.split(" ")) {
            if (part.startsWith(name + "=")) {
                return Long.parseLong(part.substring(name.length() + 1));
            }
        }
        throw new IllegalArgumentException("no " + name + " in " + result);
    }

    private static double mib(long bytes) {
        return bytes / 1048576.0;
    }
}
