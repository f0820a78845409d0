package dev.alloc.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** The examples, run as the README shows them (issue 7). */
class ExamplesTest {
    static Path examplesJar() {
        Path jar = Paths.get(System.getProperty("alloc.examples.jar", "../examples/target/alloc-examples.jar"))
                .toAbsolutePath().normalize();
        assertTrue(Files.isRegularFile(jar), "no examples jar at " + jar + ": build it first: mvn -B verify from the top directory");
        return jar;
    }

    @EveryJdk
    void nettyEchoServerIsStoppedByTheCapAtItsLeak(Jdk jdk) {
        ForkedJvm.Result r = ForkedJvm.on(jdk).agent("limit=24m,site.skip=io.netty.,report=stderr")
                .jvmArgs("-cp", examplesJar().toString(), "dev.alloc.examples.NettyEcho").run();
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdout().contains("server closes the connection: dev.alloc.OffHeapLimitExceededError: Off-heap limit "
                + "exceeded: cannot allocate "), r.toString());
        assertTrue(r.stdout().contains("top holders: dev.alloc.examples.NettyEcho$EchoHandler.keep(NettyEcho.java:96) "),
                r.toString());
        ExitReportRows.Row leak = ExitReportRows.parse(r.stderr()).get("dev.alloc.examples.NettyEcho$EchoHandler.keep(NettyEcho.java:96)");
        assertNotNull(leak, r.toString());
        // Which allocation meets the cap (the cache's copy or Netty's next read buffer), and how much
        // Netty's own read buffers hold at that moment, depend on timing; the cache is the top holder
        // (checked above), so it holds well over a third of the 24 MiB.
        assertTrue(leak.liveBytes() > 8L << 20 && leak.liveBytes() <= 24L << 20, r.toString());
        // Netty's event loops allocate their read buffers' chunks with no frame of the application on
        // the stack: named by Netty's own call into the JDK, marked as such (issue 12).
        int eventLoopRows = 0;
        for (String site : ExitReportRows.parse(r.stderr()).keySet()) {
            if (site.startsWith("io.netty.")) {
                assertTrue(site.endsWith(")" + SKIPPED_MARK), site + " in " + r);
                eventLoopRows += site.startsWith("io.netty.util.internal.Cleaner") ? 1 : 0;
            }
        }
        assertEquals(1, eventLoopRows, r.toString());
    }

    static final String SKIPPED_MARK = " [skipped; no application frame]";

    @EveryJdk
    void ffmArenasLeakIsNamedAndCloseIsCounted(Jdk jdk) {
        jdk.require(22, "FFM is final from JDK 22");
        Path source = Paths.get("../examples/ffm/FfmArenas.java").toAbsolutePath().normalize();
        ForkedJvm.Result r = ForkedJvm.on(jdk).agent("limit=64m,report=stderr").source(source).run();
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdout().matches("stopped after 6\\d index pages: Off-heap limit exceeded: cannot allocate 1048576 bytes "
                + "of ffm memory at FfmArenas\\.main\\(FfmArenas\\.java:25\\);.*\n"), r.toString());
        ExitReportRows.Row scratch = ExitReportRows.parse(r.stderr()).get("FfmArenas.main(FfmArenas.java:22)");
        assertNotNull(scratch, r.toString());
        assertEquals(0, scratch.liveBytes(), "every confined arena was closed");
    }

    @EveryJdk
    void attachDemoIsCappedAfterAttaching(Jdk jdk) {
        // As the README runs it: no argument, so it runs until stopped.
        try (ForkedJvm.Running demo = ForkedJvm.on(jdk)
                .jvmArgs("-cp", examplesJar().toString(), "dev.alloc.examples.AttachDemo").start()) {
            String banner = demo.awaitLine("AttachDemo running as pid " + demo.pid(), 0);
            assertTrue(banner.endsWith("; attach with: java -jar agent/target/alloc.jar attach " + demo.pid() + " limit=16m"),
                    banner);
            ForkedJvm.Result attach = ForkedJvm.on(jdk).jar(ForkedJvm.agentJar(), "attach", Long.toString(demo.pid()), "limit=6m")
                    .run();
            assertEquals(0, attach.exitCode(), attach.toString());
            String error = demo.awaitLine("after ", 0);
            assertTrue(error.contains(": Off-heap limit exceeded: cannot allocate 1048583 bytes of direct memory at "
                    + "dev.alloc.examples.AttachDemo.openSession(AttachDemo.java:35); used "), error);
            ForkedJvm.Result status = ForkedJvm.on(jdk).jar(ForkedJvm.agentJar(), "status", Long.toString(demo.pid())).run();
            assertEquals(0, status.exitCode(), status.toString());
            assertTrue(status.stdout().contains("limit 6.0 MiB (6291456 bytes)"), status.toString());
            assertTrue(status.stdout().contains("direct  dev.alloc.examples.AttachDemo.openSession(AttachDemo.java:35)\n"),
                    status.toString());
            assertTrue(demo.isAlive(), "the demo stopped by itself: " + demo.stdout());
        }
    }
}
