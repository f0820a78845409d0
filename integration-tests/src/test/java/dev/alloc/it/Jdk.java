package dev.alloc.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * A JDK the integration tests fork. The list comes from the {@code alloc.test.jdks} property or
 * the {@code ALLOC_TEST_JDKS} environment variable (comma-separated JDK homes); the JDK running
 * the tests is always included, so a user with one JDK still runs every test.
 */
public record Jdk(Path home, int feature) {
    private static final Pattern VERSION = Pattern.compile("JAVA_VERSION=\"(\\d+)");

    public static List<Jdk> all() {
        Set<Path> homes = new LinkedHashSet<>();
        homes.add(Paths.get(System.getProperty("java.home")).toAbsolutePath().normalize());
        String listed = System.getProperty("alloc.test.jdks", "");
        if (listed.isBlank()) {
            listed = System.getenv().getOrDefault("ALLOC_TEST_JDKS", "");
        }
        for (String home : listed.split(",")) {
            if (!home.isBlank()) {
                homes.add(Paths.get(home.trim()).toAbsolutePath().normalize());
            }
        }
        List<Jdk> jdks = new ArrayList<>();
        for (Path home : homes) {
            if (!Files.isExecutable(home.resolve("bin/java"))) {
                throw new IllegalStateException("not a JDK home (no bin/java): " + home);
            }
            jdks.add(new Jdk(home, featureOf(home)));
        }
        return jdks;
    }

    /**
     * Skips the running test (with the reason and this JDK's version) unless this JDK has at
     * least the given feature version, e.g. {@code jdk.require(22, "FFM is final from JDK 22")}.
     */
    public void require(int minimumFeature, String why) {
        Assumptions.assumeTrue(feature >= minimumFeature, () -> why + "; skipped on JDK " + feature);
    }

    public Path java() {
        return home.resolve("bin/java");
    }

    private static int featureOf(Path home) {
        try {
            Matcher m = VERSION.matcher(Files.readString(home.resolve("release")));
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
        } catch (IOException e) {
            // fall through
        }
        return Runtime.version().feature();
    }

    @Override
    public String toString() {
        return "JDK " + feature;
    }
}
