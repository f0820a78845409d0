package dev.alloc.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.alloc.it.programs.HoldDirectBuffers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code limit=auto} against fake cgroup v1 and v2 trees ({@code -Dalloc.cgroup.root}) (issue 7). */
class AutoLimitTest {
    private static Path v2(String name, String memoryMax) throws IOException {
        Path root = ForkedJvm.workDir("cgroup-" + name);
        Files.writeString(root.resolve("cgroup.controllers"), "cpu memory pids\n");
        Files.writeString(root.resolve("memory.max"), memoryMax + "\n");
        return root;
    }

    private static Path v1(String name, String limitInBytes) throws IOException {
        Path root = ForkedJvm.workDir("cgroup-" + name);
        Files.createDirectories(root.resolve("memory"));
        Files.writeString(root.resolve("memory/memory.limit_in_bytes"), limitInBytes + "\n");
        return root;
    }

    private static ForkedJvm.Result hold(Jdk jdk, Path root, String options, String heap) {
        return ForkedJvm.on(jdk).agent(options).jvmArgs("-Dalloc.cgroup.root=" + root, "-XX:+UseG1GC", "-XX:MaxDirectMemorySize=1g", heap)
                .main(HoldDirectBuffers.class, "1000", "1048576").run();
    }

    @EveryJdk
    void cgroupV2MemoryMaxLessHeapLessHeadroom(Jdk jdk) throws IOException {
        Path root = v2("v2-" + jdk.feature(), "402653184"); // 384 MiB
        ForkedJvm.Result r = hold(jdk, root, "limit=auto", "-Xmx128m");
        assertEquals(0, r.exitCode(), r.toString());
        // (384 MiB - 128 MiB) * 75% = 192 MiB
        assertTrue(r.stderr().contains("alloc: started: limit 192.0 MiB (auto: container 384.0 MiB (cgroup v2 memory.max "
                + root.resolve("memory.max") + ") - max heap 128.0 MiB = 256.0 MiB, less 25% headroom = 201326592 bytes), "
                + "policy throw"), r.toString());
        assertTrue(r.stdout().startsWith("held 192\n"), r.toString());
    }

    @EveryJdk
    void cgroupV1LimitInBytesWithHeadroom(Jdk jdk) throws IOException {
        Path root = v1("v1-" + jdk.feature(), "335544320"); // 320 MiB
        ForkedJvm.Result r = hold(jdk, root, "limit=auto,headroom=50%", "-Xmx64m");
        assertEquals(0, r.exitCode(), r.toString());
        // (320 MiB - 64 MiB) * 50% = 128 MiB
        assertTrue(r.stderr().contains("alloc: started: limit 128.0 MiB (auto: container 320.0 MiB (cgroup v1 "
                + "memory.limit_in_bytes " + root.resolve("memory/memory.limit_in_bytes") + ") - max heap 64.0 MiB = "
                + "256.0 MiB, less 50% headroom = 134217728 bytes)"), r.toString());
        assertTrue(r.stdout().startsWith("held 128\n"), r.toString());
    }

    @EveryJdk
    void noContainerLimitMeansTrackingOnly(Jdk jdk) throws IOException {
        Path v2 = v2("unlimited-v2-" + jdk.feature(), "max");
        ForkedJvm.Result r = hold(jdk, v2, "limit=auto", "-Xmx64m");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stderr().contains("alloc: started: limit none (auto: no container memory limit found (cgroup v2 "
                + "memory.max of " + v2 + " is unlimited); tracking only), strategy system"), r.toString());
        assertEquals("held 1000\n", r.stdout());

        Path v1 = v1("unlimited-v1-" + jdk.feature(), "9223372036854771712");
        ForkedJvm.Result r1 = ForkedJvm.on(jdk).agent("limit=auto").jvmArgs("-Dalloc.cgroup.root=" + v1, "-XX:MaxDirectMemorySize=1g")
                .main(HoldDirectBuffers.class, "3", "1048576").run();
        assertTrue(r1.stderr().contains("alloc: started: limit none (auto: no container memory limit found (cgroup v1 "
                + "memory.limit_in_bytes of " + v1.resolve("memory") + " is unlimited); tracking only)"), r1.toString());
    }

    @EveryJdk
    void aContainerNoLargerThanTheHeapLeavesNoLimit(Jdk jdk) throws IOException {
        Path root = v2("small-" + jdk.feature(), "104857600"); // 100 MiB
        ForkedJvm.Result r = ForkedJvm.on(jdk).agent("limit=auto").jvmArgs("-Dalloc.cgroup.root=" + root, "-XX:+UseG1GC", "-Xmx128m")
                .main(HoldDirectBuffers.class, "3", "1048576").run();
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stderr().contains("alloc: started: limit none (auto: the container limit 100.0 MiB (cgroup v2 memory.max "
                + root.resolve("memory.max") + ") is not above the max heap 128.0 MiB; tracking only)"), r.toString());
    }

    @EveryJdk
    void badHeadroomStopsTheJvmWithOneLine(Jdk jdk) {
        ForkedJvm.Result r = ForkedJvm.on(jdk).agent("limit=auto,headroom=100%").main(HoldDirectBuffers.class, "1", "1").run();
        assertEquals(1, r.exitCode(), r.toString());
        assertEquals("alloc: bad percentage '100%' for headroom; valid: a whole number from 0 to 99, e.g. 25%", r.stderr().trim());
    }
}
