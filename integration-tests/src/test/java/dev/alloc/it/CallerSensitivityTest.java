package dev.alloc.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.alloc.it.programs.UnsafeCaller;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The rewritten call site keeps the JDK call in the application's class: JDK 24+'s warning about
 * {@code sun.misc.Unsafe} memory methods must name the application, never the agent.
 */
class CallerSensitivityTest {
    static java.util.List<Jdk> jdks() {
        return Jdk.all();
    }

    @ParameterizedTest
    @MethodSource("jdks")
    void unsafeWarningsNameTheApplicationNotTheAgent(Jdk jdk) {
        ForkedJvm.Result r = ForkedJvm.on(jdk).agent("report=stderr").main(UnsafeCaller.class).run();
        assertEquals(0, r.exitCode(), r.toString());
        assertFalse(r.stderr().contains("called by dev.alloc.runtime") || r.stderr().contains("called by dev.alloc.agent"),
                r.toString());
        if (jdk.feature() >= 24) {
            assertTrue(r.stderr().contains("sun.misc.Unsafe::allocateMemory has been called by "
                    + UnsafeCaller.class.getName()), r.toString());
        }
        ExitReportRows.Row row = ExitReportRows.parse(r.stderr())
                .get("dev.alloc.it.programs.UnsafeCaller.main(UnsafeCaller.java:12)");
        assertNotNull(row, r.toString());
        assertEquals(999_983, row.totalBytes());
        assertEquals(0, row.liveBytes());
    }
}
