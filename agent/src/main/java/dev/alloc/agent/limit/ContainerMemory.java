package dev.alloc.agent.limit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/**
 * Reads the memory limit of the container this JVM runs in from its cgroup: v2
 * {@code memory.max}, else v1 {@code memory/memory.limit_in_bytes}. The cgroup named in
 * {@code /proc/self/cgroup} and each parent up to the root are read and the smallest limit wins
 * (a parent's limit binds its children); if that cgroup is not under the root (a container with
 * its own cgroup namespace sees itself at the root), the root alone is read.
 *
 * <p>The root is {@code /sys/fs/cgroup}, or the directory named by the system property
 * {@code alloc.cgroup.root} (tests point it at a fake tree).
 */
public final class ContainerMemory {
    public static final String ROOT_PROPERTY = "alloc.cgroup.root";
    /** v1 writes "no limit" as a huge page-aligned number (2^63 rounded down to a page). */
    private static final long V1_UNLIMITED = 1L << 62;

    /** What was found: {@code limit} is 0 when there is none; {@code source} says where we looked. */
    public record Found(long limit, String source) {
    }

    private final Path root;
    private final Path procSelfCgroup;

    public ContainerMemory(Path root, Path procSelfCgroup) {
        this.root = root;
        this.procSelfCgroup = procSelfCgroup;
    }

    public static ContainerMemory ofThisProcess() {
        return new ContainerMemory(Paths.get(System.getProperty(ROOT_PROPERTY, "/sys/fs/cgroup")),
                Paths.get("/proc/self/cgroup"));
    }

    public Found read() {
        if (Files.isRegularFile(root.resolve("cgroup.controllers"))) {
            return smallest(root, ownPath("0::"), "memory.max", "cgroup v2 memory.max");
        }
        Path v1 = root.resolve("memory");
        if (Files.isRegularFile(v1.resolve("memory.limit_in_bytes"))) {
            return smallest(v1, ownPath(":memory:"), "memory.limit_in_bytes", "cgroup v1 memory.limit_in_bytes");
        }
        return new Found(0, "no cgroup memory controller under " + root);
    }

    private Found smallest(Path hierarchy, String ownPath, String file, String what) {
        Path dir = hierarchy.resolve(ownPath.startsWith("/") ? ownPath.substring(1) : ownPath).normalize();
        if (!dir.startsWith(hierarchy) || !Files.isDirectory(dir)) {
            dir = hierarchy;
        }
        long smallest = 0;
        Path where = null;
        for (Path d = dir; d != null && d.startsWith(hierarchy); d = d.getParent()) {
            long limit = readLimit(d.resolve(file));
            if (limit > 0 && (smallest == 0 || limit < smallest)) {
                smallest = limit;
                where = d.resolve(file);
            }
        }
        return smallest > 0 ? new Found(smallest, what + " " + where)
                : new Found(0, what + " of " + dir + " is unlimited");
    }

    /** The limit in a cgroup file, or 0 for none, unreadable or unlimited. */
    private static long readLimit(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
            if (text.equals("max")) {
                return 0;
            }
            long value = Long.parseLong(text);
            return value >= V1_UNLIMITED ? 0 : Math.max(0, value);
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    /** This process's cgroup path in the hierarchy whose /proc/self/cgroup line contains {@code marker}. */
    private String ownPath(String marker) {
        try {
            List<String> lines = Files.readAllLines(procSelfCgroup, StandardCharsets.US_ASCII);
            for (String line : lines) {
                if (marker.equals("0::") ? line.startsWith(marker) : isMemoryLine(line)) {
                    return line.substring(line.indexOf(':', line.indexOf(':') + 1) + 1);
                }
            }
        } catch (IOException e) {
            // not Linux, or no procfs: read the root only
        }
        return "/";
    }

    /** A v1 line {@code 4:memory:/path} (the controller list may hold several, comma-separated). */
    private static boolean isMemoryLine(String line) {
        String[] parts = line.split(":", 3);
        if (parts.length < 3) {
            return false;
        }
        for (String controller : parts[1].split(",")) {
            if (controller.equals("memory")) {
                return true;
            }
        }
        return false;
    }
}
