package dev.alloc.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.alloc.it.programs.UnsafeCaller;

/**
 * The rewritten call site keeps the JDK call in the application's class: JDK 24+'s warning about
 * {@code sun.misc.Unsafe} memory methods must name the application, never the agent.
 * <p>Only JDK 24+ runs it: earlier JDKs name no caller of these methods (JDK 23 only behind
 * {@code --sun-misc-unsafe-memory-access=warn}), so there is nothing caller-sensitive to observe;
 * the counting of the same calls is checked on every JDK by {@link UnsafeMemoryTest}.
 */
class CallerSensitivityTest {
    @EveryJdk
    void unsafeWarningsNameTheApplicationNotTheAgent(Jdk jdk) {
        jdk.require(24, "only JDK 24+ names the caller of sun.misc.Unsafe memory methods");
        ForkedJvm.Result r = ForkedJvm.on(jdk).agent("report=stderr").main(UnsafeCaller.class).run();
        assertEquals(0, r.exitCode(), r.toString());
        assertFalse(r.stderr().contains("called by dev.alloc.runtime") || r.stderr().contains("called by dev.alloc.agent"),
                r.toString());
        assertTrue(r.stderr().contains("sun.misc.Unsafe::allocateMemory has been called by "
                + UnsafeCaller.class.getName()), r.toString());
        ExitReportRows.Row row = ExitReportRows.parse(r.stderr())
                .get("dev.alloc.it.programs.UnsafeCaller.main(UnsafeCaller.java:12)");
        assertNotNull(row, r.toString());
        assertEquals(999_983, row.totalBytes());
        assertEquals(0, row.liveBytes());
    }
}
