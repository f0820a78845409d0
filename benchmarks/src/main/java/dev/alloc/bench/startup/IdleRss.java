package dev.alloc.bench.startup;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An idle JVM: sleeps {@code args[0]} ms (4500 by default), then prints its resident set size
 * ({@code VmRSS}, {@code RssAnon} from {@code /proc/self/status}) and thread count. Nothing before
 * the sleep, so what it reports is the JVM's and the agent's own footprint.
 */
public final class IdleRss {
    private IdleRss() {
    }

    public static void main(String[] args) throws Exception {
        Thread.sleep(args.length > 0 ? Long.parseLong(args[0]) : 4500);
        StringBuilder out = new StringBuilder();
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:") || line.startsWith("RssAnon:") || line.startsWith("Threads:")) {
                out.append(line.replaceAll("\\s+", " ").replace(" kB", "")).append(' ');
            }
        }
        System.out.println(out.toString().trim());
    }
}
