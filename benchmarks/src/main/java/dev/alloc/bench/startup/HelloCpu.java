package dev.alloc.bench.startup;

/**
 * A hello-world that also prints the CPU time its whole process used so far (every thread: JIT
 * compilers, GC, the agent's start-up), as {@code cpuMillis=<n>}.
 */
public final class HelloCpu {
    private HelloCpu() {
    }

    public static void main(String[] args) {
        System.out.println("Hello, world");
        long nanos = ProcessHandle.current().info().totalCpuDuration().map(d -> d.toNanos()).orElse(-1L);
        System.out.println("cpuMillis=" + nanos / 1_000_000);
    }
}
