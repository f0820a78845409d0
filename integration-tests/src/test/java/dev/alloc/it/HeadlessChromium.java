package dev.alloc.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Real headless Chromium for checking the report's HTML page. Debian's {@code chromium} package
 * is installed with apt-get when it is missing (once per test run, as root, non-interactively);
 * if that is impossible the test is skipped with the reason, never passed silently.
 */
final class HeadlessChromium {
    private static final String[] CANDIDATES = {"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"};
    private static Path binary;
    private static String unavailable;

    private HeadlessChromium() {
    }

    /** The browser, installing it if needed; skips the calling test if it cannot be had. */
    static synchronized Path require() {
        if (binary == null && unavailable == null) {
            binary = find();
            if (binary == null) {
                unavailable = install();
                binary = find();
                if (binary == null && unavailable == null) {
                    unavailable = "apt-get install chromium finished but no chromium binary was found";
                }
            }
        }
        Assumptions.assumeTrue(binary != null, "headless Chromium unavailable: " + unavailable);
        return binary;
    }

    private static Path find() {
        for (String candidate : CANDIDATES) {
            if (Files.isExecutable(Paths.get(candidate))) {
                return Paths.get(candidate);
            }
        }
        return null;
    }

    /** Returns null on success, else why it failed. */
    private static String install() {
        if (!Files.isExecutable(Paths.get("/usr/bin/apt-get"))) {
            return "no chromium and no apt-get to install it";
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            return "no chromium, and installing it needs root (run: sudo apt-get install chromium)";
        }
        // Try the package lists as they are first (fast); refresh them only if that fails.
        String first = run(List.of("apt-get", "install", "-y", "--no-install-recommends", "chromium"), 600);
        if (first == null) {
            return null;
        }
        String update = run(List.of("apt-get", "update"), 300);
        if (update != null) {
            return "apt-get update failed: " + update;
        }
        return run(List.of("apt-get", "install", "-y", "--no-install-recommends", "chromium"), 600);
    }

    private static String run(List<String> command, long timeoutSeconds) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().put("DEBIAN_FRONTEND", "noninteractive");
            Path log = Files.createTempFile("alloc-apt", ".log");
            Process process = builder.redirectOutput(log.toFile()).start();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return String.join(" ", command) + " timed out";
            }
            if (process.exitValue() != 0) {
                List<String> lines = Files.readAllLines(log);
                return String.join(" ", command) + " exited " + process.exitValue() + ": "
                        + String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
            }
            return null;
        } catch (IOException e) {
            return e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** What the browser printed: on standard output (the DOM for --dump-dom), and its log on standard error. */
    record Run(String stdout, String log) {
    }

    /** Loads {@code page} from disk, lets its scripts run, and returns the DOM after them. */
    static Run dumpDom(Path page) {
        return launch(page, "--dump-dom");
    }

    /** As {@link #dumpDom(Path)}, laid out in a window of this size. */
    static Run dumpDom(Path page, int width, int height) {
        return launch(page, "--dump-dom", "--window-size=" + width + "," + height);
    }

    /** Takes a screenshot of {@code page} into {@code png}. */
    static Run screenshot(Path page, Path png, int width, int height) {
        return launch(page, "--screenshot=" + png, "--window-size=" + width + "," + height, "--hide-scrollbars");
    }

    private static Run launch(Path page, String... mode) {
        Path browser = require();
        try {
            Path profile = Files.createTempDirectory("alloc-chromium-profile");
            List<String> command = new ArrayList<>(List.of(browser.toString(), "--headless", "--no-sandbox",
                    "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--no-first-run", "--disable-dev-shm-usage", "--user-data-dir=" + profile,
                    "--enable-logging=stderr", "--v=0"));
            command.addAll(List.of(mode));
            command.add(page.toUri().toString());
            Path out = Files.createTempFile("alloc-chromium", ".out");
            Path err = Files.createTempFile("alloc-chromium", ".err");
            Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError("chromium timed out: " + command);
            }
            return new Run(Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError("cannot run chromium: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
