package dev.alloc.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.alloc.it.programs.Controlled;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The commands {@code status}, {@code limit}, {@code report <pid>} and {@code top} reach the running
 * agent through the attach API and an answer file (issue 12): no socket in the target, nothing
 * counted in it, nothing left behind; and a pid that is not a JVM is never touched.
 */
class CommandChannelTest {
    static final String SITE = JmxTest.SITE;

    private static ForkedJvm cli(Jdk jdk, Path tmp) {
        return ForkedJvm.on(jdk).jvmArgs("-Djava.io.tmpdir=" + tmp).timeoutSeconds(60);
    }

    @EveryJdk
    void commandsOpenNoSocketAndLeaveNoSiteInTheTarget(Jdk jdk) throws Exception {
        Path tmp = ForkedJvm.emptyWorkDir("commands-" + jdk.feature());
        // No -Djdk.nio.maxCachedBufferSize=0: the commands' own I/O buffers must not be counted at all.
        try (ForkedJvm.Running program = ForkedJvm.on(jdk).agent("report=stderr").main(Controlled.class).start()) {
            program.awaitLine("ready", 0);
            program.send("hold 3000017");
            program.awaitLine("ok 1", 0);
            String pid = Long.toString(program.pid());

            ForkedJvm.Result status = cli(jdk, tmp).jar(ForkedJvm.agentJar(), "status", pid).run();
            assertEquals(0, status.exitCode(), status.toString());
            assertEquals("alloc in JVM " + pid + ": used 2.9 MiB (3000017 bytes), limit none (tracking only), peak 2.9 MiB "
                    + "(3000017 bytes), strategy system\n"
                    + "used by kind: direct 3000017 unsafe 0 ffm 0 malloc 0 mapped 0\n"
                    + "    live bytes        live  live count   peak live  kind    site\n"
                    + "     3,000,017     2.9 MiB           1     2.9 MiB  direct  " + SITE + "\n", status.stdout());

            ForkedJvm.Result limit = cli(jdk, tmp).jar(ForkedJvm.agentJar(), "limit", pid, "5m").run();
            assertEquals(0, limit.exitCode(), limit.toString());
            assertEquals("alloc in JVM " + pid + ": limit 5.0 MiB (5242880 bytes), was none (tracking only); "
                    + "used 2.9 MiB (3000017 bytes)\n", limit.stdout());

            ForkedJvm.Result report = cli(jdk, tmp).jar(ForkedJvm.agentJar(), "report", pid).run();
            assertEquals(0, report.exitCode(), report.toString());
            assertEquals(Set.of(SITE), ExitReportRows.parse(report.stdout()).keySet(), report.toString());
            assertEquals(3_000_017L, ExitReportRows.parse(report.stdout()).get(SITE).liveBytes());
            assertTrue(report.stdout().contains("alloc: used 3000017 bytes (2.9 MiB), peak 2.9 MiB, limit 5.0 MiB;"),
                    report.toString());

            ForkedJvm.Result top = cli(jdk, tmp).jar(ForkedJvm.agentJar(), "top", pid, "--top", "5", "-n", "2").run();
            assertEquals(0, top.exitCode(), top.toString());
            String[] frames = top.stdout().split("\n\n");
            assertEquals(2, frames.length, top.toString());
            for (String frame : frames) {
                assertTrue(frame.matches("\\d\\d:\\d\\d:\\d\\d  alloc in JVM " + pid + ": used 2.9 MiB \\(3000017 bytes\\), "
                        + "limit 5.0 MiB (?s).*\n     3,000,017     2.9 MiB           1     2.9 MiB  direct  \\Q" + SITE + "\\E\n?"),
                        frame);
            }

            assertEquals("", listeningSocketsOf(program.pid()), "the target listens on nothing");
            // The limit holds, and what is used is the program's alone.
            program.send("hold 3000017");
            assertEquals("error dev.alloc.OffHeapLimitExceededError: Off-heap limit exceeded: cannot allocate 3000017 "
                    + "bytes of direct memory at " + SITE + "; used 3000017 of 5242880 bytes; top holders: " + SITE
                    + " 3000017 (1)", program.awaitLine("error", 0));
            ForkedJvm.Result result = program.finish();
            assertEquals(0, result.exitCode(), result.toString());
            assertEquals(Set.of(SITE), ExitReportRows.parse(result.stderr()).keySet(),
                    "no site of the commands' own work:\n" + result);
            assertTrue(result.stderr().contains("alloc: limit set by the limit command to 5.0 MiB; used 2.9 MiB"),
                    result.toString());
        }
        assertEquals(List.of(), entries(tmp), "each command removes its directory");
    }

