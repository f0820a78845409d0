package dev.alloc.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.alloc.it.programs.JdkEdgeCases;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * With the agent, {@code sun.misc.Unsafe}, {@code allocateDirect} and FFM behave as without it
 * for negative, zero and huge sizes, NULL addresses and refused reallocations: same results,
 * same exception types and messages (issue 10, point 5). One JVM per configuration runs the
 * whole table ({@link JdkEdgeCases}); the limit error may stand where the JDK itself would
 * have run out of memory, or libc would have answered NULL.
 */
class JdkSemanticsTest {
    private static final String PROGRAMS = "dev.alloc.it.programs.";
    private static final Pattern ROW = Pattern.compile("^row (.+?) = (.*)$", Pattern.MULTILINE);
    private static final Pattern COUNTED = Pattern.compile("^check realloc\\(p, (-?\\d+)\\) counted before (-?\\d+) after (-?\\d+)$",
            Pattern.MULTILINE);

    private static ForkedJvm.Result run(Jdk jdk, String agentOptions) {
        ForkedJvm jvm = ForkedJvm.on(jdk).jvmArgs("-XX:MaxDirectMemorySize=64m");
        if (jdk.feature() >= 22) {
            jvm.jvmArgs("--enable-native-access=ALL-UNNAMED");
        }
        if (agentOptions != null) {
            jvm.agent(agentOptions);
        }
        ForkedJvm.Result r = jvm.main(JdkEdgeCases.class).run();
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdout().contains("\ndone\n"), r.toString());
        return r;
    }

    private static Map<String, String> rows(ForkedJvm.Result r) {
        Map<String, String> rows = new LinkedHashMap<>();
        Matcher m = ROW.matcher(r.stdout());
        while (m.find()) {
            rows.put(m.group(1), m.group(2));
        }
        return rows;
    }

    @EveryJdk
    void everyEdgeCaseBehavesAsWithoutTheAgent(Jdk jdk) {
        ForkedJvm.Result plain = run(jdk, null);
        Map<String, String> expected = rows(plain);
        assertEquals(jdk.feature() >= 22 ? 41 : 21, expected.size(), plain.toString());
        // the JDK's own answers, so the table cannot pass by both sides being wrong the same way
        assertEquals("java.lang.IllegalArgumentException: null, kept", expected.get("unsafe.reallocateMemory(p, -1)"));
        assertEquals("java.lang.IllegalArgumentException: null", expected.get("unsafe.allocateMemory(Long.MAX_VALUE)"));
        if (jdk.feature() >= 22) {
            assertEquals("0, kept", expected.get("realloc(p, -1)"));
        }

        for (String options : new String[] {"limit=1g,report=stderr", "limit=1g,strategy=tlsf,report=stderr"}) {
            ForkedJvm.Result agent = run(jdk, options);
            Map<String, String> actual = rows(agent);
            List<String> differences = new ArrayList<>();
            for (Map.Entry<String, String> row : expected.entrySet()) {
                String got = actual.get(row.getKey());
                if (!row.getValue().equals(got) && !(limitError(got) && outOfMemory(row.getValue()))) {
                    differences.add(row.getKey() + ": without the agent " + row.getValue() + ", with " + got);
                }
            }
            assertEquals(List.of(), differences, options + "\n" + agent);
            assertEquals(expected.keySet(), actual.keySet(), options);
            assertAgentSpecifics(jdk, options, agent);
        }
    }

    private static boolean limitError(String outcome) {
        return outcome != null && outcome.startsWith("dev.alloc.OffHeapLimitExceededError: Off-heap limit exceeded");
    }

    /** The JDK's {@code OutOfMemoryError}, or libc's NULL (a block passed in kept). */
    private static boolean outOfMemory(String outcome) {
        return outcome.startsWith("java.lang.OutOfMemoryError") || outcome.equals("0") || outcome.equals("0, kept");
    }

    /** What only the agent's side shows: refused reallocs stay counted, and a thrown site is not reused. */
    private static void assertAgentSpecifics(Jdk jdk, String options, ForkedJvm.Result r) {
        Matcher counted = COUNTED.matcher(r.stdout());
        int checks = 0;
        while (counted.find()) {
            checks++;
            assertTrue(Long.parseLong(counted.group(2)) >= 1000, options + ": " + counted.group());
            assertEquals(counted.group(2), counted.group(3), options + ": the block libc kept is no longer counted\n" + r);
        }
        assertEquals(jdk.feature() >= 22 ? 1 : 0, checks, r.toString()); // realloc(p, 3 TiB) meets the limit
        assertTrue(r.stdout().contains("check limit error: dev.alloc.OffHeapLimitExceededError\ncheck held true\n"), r.toString());
        Map<String, ExitReportRows.Row> sites = ExitReportRows.parse(r.stderr());
        ExitReportRows.Row held = sites.get(PROGRAMS + "JdkEdgeCases.unattributed(JdkEdgeCases.java:127)");
        assertNotNull(held, options + ": the reflective allocation is not named by its own frame\n" + r);
        assertEquals(1_999_993, held.liveBytes(), r.toString());
        ExitReportRows.Row thrower = sites.get(PROGRAMS + "JdkEdgeCases.unattributed(JdkEdgeCases.java:121)");
        assertTrue(thrower == null || thrower.liveBytes() == 0, options + ": the site that threw took the next allocation\n" + r);
        assertTrue(r.stderr().contains("alloc: used 1999993 bytes"), options + "\n" + r);
    }
}
