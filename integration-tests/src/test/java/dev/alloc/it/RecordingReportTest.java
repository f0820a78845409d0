package dev.alloc.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.alloc.it.programs.GrowTwoSites;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code report} on a recording the agent made itself ({@code jfr=<file>}) (issue 7). */
class RecordingReportTest {
    static final String SITE_A = "dev.alloc.it.programs.GrowTwoSites.main(GrowTwoSites.java:19)";
    static final String SITE_B = "dev.alloc.it.programs.GrowTwoSites.main(GrowTwoSites.java:21)";

    @EveryJdk
    void textAndHtmlFromARealRecording(Jdk jdk) throws Exception {
        Path dir = ForkedJvm.workDir("recording-report-" + jdk.feature());
        Path jfr = dir.resolve("grow.jfr");
        Path html = dir.resolve("grow.html");
        Files.deleteIfExists(jfr);
        Files.deleteIfExists(html);
        ForkedJvm.Result run = ForkedJvm.on(jdk).agent("limit=40m,jfr=" + jfr).main(GrowTwoSites.class, "3000").run();
        assertEquals(0, run.exitCode(), run.toString());
        Matcher kept = Pattern.compile("siteA (\\d+) siteB (\\d+) failed (\\d+)").matcher(run.stdout());
        assertTrue(kept.find(), run.toString());
        long a = Long.parseLong(kept.group(1));
        long b = Long.parseLong(kept.group(2));
        assertTrue(Integer.parseInt(kept.group(3)) > 0, "the limit was hit: " + run);

        ForkedJvm.Result report = ForkedJvm.on(jdk).jar(ForkedJvm.agentJar(), "report", jfr.toString(), "--html", html.toString())
                .run();
        assertEquals(0, report.exitCode(), report.toString());
        String out = report.stdout();
        assertTrue(hasRow(out, a * 1_999_993L, a, SITE_A), "site A holds " + a + " buffers:\n" + out);
        assertTrue(hasRow(out, b * 1_048_583L, b, SITE_B), "site B holds " + b + " buffers:\n" + out);
        assertTrue(out.contains("at the end: used ") && out.contains("limit 40.0 MiB"), out);
        assertTrue(out.matches("(?s).*limit events: [1-9]\\d* exceeded, 1 warnings\n.*"), out);
        assertTrue(out.contains("exceeded  direct  requested "), out);

        String page = Files.readString(html);
        ReportTest.assertSelfContained(page);
        assertTrue(page.contains("<dt>agent options</dt><dd>limit=40m,jfr=" + jfr + "</dd>"), page);
        // Allocated bytes by stack from the agent's own Allocation events: no agent frame on top, and
        // the program's main holds exactly what it kept (nothing was freed), all through allocateDirect.
        long held = a * 1_999_993L + b * 1_048_583L;
        assertTrue(page.contains("id=\"flame-allocated\""), page);
        assertFalse(page.contains("title=\"dev.alloc.runtime.") || page.contains("title=\"dev.alloc.agent."), page);
        assertTrue(page.contains("data-bytes=\"" + held + "\" title=\"dev.alloc.it.programs.GrowTwoSites.main\n"), page);
        assertTrue(page.contains("data-bytes=\"" + held + "\" title=\"java.nio.ByteBuffer.allocateDirect\n"), page);
        HeadlessChromium.Run dom = HeadlessChromium.dumpDom(html);
        assertTrue(dom.stdout().contains("data-js=\"ready\""), dom.log());
        assertFalse(dom.stdout().matches("(?s).*<html[^>]*data-js-errors.*"), dom.stdout());
        ReportTest.assertNoConsoleMessages(dom.log());
        assertEquals(2, ReportTest.count(dom.stdout(), "class=\"layer\""), "sites A and B stacked");
        assertTrue(ReportTest.count(dom.stdout(), "class=\"marker\"") >= 2, "the warning and the limit errors");
    }

    /** A site row with these live bytes and live count (the columns live bytes, live, live count ... site). */
    private static boolean hasRow(String report, long liveBytes, long liveCount, String site) {
        return Pattern.compile("(?m)^ *" + Pattern.quote(String.format(Locale.ROOT, "%,d", liveBytes)) + " +\\S+ \\S+ +"
                + Pattern.quote(String.format(Locale.ROOT, "%,d", liveCount)) + " .*  " + Pattern.quote(site) + "$")
                .matcher(report).find();
    }
}
