package dev.alloc.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A pid that the attach provider does not list is refused at once and never touched (issue 12). */
class TargetVmTest {
    @Test
    void aProcessThatIsNoJvmIsRefusedWithinASecondAndLivesOn() throws Exception {
        Process sleep = new ProcessBuilder("sleep", "60").start();
        try {
            String pid = Long.toString(sleep.pid());
            for (int round = 0; round < 2; round++) { // the first round loads the attach provider
                long start = System.nanoTime();
                CommandError refused = assertThrows(CommandError.class, () -> TargetVm.attach(pid));
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertEquals(pid + " is not a Java process of this user (jps -l lists those); nothing was sent to it",
                        refused.getMessage());
                assertEquals(1, refused.status);
                // The first round also loads the attach provider's classes, which on a busy machine
                // alone can take over a second; the check itself is the second round.
                assertTrue(round == 0 || millis < 1000, "refused after " + millis + " ms");
            }
            Thread.sleep(200);
            assertTrue(sleep.isAlive(), "never signalled");
        } finally {
            sleep.destroy();
        }
    }

    @Test
    void thisJvmIsListed() throws Exception {
        String self = Long.toString(ProcessHandle.current().pid());
        assertTrue(TargetVm.mayBeListed(self));
        TargetVm.checkListed(self);
        CommandError notAPid = assertThrows(CommandError.class, () -> TargetVm.checkListed("12ab"));
        assertEquals(2, notAPid.status);
    }
}
