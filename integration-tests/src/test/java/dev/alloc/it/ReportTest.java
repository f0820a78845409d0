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
        return made(jdk, name).file();
    }

    /** The recording and the pid of the JVM that made it (with -Dalloc.limit=32m, as if for the agent). */
    private record Made(Path file, long pid) {
    }

    private static Made made(Jdk jdk, String name) {
        Path file = ForkedJvm.workDir("report-" + jdk.feature()).resolve(name + ".jfr");
        ForkedJvm.Result made = ForkedJvm.on(jdk).jvmArgs("-Dalloc.limit=32m").main(EmitAgentEvents.class, file.toString()).run();
        assertEquals(0, made.exitCode(), made.toString());
        Matcher pid = Pattern.compile("from pid (\\d+)").matcher(made.stdout());
        assertTrue(pid.find(), made.toString());
        return new Made(file, Long.parseLong(pid.group(1)));
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
        Made made = made(jdk, "html");
        Path file = made.file();
        Path html = file.resolveSibling("report.html");
        Files.deleteIfExists(html);
        ForkedJvm.Result r = report(jdk, "report", file.toString(), "--html", html.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdout().endsWith("wrote " + html + "\n"), r.toString());
        String page = Files.readString(html);
        assertSelfContained(page);
        assertTrue(page.contains("<td class=\"site\" data-label=\"site\">com.example.Site0.&lt;init&gt;(Site0.java:10)</td>"),
                "escaped site");
        // The header: which JVM, which JDK, which options, when.
        assertTrue(page.contains("<dt>pid</dt><dd>" + made.pid() + "</dd>"), page);
        assertTrue(page.matches("(?s).*<dt>JDK</dt><dd>" + jdk.feature() + "[.,].*"), page);
        assertTrue(page.contains("<dt>agent options</dt><dd>alloc.limit=32m</dd>"), page);
        assertTrue(page.matches("(?s).*<dt>time</dt><dd>20\\d\\d-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d to [-\\d :]+ UTC "
                + "\\(\\d+\\.\\d{3} s\\)</dd>.*"), page);
        // The flame graphs: live bytes by stack (one image freed), then allocated bytes by stack.
        int allocated = page.indexOf("id=\"flame-allocated\"");
        assertTrue(page.indexOf("id=\"flame-live\"") > 0 && allocated > page.indexOf("id=\"flame-live\""), page);
        String live = page.substring(0, allocated);
        String all = page.substring(allocated);
        assertTrue(live.contains("data-d=\"0\" data-bytes=\"6097152\""), "live: 2 x 1,999,993 + 2 x 1,048,583");
        assertTrue(frame(live, "loadImage", 3_999_986), live);
        assertTrue(frame(live, "openSession", 2_097_166), live);
        assertTrue(all.contains("data-d=\"0\" data-bytes=\"8097145\""), "allocated: 3 x 1,999,993 + 2 x 1,048,583");
        assertTrue(frame(all, "loadImage", 5_999_979), all);
        assertTrue(frame(all, "openSession", 2_097_166), all);

        for (int width : new int[] {1280, 390}) {
            HeadlessChromium.Run dom = HeadlessChromium.dumpDom(html, width, 900);
            String rendered = dom.stdout();
            assertTrue(rendered.contains("data-js=\"ready\""), "the page's script ran to its end:\n" + dom.log());
            assertTrue(rendered.contains("data-samples=\"12\""), rendered);
            assertFalse(rendered.matches("(?s).*<html[^>]*data-js-errors.*"), "JavaScript errors:\n" + rendered);
            assertNoConsoleMessages(dom.log());
            assertTrue(rendered.matches("(?s).*<html[^>]*data-overflow-x=\"0\".*"),
                    "the page scrolls sideways at " + width + " px:\n" + rendered.substring(0, 300));
            assertEquals(9, count(rendered, "class=\"layer\""), "8 sites and the others, stacked");
            assertEquals(2, count(rendered, "class=\"series\""), "used and limit");
            assertEquals(1, count(rendered, "class=\"marker\""), "one limit event");
            assertEquals(10, count(rendered, "<tr><td class=\"site\""), "every site in the table");
            assertTrue(rendered.contains("2 other sites"), rendered);
        }

        for (int width : new int[] {1280, 390}) {
            Path png = file.resolveSibling("report-" + width + ".png");
            Files.deleteIfExists(png);
            HeadlessChromium.Run shot = HeadlessChromium.screenshot(html, png, width, 2400);
            assertNoConsoleMessages(shot.log());
            BufferedImage image = ImageIO.read(png.toFile());
            assertEquals(width, image.getWidth());
            // The charts are drawn: the used line / first layer blue and the limit's red cover many pixels.
            long scale = width == 1280 ? 1 : 8;
            assertTrue(pixels(image, 0x4e79a7) > 2_000 / scale, "blue pixels: " + pixels(image, 0x4e79a7));
            assertTrue(pixels(image, 0xe15759) > 300 / scale, "red pixels: " + pixels(image, 0xe15759));
            assertTrue(pixels(image, 0xf28e2b) > 2_000 / scale, "second layer's orange: " + pixels(image, 0xf28e2b));
        }
    }

    /** A flame graph frame of {@code EmitAgentEvents.<method>} holding {@code bytes}. */
    private static boolean frame(String graph, String method, long bytes) {
        return Pattern.compile("data-bytes=\"" + bytes + "\" title=\"dev\\.alloc\\.it\\.programs\\.EmitAgentEvents\\." + method + "\n")
                .matcher(graph).find();
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