    @EveryJdk
    void topRunsUntilInterruptedInAPrivateDirectory(Jdk jdk) throws Exception {
        Path tmp = ForkedJvm.emptyWorkDir("top-" + jdk.feature());
        try (ForkedJvm.Running program = ForkedJvm.on(jdk).agent("log=quiet").main(Controlled.class).start()) {
            program.awaitLine("ready", 0);
            String pid = Long.toString(program.pid());
            try (ForkedJvm.Running top = cli(jdk, tmp).jar(ForkedJvm.agentJar(), "top", pid).start()) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!top.stdout().contains("no live off-heap memory attributed to a site") && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                List<Path> dirs = entries(tmp);
                assertEquals(1, dirs.size(), top.toString());
                assertEquals("rwx------", PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(dirs.get(0), LinkOption.NOFOLLOW_LINKS)));
                assertEquals("rw-------", PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(dirs.get(0).resolve("answer"), LinkOption.NOFOLLOW_LINKS)));
                program.send("hold 3000017");
                while (!top.stdout().contains(SITE) && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertTrue(top.stdout().contains("     3,000,017     2.9 MiB           1     2.9 MiB  direct  " + SITE),
                        top.toString());
                assertTrue(threadsOf(jdk, program.pid()).contains("\"alloc-top\""), "the session runs in the target");
                ForkedJvm.Result stopped = top.interrupt(); // as Ctrl-C: the directory goes, the agent's session ends
                assertEquals("", stopped.stderr(), stopped.toString());
            }
            assertEquals(List.of(), entries(tmp));
            // The agent's session thread ends within a period once its viewer is gone.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            String threads;
            do {
                Thread.sleep(200);
                threads = threadsOf(jdk, program.pid());
            } while (threads.contains("\"alloc-top\"") && System.nanoTime() < deadline);
            assertFalse(threads.contains("\"alloc-top\""), threads);
            assertTrue(threads.contains("\"main\""), threads);
            ForkedJvm.Result result = program.finish();
            assertEquals(0, result.exitCode(), result.toString());
            assertEquals("", result.stderr().replaceAll("(?m)^WARNING: .*\n", ""), result.toString());
        }
    }

    @EveryJdk
    void aPidThatIsNoJvmIsNeverSignalled(Jdk jdk) throws Exception {
        Process sleep = new ProcessBuilder("sleep", "60").start();
        Process python = new ProcessBuilder("python3", "-c", "import time; time.sleep(60)").start();
        try {
            for (Process victim : List.of(sleep, python)) {
                for (String command : List.of("attach", "status")) {
                    ForkedJvm.Result r = ForkedJvm.on(jdk).jar(ForkedJvm.agentJar(), command, Long.toString(victim.pid())).run();
                    assertEquals(1, r.exitCode(), r.toString());
                    assertEquals("", r.stdout(), r.toString());
                    assertEquals("alloc: " + victim.pid() + " is not a Java process of this user (jps -l lists those); "
                            + "nothing was sent to it\n", r.stderr());
                    // How long the check takes: TargetVmTest (the command's own JVM start is most of its time).
                    assertTrue(victim.isAlive(), command + " killed " + victim.info());
                }
            }
            // A JVM without the agent (this test's own): one line that offers attach.
            long self = ProcessHandle.current().pid();
            ForkedJvm.Result none = ForkedJvm.on(jdk).jar(ForkedJvm.agentJar(), "status", Long.toString(self)).run();
            assertEquals(1, none.exitCode(), none.toString());
            assertEquals("alloc: no alloc agent in JVM " + self + "; load one with: java -jar alloc.jar attach " + self
                    + " [key=value,...]\n", none.stderr());
        } finally {
            sleep.destroy();
            python.destroy();
        }
    }

    /** The target's thread dump ({@code jcmd <pid> Thread.print}). */
    static String threadsOf(Jdk jdk, long pid) throws IOException, InterruptedException {
        Process jcmd = new ProcessBuilder(jdk.home().resolve("bin/jcmd").toString(), Long.toString(pid), "Thread.print")
                .redirectErrorStream(true).start();
        String out = new String(jcmd.getInputStream().readAllBytes());
        jcmd.waitFor();
        return out;
    }

    /** What {@code ss -lntup} shows for the process: its listening TCP and UDP sockets. */
    static String listeningSocketsOf(long pid) throws IOException, InterruptedException {
        Process ss = new ProcessBuilder("ss", "-lntup").redirectErrorStream(true).start();
        String out = new String(ss.getInputStream().readAllBytes());
        assertEquals(0, ss.waitFor());
        return Stream.of(out.split("\n")).filter(line -> line.contains("pid=" + pid + ",")).collect(Collectors.joining("\n"));
    }

    private static List<Path> entries(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.collect(Collectors.toList());
        }
    }
}
