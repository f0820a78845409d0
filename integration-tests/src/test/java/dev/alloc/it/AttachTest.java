package dev.alloc.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.tools.attach.VirtualMachine;
import dev.alloc.it.programs.Controlled;

/** {@code java -jar alloc.jar attach} and {@code status} against a running JVM (issue 7). */
class AttachTest {
    static final String SITE = JmxTest.SITE;

    private static ForkedJvm.Result cli(Jdk jdk, String... args) {
        return ForkedJvm.on(jdk).jar(ForkedJvm.agentJar(), args).timeoutSeconds(60).run();
    }

    @EveryJdk
    void attachThenCapThenStatus(Jdk jdk) {
        try (ForkedJvm.Running program = ForkedJvm.on(jdk).jvmArgs("-Djdk.nio.maxCachedBufferSize=0")
                .main(Controlled.class).start()) {
            program.awaitLine("ready", 0);
            program.send("hold 3000017"); // before the agent: never known
            program.awaitLine("ok 1", 0);
            String pid = Long.toString(program.pid());

            ForkedJvm.Result attach = cli(jdk, "attach", pid, "limit=5m");
            assertEquals(0, attach.exitCode(), attach.toString());
            assertTrue(attach.stdout().contains("alloc: allocations made before attaching are not known"), attach.toString());
            assertTrue(attach.stdout().contains("alloc: JVM " + pid + ": started: limit 5.0 MiB, policy throw, strategy system"),
                    attach.toString());
            assertEquals(jdk.feature() >= 21, attach.stdout().contains("-XX:+EnableDynamicAgentLoading"), attach.toString());
            // Holder (loaded, idle) gets its call site rewritten; Controlled (in readLine) keeps its code.
            assertTrue(attach.stdout().matches("(?s).*; attached: 1 loaded application classes rescanned for call sites "
                    + "in \\d+ ms, 1 with a method running now left to stack walks\n.*"), attach.toString());

            program.send("hold 3000017");
            program.awaitLine("ok 2", 0);
            program.send("hold 3000017");
            assertEquals("error dev.alloc.OffHeapLimitExceededError: Off-heap limit exceeded: cannot allocate 3000017 "
                    + "bytes of direct memory at " + SITE + "; used 3000017 of 5242880 bytes; top holders: " + SITE
                    + " 3000017 (1)", program.awaitLine("error", 0));

            ForkedJvm.Result status = cli(jdk, "status", pid);
            assertEquals(0, status.exitCode(), status.toString());
            assertTrue(status.stdout().startsWith("alloc in JVM " + pid + ": used 2.9 MiB (3000017 bytes), limit 5.0 MiB "
                    + "(5242880 bytes), peak "), status.toString());
            assertTrue(status.stdout().contains("\nused by kind: direct 3000017 unsafe 0 ffm 0 malloc 0 mapped 0\n"), status.toString());
            assertTrue(status.stdout().contains("\n     3,000,017     2.9 MiB           1     2.9 MiB  direct  " + SITE + "\n"),
                    status.toString());

            ForkedJvm.Result again = cli(jdk, "attach", pid, "limit=1g");
            assertEquals(0, again.exitCode(), again.toString());
            assertTrue(again.stdout().contains("already running: started: limit 5.0 MiB"), again.toString());

            ForkedJvm.Result result = program.finish();
            assertEquals(0, result.exitCode(), result.toString());
            assertTrue(result.stderr().contains("alloc: attached to a running JVM: allocations made before now are not known"),
                    result.toString());
        }
    }

    @EveryJdk
    void badOptionsNeverStopTheTarget(Jdk jdk) throws Exception {
        try (ForkedJvm.Running program = ForkedJvm.on(jdk).main(Controlled.class).start()) {
            program.awaitLine("ready", 0);
            String pid = Long.toString(program.pid());

            ForkedJvm.Result refused = cli(jdk, "attach", pid, "limit=lots");
            assertEquals(2, refused.exitCode(), refused.toString());
            assertTrue(refused.stderr().startsWith("alloc: bad size 'lots' for limit; valid: "), refused.toString());

            // Past the command's own check, straight through the attach API: the agent refuses, the JVM runs on.
            VirtualMachine vm = VirtualMachine.attach(pid);
            try {
                vm.loadAgent(ForkedJvm.agentJar().toString(), "policy=never");
                assertEquals("error: bad value 'never' for policy; valid: throw, warn, exit",
                        vm.getSystemProperties().getProperty("dev.alloc.agent.state"));
            } finally {
                vm.detach();
            }
            program.send("hold 4097");
            program.awaitLine("ok 1", 0);

            ForkedJvm.Result status = cli(jdk, "status", pid);
            assertEquals(1, status.exitCode(), status.toString());
            assertTrue(status.stderr().startsWith("alloc: no alloc agent in JVM " + pid), status.toString());

            ForkedJvm.Result result = program.finish();
            assertEquals(0, result.exitCode(), result.toString());
            assertTrue(result.stderr().contains("alloc: bad value 'never' for policy; valid: throw, warn, exit"),
                    result.toString());
            assertFalse(result.stderr().contains("started:"), result.toString());
        }
    }

    @EveryJdk
    void helpDescribesEveryCommandAndOption(Jdk jdk) {
        ForkedJvm.Result help = cli(jdk, "--help");
        assertEquals(0, help.exitCode(), help.toString());
        for (String expected : new String[] {"attach <pid>", "status <pid>", "limit=<size>|auto", "headroom=",
                "policy=throw|warn|exit", "status 3", "EnableDynamicAgentLoading", "dev.alloc:type=OffHeap"}) {
            assertTrue(help.stdout().contains(expected), expected + " missing from:\n" + help.stdout());
        }
        ForkedJvm.Result unknown = cli(jdk, "frobnicate");
        assertEquals(2, unknown.exitCode(), unknown.toString());
    }
}
