package dev.alloc.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.alloc.it.programs.Controlled;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * Issue 15: the agent starts neither JMX nor Flight Recorder itself, yet a JMX client or a
 * recording that comes later finds everything. One forked JVM per JDK: no MBean server, no
 * recorder, no lambda of the agent and no class of the pools (strategy=system) after start;
 * then {@code jcmd JFR.start} records the
 * agent's events; then a JMX client attaching later finds the MXBean at its first look.
 */
class LightStartTest {
    static final String SITE = "dev.alloc.it.programs.Controlled$Holder.hold(Controlled.java:61)";

    @EveryJdk
    void jmxAndFlightRecorderStartOnlyWhenSomeoneAsks(Jdk jdk) throws Exception {
        Path work = ForkedJvm.workDir("light-start");
        Path classes = work.resolve("classes-" + jdk.feature() + ".txt");
        Path recording = work.resolve("late-" + jdk.feature() + ".jfr");
        Files.deleteIfExists(classes);
        Files.deleteIfExists(recording);
        try (ForkedJvm.Running program = ForkedJvm.on(jdk).agent("limit=64m")
                .jvmArgs("-Xlog:class+load=info:file=" + classes, "-Djdk.nio.maxCachedBufferSize=0")
                .main(Controlled.class).start()) {
            program.awaitLine("ready", 0);
            program.send("hold 1999993");
            program.awaitLine("ok 1", 0);
            String loaded = Files.readString(classes);
            // (The runtime's own JMX and JFR classes are defined at start, so they are in the log too.)
            for (String absent : new String[] {"java.lang.management.ManagementFactory ",
                    "com.sun.jmx.mbeanserver.JmxMBeanServer ", "jdk.jfr.FlightRecorder ", "jdk.jfr.internal.PlatformRecorder "}) {
                assertFalse(loaded.contains(absent), absent.trim() + " is loaded in a JVM that asked for neither JMX nor JFR");
            }
            // Woven at their first load, not loaded and retransformed at start: none is loaded before
            // the program's main class (which then loads sun.misc.Unsafe, woven then and used below).
            String atStart = loaded.substring(0, loaded.indexOf(Controlled.class.getName() + " "));
            for (String absent : new String[] {"sun.nio.ch.FileChannelImpl ", "sun.misc.Unsafe ",
                    "jdk.internal.foreign.abi.AbstractLinker ", "sun.nio.ch.Util "}) {
                assertFalse(atStart.contains(absent), absent.trim() + " is loaded by the agent's start");
            }
            assertFalse(Pattern.compile("dev\\.alloc\\.[\\w.$]*\\$\\$Lambda").matcher(loaded).find(),
                    "a lambda of the agent or runtime was spun at start");
            // Classes spun from the agent's start to the main class: only the lambdas of the JDK's
            // redefineModule (exporting jdk.internal.misc) and their two direct method handles. No
            // LambdaForm$MH: the JDK calls premain through its native accessor (EntryPointFlags), and
            // nothing of the agent calls a method handle at start.
            String fromPremain = atStart.substring(atStart.indexOf("dev.alloc.agent.AllocAgent "));
            assertEquals(List.of("java.lang.Module$$Lambda", "java.lang.WeakPairMap$$Lambda",
                            "java.lang.invoke.LambdaForm$DMH", "java.lang.invoke.LambdaForm$DMH",
                            "sun.instrument.InstrumentationImpl$$Lambda", "sun.instrument.InstrumentationImpl$$Lambda",
                            "sun.instrument.InstrumentationImpl$$Lambda"),
                    Pattern.compile("([\\w.$]+?(\\$\\$Lambda|LambdaForm\\$[A-Z]+))[$\\d]*/0x").matcher(fromPremain).results()
                            .map(m -> m.group(1)).sorted().toList(), "classes spun by the agent's start");
            // Only the two pool types named in OffHeap's and RawMemory's signatures (for reflection).
            assertEquals(List.of("dev.alloc.runtime.pool.NativeAllocator", "dev.alloc.runtime.pool.PoolStatistics"),
                    Pattern.compile("dev\\.alloc\\.runtime\\.pool\\.[\\w$]+").matcher(loaded).results()
                            .map(MatchResult::group).sorted().toList(), "pool classes defined under strategy=system");
            assertFalse(loaded.contains("dev.alloc.runtime.MisuseReports "), "the pools' listener is defined without a pool");
            assertFalse(loaded.contains("dev.alloc.runtime.MallocDowncalls ") || loaded.contains("dev.alloc.runtime.MallocHooks "),
                    "the malloc kind's classes are defined before the FFM linker is woven");
            assertFalse(threadNames(jdk, program.pid()).contains("alloc-jmx-registration"));

            // A recording started later from outside gets the allocations and the periodic events.
            Path jfc = ForkedJvm.agentJar().resolveSibling("alloc.jfc");
            jcmd(jdk, program.pid(), "JFR.start", "name=late", "settings=" + jfc);
            program.send("hold 1048583");
            program.awaitLine("ok 2", 0);
            Thread.sleep(2_200); // one CallSiteUsage period (1 s) passes with both buffers live
            jcmd(jdk, program.pid(), "JFR.dump", "name=late", "filename=" + recording);
            long allocated = 0;
            long live = -1;
            for (RecordedEvent event : RecordingFile.readAllEvents(recording)) {
                String type = event.getEventType().getName();
                if (type.equals("dev.alloc.Allocation") && SITE.equals(event.getString("site"))) {
                    allocated += event.getLong("size");
                } else if (type.equals("dev.alloc.CallSiteUsage") && SITE.equals(event.getString("site"))) {
                    live = event.getLong("liveBytes");
                }
            }
            assertEquals(1_048_583L, allocated, "the allocation made while recording is an event");
            assertEquals(1_999_993L + 1_048_583L, live, "the site's usage covers what was held before the recording");

            // A JMX client that starts the management agent now finds the MXBean at once.
            try (LocalJmx jmx = LocalJmx.connect(program.pid(), 0)) {
                assertEquals(3_048_576L, jmx.get("Used"));
                assertEquals(64L << 20, jmx.get("Limit"));
            }
            program.send("quit");
            ForkedJvm.Result result = program.finish();
            assertEquals(0, result.exitCode(), result.toString());
        }
    }

    private static String threadNames(Jdk jdk, long pid) throws Exception {
        return jcmd(jdk, pid, "Thread.print");
    }

    private static String jcmd(Jdk jdk, long pid, String... command) throws Exception {
        List<String> line = new ArrayList<>(List.of(jdk.home().resolve("bin/jcmd").toString(), Long.toString(pid)));
        line.addAll(List.of(command));
        Process process = new ProcessBuilder(line).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0, line + ": " + out);
        return out;
    }
}
