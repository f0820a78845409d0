package dev.alloc.agent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The command line's usage, help and version (in-process; the forked run is in the integration tests). */
class MainTest {
    private record Run(int status, String out, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void noArgumentIsBadUsage() {
        Run r = run();
        assertEquals(2, r.status());
        assertEquals("", r.out());
        assertTrue(r.err().startsWith("usage: java -jar alloc.jar attach <pid> [key=value,...]\n"), r.err());
        assertTrue(r.err().contains("\n       java -jar alloc.jar --help | --version\n"), r.err());
    }

    @Test
    void helpAndVersionGoToStandardOutput() {
        Run help = run("--help");
        assertEquals(0, help.status());
        assertTrue(help.out().contains("track=<kinds>        kinds to track, '+'-separated: direct+unsafe+ffm+malloc+mapped (all)"),
                help.out());
        Run version = run("--version");
        assertEquals(0, version.status());
        assertEquals("", version.err());
        // Run from classes, not from alloc.jar: no manifest (the forked test checks the jar's version).
        assertEquals("alloc (version unknown: not run from alloc.jar) on Java " + Runtime.version() + "\n", version.out());
    }

    @Test
    void anUnknownCommandIsBadUsage() {
        Run r = run("stat");
        assertEquals(2, r.status());
        assertEquals("alloc: unknown command 'stat'; valid: attach, status, limit, report, top, --help, --version\n", r.err());
    }
}
