package dev.alloc.runtime.jfr;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

/** {@code jfr=on}'s file name is not known before the JVM starts (issue 12). */
class RecordingNameTest {
    @Test
    void holdsThePidAndTheJvmStartTimeToTheSecond() {
        ProcessHandle self = ProcessHandle.current();
        String started = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneId.systemDefault())
                .format(self.info().startInstant().orElseThrow());
        String name = JfrSupport.defaultName();
        assertTrue(name.equals("alloc-" + self.pid() + "-" + started + ".jfr"), name + " vs start " + started);
    }
}
