package dev.alloc.agent.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainerMemoryTest {
    @TempDir
    Path dir;

    private Path write(String relative, String text) throws IOException {
        Path file = dir.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        return file;
    }

    @Test
    void v2TheSmallestLimitFromTheOwnCgroupUpToTheRootWins() throws IOException {
        write("root/cgroup.controllers", "memory\n");
        write("root/memory.max", "max\n");
        write("root/kubepods/memory.max", "4294967296\n");
        write("root/kubepods/pod7/memory.max", "536870912\n");
        write("root/kubepods/pod7/ctr/memory.max", "max\n");
        Path proc = write("proc-self-cgroup", "0::/kubepods/pod7/ctr\n");
        ContainerMemory.Found found = new ContainerMemory(dir.resolve("root"), proc).read();
        assertEquals(536_870_912L, found.limit());
        assertEquals("cgroup v2 memory.max " + dir.resolve("root/kubepods/pod7/memory.max"), found.source());
    }

    @Test
    void v2ACgroupNamespaceSeesItselfAtTheRoot() throws IOException {
        write("root/cgroup.controllers", "memory\n");
        write("root/memory.max", "1073741824\n");
        Path proc = write("proc-self-cgroup", "0::/not/under/this/root\n");
        assertEquals(1_073_741_824L, new ContainerMemory(dir.resolve("root"), proc).read().limit());
    }

    @Test
    void v1ReadsTheMemoryControllersLine() throws IOException {
        write("root/memory/memory.limit_in_bytes", "9223372036854771712\n");
        write("root/memory/docker/abc/memory.limit_in_bytes", "805306368\n");
        Path proc = write("proc-self-cgroup", "5:cpu,cpuacct:/docker/abc\n4:memory,hugetlb:/docker/abc\n0::/\n");
        ContainerMemory.Found found = new ContainerMemory(dir.resolve("root"), proc).read();
        assertEquals(805_306_368L, found.limit());
    }

    @Test
    void noControllerNoLimit() {
        ContainerMemory.Found found = new ContainerMemory(dir.resolve("none"), dir.resolve("missing")).read();
        assertEquals(0, found.limit());
        assertEquals("no cgroup memory controller under " + dir.resolve("none"), found.source());
    }

    @Test
    void derivedLimitIsExactForLargeValues() {
        ContainerMemory.Found container = new ContainerMemory.Found(3L << 40, "test");
        // (3 TiB - 1 TiB) * 75 / 100, computed without overflow
        assertEquals(1_649_267_441_664L, AutoLimit.derive(container, 1L << 40, 25).limit());
        assertEquals(2_199_023_255_552L, AutoLimit.derive(container, 1L << 40, 0).limit());
        assertEquals(1_073_741_824L, AutoLimit.derive(new ContainerMemory.Found(1L << 31, "t"), 1L << 30, 0).limit());
    }
}
