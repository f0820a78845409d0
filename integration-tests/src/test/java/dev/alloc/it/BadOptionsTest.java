package dev.alloc.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.alloc.it.programs.TwoSites;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A typo in an option stops the JVM with one line on stderr: no stack trace, no JVM banner. An
 * option that is valid but surely not meant gets one warning line and the JVM runs. The command
 * line without an argument is bad usage.
 */
class BadOptionsTest {
    static Stream<Arguments> cases() {
        List<String[]> options = List.of(
                new String[] {"-javaagent-arg", "limt=64m", "alloc: unknown option 'limt'; valid: limit, headroom,"},
                new String[] {"-javaagent-arg", "limit=64q", "alloc: bad size '64q' for limit; valid: a whole number"},
                new String[] {"-javaagent-arg", "policy=never", "alloc: bad value 'never' for policy; valid: throw, warn, exit"},
                new String[] {"-javaagent-arg", "limit", "alloc: option 'limit' has no value"},
                new String[] {"-D", "-Dalloc.limit=lots", "alloc: bad size 'lots' for limit; valid: "});
        return Jdk.all().stream().flatMap(jdk -> options.stream().map(o -> Arguments.of(jdk, o[0], o[1], o[2])));
    }

    @ParameterizedTest(name = "{0}: {2}")
    @MethodSource("cases")
    void oneLineAndANonZeroExit(Jdk jdk, String how, String option, String expectedStart) {
        ForkedJvm jvm = ForkedJvm.on(jdk);
        if (how.equals("-D")) {
            jvm.jvmArgs(option).agent("");
        } else {
            jvm.agent(option);
        }
        ForkedJvm.Result r = jvm.main(TwoSites.class).run();
        assertNotEquals(0, r.exitCode(), r.toString());
        assertEquals("", r.stdout(), r.toString());
        String[] lines = r.stderr().strip().split("\n");
        assertEquals(1, lines.length, r.toString());
        assertTrue(lines[0].startsWith(expectedStart), r.toString());
    }

    @EveryJdk
    void surprisingOptionsGetOneWarningLineEachAndTheJvmRuns(Jdk jdk) {
        ForkedJvm.Result r = ForkedJvm.on(jdk).agent("limit=64m,limit.unsafe=1000,headroom=30,pool=32m").main(TwoSites.class).run();
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("held 12\n", r.stdout(), r.toString());
        String[] lines = r.stderr().strip().split("\n");
        assertEquals(4, lines.length, r.toString());
        assertEquals("alloc: warning: limit.unsafe=1000 is 1000 bytes; add a unit if you meant more "
                + "(limit.unsafe=1000m is 1000 MiB)", lines[0]);
        assertEquals("alloc: warning: headroom=30 does nothing without limit=auto", lines[1]);
        assertEquals("alloc: warning: pool=32m does nothing with strategy=system; give a pool strategy: "
                + "strategy=slab|buddy|tlsf|arena", lines[2]);
        assertTrue(lines[3].startsWith("alloc: started: limit 64.0 MiB"), r.toString());
    }

    @EveryJdk
    void theCommandLineWithoutAnArgumentIsBadUsageAndHasAVersion(Jdk jdk) {
        ForkedJvm.Result usage = ForkedJvm.on(jdk).jar(ForkedJvm.agentJar()).run();
        assertEquals(2, usage.exitCode(), usage.toString());
        assertEquals("", usage.stdout(), usage.toString());
        assertTrue(usage.stderr().startsWith("usage: java -jar alloc.jar attach <pid> [key=value,...]\n"), usage.toString());
        ForkedJvm.Result version = ForkedJvm.on(jdk).jar(ForkedJvm.agentJar(), "--version").run();
        assertEquals(0, version.exitCode(), version.toString());
        assertTrue(version.stdout().matches("alloc \\d+\\.\\d+\\.\\d+(-SNAPSHOT)? on Java " + jdk.feature() + "[.+].*\n"),
                version.toString());
    }
}
