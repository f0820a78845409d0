package dev.alloc.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Everything one run of the suite measured. */
final class Results {
    final Map<String, String> jdkVersions = new LinkedHashMap<>();
    final Map<String, List<Suite.Config>> configs = new LinkedHashMap<>();
    /** key → {score, error} in ns per allocate+free. */
    final Map<String, double[]> scores = new LinkedHashMap<>();
    final Map<String, Map<String, Double>> secondary = new LinkedHashMap<>();
    final Map<String, String> failures = new LinkedHashMap<>();
    final Map<String, Startup.Figures> startup = new LinkedHashMap<>();
    double minutes;
    boolean otherJmh;
    String loadBefore;
    String loadAfter;

    static String key(String jdk, String config, Suite.Case c, int threads) {
        return jdk + "|" + config + "|" + c.bench().getSimpleName() + "." + c.method() + "|" + c.size() + "|" + threads;
    }

    double[] score(String jdk, String config, Suite.Case c, int threads) {
        return scores.get(key(jdk, config, c, threads));
    }
}
