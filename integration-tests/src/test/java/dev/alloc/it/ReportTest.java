package dev.alloc.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.alloc.it.programs.EmitAgentEvents;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;

/** {@code java -jar alloc.jar report}: text and an HTML page checked in headless Chromium (issue 7). */
class ReportTest {
    static final String SITE0 = "com.example.Site0.<init>(Site0.java:10)";

    /** A recording with the agent's event names and known numbers, made by a real JVM of this JDK. */
    static Path recording(Jdk jdk, String name) {
        Path file = ForkedJvm.workDir("report-" + jdk.feature()).resolve(name + ".jfr");
        ForkedJvm.Result made = ForkedJvm.on(jdk).main(EmitAgentEvents.class, file.toString()).run();
        assertEquals(0, made.exitCode(), made.toString());
        return file;
    }

    static ForkedJvm.Result report(Jdk jdk, String... args) {
        return ForkedJvm.on(jdk).jar(ForkedJvm.agentJar(), args).run();
    }

    @EveryJdk
    void textHasTheSiteTableAndTheLimitEvents(Jdk jdk) {
        Path file = recording(jdk, "text");
        ForkedJvm.Result r = report(jdk, "report", file.toString(), "--top", "3");
        assertEquals(0, r.exitCode(), r.toString());
        String out = r.stdout();
        assertTrue(out.startsWith("alloc report: " + file + ", "), out);
        assertTrue(out.contains(", 12 statistics samples, 10 sites\n"), out);
        assertTrue(out.contains("sites by live bytes at the end (top 3 of 10):\n"), out);
        assertTrue(out.contains("\n    live bytes        live  live count   peak live       total bytes  total count"
                + "  freed explicitly  freed by GC  freed by close  oldest live  limit errors  kind    site\n"), out);
        assertTrue(out.contains("\n    23,999,916    22.9 MiB          12    22.9 MiB        24,777,697           13"
                + "         759.6 KiB          0 B             0 B        1.2 s             1  direct  " + SITE0 + "\n"), out);
        assertTrue(out.contains("\n     4,194,324     4.0 MiB          12     4.0 MiB         4,972,105           13"
                + "               0 B    759.6 KiB             0 B        1.2 s             0  direct  "
                + "com.example.Site2.<init>(Site2.java:12)\n"), out);
        assertEquals(3 + 1, out.split("\n\n")[1].split("\n").length - 1, "header + 3 rows:\n" + out);
        assertTrue(out.contains("limit events: 1 exceeded, 0 warnings\n"), out);
        assertTrue(out.matches("(?s).*\n  \\+\\d+\\.\\d{3} s  exceeded  direct  requested 1,999,993, used 48,272,052 of "
                + "33,554,432 at " + Pattern.quote(SITE0) + "; top site " + Pattern.quote(SITE0) + "\n.*"), out);
    }

    @EveryJdk
    void badArgumentsAreOneLineErrors(Jdk jdk) {
        ForkedJvm.Result missing = report(jdk, "report", "/nonexistent.jfr");
        assertEquals(1, missing.exitCode(), missing.toString());
        assertEquals("alloc: cannot read /nonexistent.jfr", missing.stderr().trim());
        ForkedJvm.Result top = report(jdk, "report", "x.jfr", "--top", "none");
        assertEquals(2, top.exitCode(), top.toString());
        assertEquals("alloc: bad value 'none' for --top; valid: a whole number above 0", top.stderr().trim());
    }

    @EveryJdk
    void htmlPageRendersInHeadlessChromiumWithoutErrors(Jdk jdk) throws Exception {
        Path file = recording(jdk, "html");
        Path html = file.resolveSibling("report.html");
        Files.deleteIfExists(html);
        ForkedJvm.Result r = report(jdk, "report", file.toString(), "--html", html.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdout().endsWith("wrote " + html + "\n"), r.toString());
        String page = Files.readString(html);
        assertSelfContained(page);
        assertTrue(page.contains("<td class=\"site\">com.example.Site0.&lt;init&gt;(Site0.java:10)</td>"), "escaped site");

        HeadlessChromium.Run dom = HeadlessChromium.dumpDom(html);
        String rendered = dom.stdout();
        assertTrue(rendered.contains("data-js=\"ready\""), "the page's script ran to its end:\n" + dom.log());
        assertTrue(rendered.contains("data-samples=\"12\""), rendered);
        assertFalse(rendered.matches("(?s).*<html[^>]*data-js-errors.*"), "JavaScript errors:\n" + rendered);
        assertNoConsoleMessages(dom.log());
        assertEquals(9, count(rendered, "class=\"layer\""), "8 sites and the others, stacked");
        assertEquals(2, count(rendered, "class=\"series\""), "used and limit");
        assertEquals(1, count(rendered, "class=\"marker\""), "one limit event");
        assertEquals(10, count(rendered, "<tr><td class=\"site\">"), "every site in the table");
        assertTrue(rendered.contains("2 other sites"), rendered);

        Path png = file.resolveSibling("report.png");
        Files.deleteIfExists(png);
        HeadlessChromium.Run shot = HeadlessChromium.screenshot(html, png, 1100, 1000);
        assertNoConsoleMessages(shot.log());
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(1100, image.getWidth());
        // The charts are drawn: the used line / first layer blue and the limit's red cover many pixels.
        assertTrue(pixels(image, 0x4e79a7) > 2_000, "blue pixels: " + pixels(image, 0x4e79a7));
        assertTrue(pixels(image, 0xe15759) > 300, "red pixels: " + pixels(image, 0xe15759));
        assertTrue(pixels(image, 0xf28e2b) > 2_000, "second layer's orange: " + pixels(image, 0xf28e2b));
    }

    static void assertSelfContained(String page) {
        for (String external : new String[] {"src=", "href=", "<link", "@import", "url(", "fetch(", "XMLHttpRequest"}) {
            assertFalse(page.contains(external), "the page must load nothing: found " + external);
        }
        assertFalse(page.replace("xmlns=\"http://www.w3.org/2000/svg\"", "").matches("(?s).*https?://.*"),
                "no address but the SVG namespace");
    }

    /** Chromium logs console messages (errors included) as CONSOLE lines with --enable-logging. */
    static void assertNoConsoleMessages(String log) {
        for (String line : log.split("\n")) {
            assertFalse(line.contains("CONSOLE") || line.contains("Uncaught"), "console output: " + line + "\n" + log);
        }
    }

    static int count(String text, String what) {
        int n = 0;
        for (Matcher m = Pattern.compile(Pattern.quote(what)).matcher(text); m.find();) {
            n++;
        }
        return n;
    }

    static long pixels(BufferedImage image, int rgb) {
        long n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int p = image.getRGB(x, y) & 0xffffff;
                if (Math.abs((p >> 16) - (rgb >> 16)) < 12 && Math.abs(((p >> 8) & 0xff) - ((rgb >> 8) & 0xff)) < 12
                        && Math.abs((p & 0xff) - (rgb & 0xff)) < 12) {
                    n++;
                }
            }
        }
        return n;
    }
}
