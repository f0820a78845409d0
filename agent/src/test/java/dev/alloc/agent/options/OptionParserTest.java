package dev.alloc.agent.options;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.alloc.runtime.Kind;
import dev.alloc.runtime.Settings;
import dev.alloc.runtime.report.Log;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OptionParserTest {
    private static Settings parse(String args) throws OptionError {
        return OptionParser.parse(args, new Properties());
    }

    private static String error(String args) {
        return assertThrows(OptionError.class, () -> parse(args)).getMessage();
    }

    @Test
    void defaultsFollowTheDesign() throws OptionError {
        Settings s = parse(null);
        assertEquals(0, s.limit);
        assertEquals(Settings.POLICY_THROW, s.policy);
        assertEquals(90, s.warnPercent);
        assertEquals("system", s.strategy);
        assertEquals(Kind.ALL, s.trackMask);
        assertTrue(s.sites);
        assertNull(s.report);
        assertEquals(Log.INFO, s.log);
    }

    @Test
    void parsesEveryBuiltKey() throws OptionError {
        Settings s = parse("limit=512MiB,limit.direct=64m,limit.unsafe=1g,policy=warn,warn=75%,strategy=system,"
                + "track=direct+unsafe,sites=off,site.skip=io.netty.+com.example.pool.,report=stderr,log=quiet");
        assertEquals(512L << 20, s.limit);
        assertEquals(64L << 20, s.kindLimit(Kind.DIRECT));
        assertEquals(1L << 30, s.kindLimit(Kind.UNSAFE));
        assertEquals(0, s.kindLimit(Kind.FFM));
        assertEquals(Settings.POLICY_WARN, s.policy);
        assertEquals(75, s.warnPercent);
        assertEquals(1 << Kind.DIRECT | 1 << Kind.UNSAFE, s.trackMask);
        assertFalse(s.sites);
        assertArrayEquals(new String[] {"io.netty.", "com.example.pool."}, s.skipPrefixes());
        assertEquals("stderr", s.report);
        assertEquals(Log.QUIET, s.log);
    }

    @Test
    void listsTakePlusUnquotedAndSemicolonQuoted() throws OptionError {
        Settings plus = parse("track=unsafe+ffm,site.skip=io.netty.+org.agrona.");
        Settings semicolon = parse("track=unsafe;ffm,site.skip=io.netty.;org.agrona.");
        Settings mixed = parse("track=unsafe+ffm;,site.skip=+io.netty.;org.agrona.+");
        for (Settings s : new Settings[] {plus, semicolon, mixed}) {
            assertEquals(1 << Kind.UNSAFE | 1 << Kind.FFM, s.trackMask);
            assertArrayEquals(new String[] {"io.netty.", "org.agrona."}, s.skipPrefixes());
        }
        assertEquals("unknown kind 'heap' in track; valid: kinds separated by '+' from " + Kind.names(", "),
                error("track=direct+heap"));
        assertEquals("bad value '+' for site.skip; valid: package prefixes separated by '+' (e.g. io.netty.+com.example.pool.)",
                error("site.skip=+"));
    }

    private static List<String> warnings(String args) throws OptionError {
        List<String> warnings = new ArrayList<>();
        OptionParser.parse(args, new Properties(), warnings::add);
        return warnings;
    }

    @Test
    void optionsThatSurelyMeanSomethingElseGetOneWarningLineEach() throws OptionError {
        assertEquals(List.of("warning: limit=512 is 512 bytes; add a unit if you meant more (limit=512m is 512 MiB)"),
                warnings("limit=512"));
        assertEquals(List.of("warning: limit.unsafe=4095 is 4095 bytes; add a unit if you meant more "
                + "(limit.unsafe=4095m is 4095 MiB)"), warnings("limit.unsafe=4095"));
        assertEquals(List.of("warning: headroom=30 does nothing without limit=auto"), warnings("limit=1g,headroom=30"));
        assertEquals(List.of("warning: pool=64m does nothing with strategy=system; give a pool strategy: "
                + "strategy=slab|buddy|tlsf|arena", "warning: pool.fallback=fail does nothing with strategy=system; "
                + "give a pool strategy: strategy=slab|buddy|tlsf|arena"), warnings("pool=64m,pool.fallback=fail"));
        assertEquals(List.of(), warnings("limit=4096,limit.direct=1k"));
        assertEquals(List.of(), warnings("limit=auto,headroom=30,strategy=tlsf,pool=64m,pool.fallback=fail"));
    }

    @Test
    void propertiesApplyAndTheAgentArgumentWins() throws OptionError {
        Properties properties = new Properties();
        properties.setProperty("alloc.limit", "1g");
        properties.setProperty("alloc.warn", "50");
        properties.setProperty("unrelated.property", "x");
        Settings s = OptionParser.parse("limit=2g", properties);
        assertEquals(2L << 30, s.limit);
        assertEquals(50, s.warnPercent);
    }

    @Test
    void badInputGivesTheContractLine() {
        assertEquals("unknown option 'limt'; valid: " + OptionParser.keys(), error("limt=64m"));
        assertTrue(error("limit=64q").startsWith("bad size '64q' for limit; valid: a whole number of bytes"));
        assertTrue(error("limit=0").startsWith("bad size '0' for limit (must be more than 0); valid: "));
        assertEquals("bad value 'maybe' for policy; valid: throw, warn, exit", error("policy=maybe"));
        assertTrue(error("warn=101").startsWith("bad percentage '101' for warn; valid: "));
        assertTrue(error("track=direct;heap").startsWith("unknown kind 'heap' in track; valid: "));
        assertTrue(error("limit").startsWith("option 'limit' has no value"));
        assertTrue(error("limit=1m,limit=2m").startsWith("option 'limit' is given twice"));
        assertTrue(error("report=/no/such/dir/report.txt").startsWith("cannot write the report to"));
        assertTrue(error("jfr=/no/such/dir/app.jfr").startsWith("cannot write the recording to '/no/such/dir/app.jfr'"));
        Properties typo = new Properties();
        typo.setProperty("alloc.limt", "1g");
        OptionError fromProperty = assertThrows(OptionError.class, () -> OptionParser.parse("", typo));
        assertTrue(fromProperty.getMessage().startsWith("unknown option '-Dalloc.limt'; valid: "));
    }

    @Test
    void jfrStartsARecordingOnOrToAFile() throws OptionError {
        assertEquals("on", OptionParser.parse("jfr=on", new Properties()).jfr);
        assertEquals("on", OptionParser.parse("jfr=ON", new Properties()).jfr);
        assertNull(OptionParser.parse("jfr=off", new Properties()).jfr);
        assertNull(OptionParser.parse("", new Properties()).jfr);
        String file = System.getProperty("java.io.tmpdir") + "/app.jfr";
        assertEquals(file, OptionParser.parse("jfr=" + file, new Properties()).jfr);
    }

    @Test
    void limitAutoHeadroomAndPolicyExit() throws OptionError {
        Settings auto = OptionParser.parse("limit=auto,headroom=10%,policy=exit", new Properties());
        assertTrue(auto.limitAuto);
        assertEquals(0, auto.limit);
        assertEquals(10, auto.headroomPercent);
        assertEquals(Settings.POLICY_EXIT, auto.policy);
        assertEquals(25, OptionParser.parse("limit=auto", new Properties()).headroomPercent);
        assertEquals(0, OptionParser.parse("limit=auto,headroom=0", new Properties()).headroomPercent);
        assertEquals("bad percentage '100%' for headroom; valid: a whole number from 0 to 99, e.g. 25%", error("headroom=100%"));
        assertEquals("bad percentage 'lots' for headroom; valid: a whole number from 0 to 99, e.g. 25%", error("headroom=lots"));
    }

    @Test
    void poolStrategiesTakeTheirRegionFromPoolOrTheLimit() throws OptionError {
        Settings explicit = parse("strategy=TLSF,pool=96m,pool.fallback=fail");
        assertEquals("tlsf", explicit.strategy);
        assertEquals(96L << 20, explicit.pool);
        assertEquals("fail", explicit.poolFallback);
        Settings fromLimit = parse("strategy=arena,limit=48m");
        assertEquals(0, fromLimit.pool);
        assertEquals(48L << 20, fromLimit.limit);
        assertEquals("system", fromLimit.poolFallback);
        assertEquals("strategy=slab needs the size of its region: give pool=<size> or limit=<size>; "
                + "valid: e.g. strategy=slab,pool=256m", error("strategy=slab"));
        assertTrue(error("strategy=buddy,pool=4000").startsWith("pool=4000 is too small (at least 4k); valid: "));
        assertTrue(error("strategy=buddy,pool=1m,pool.fallback=malloc")
                .startsWith("bad value 'malloc' for pool.fallback; valid: system, fail"));
        assertTrue(error("strategy=jemalloc,pool=1m").startsWith("bad value 'jemalloc' for strategy; valid: "));
    }

    /** Whatever the user types, the outcome is settings or one line of error, nothing else. */
    @Test
    void randomGarbageGivesOneLineErrorsAndNothingElseEscapes() {
        Random random = new Random(42);
        String alphabet = "limt=,;+.%mMgGkKbBiI0123456789 -_auto\t\n\u00e9\u0000=direct;unsafe";
        String[] keys = {"limit", "limit.direct", "policy", "warn", "track", "sites", "site.skip", "report", "log", "x"};
        for (int i = 0; i < 20_000; i++) {
            StringBuilder args = new StringBuilder();
            int items = random.nextInt(4);
            for (int item = 0; item < items; item++) {
                if (item > 0) {
                    args.append(random.nextInt(5) == 0 ? ";" : ",");
                }
                if (random.nextBoolean()) {
                    args.append(keys[random.nextInt(keys.length)]).append('=');
                }
                int length = random.nextInt(8);
                for (int c = 0; c < length; c++) {
                    args.append(alphabet.charAt(random.nextInt(alphabet.length())));
                }
            }
            try {
                parse(args.toString());
            } catch (OptionError e) {
                String message = e.getMessage();
                assertTrue(message.contains("; valid: "), message);
                assertFalse(message.contains("\n") || message.contains("\r"), message);
            } catch (RuntimeException e) {
                fail("'" + args + "' escaped as " + e);
            }
        }
    }
}
