package dev.alloc.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.alloc.it.programs.HoldDirectBuffers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** {@code report=} and {@code jfr=} cannot be redirected through a symbolic link (issue 12). */
class RedirectedFilesTest {
    static final String SITE = "dev.alloc.it.programs.HoldDirectBuffers.main(HoldDirectBuffers.java:15)";

    @EveryJdk
    void symbolicLinksAreRefusedAndTheirTargetsStayUntouched(Jdk jdk) throws Exception {
        Path dir = ForkedJvm.emptyWorkDir("redirect-links-" + jdk.feature());
        Path victim = Files.writeString(dir.resolve("victim.txt"), "keep me");
        Path report = Files.createSymbolicLink(dir.resolve("report.txt"), victim);
        Path jfr = Files.createSymbolicLink(dir.resolve("alloc.jfr"), victim);
        ForkedJvm.Result r = ForkedJvm.on(jdk).agent("report=" + report + ",jfr=" + jfr)
                .main(HoldDirectBuffers.class, "4", "1048583").run();
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("keep me", Files.readString(victim));
        assertTrue(Files.isSymbolicLink(report) && Files.isSymbolicLink(jfr));
        assertTrue(r.stderr().contains("alloc: report=" + report + " refused: it is a symbolic link (alloc never writes "
                + "through one); the report will go to standard error\n"), r.toString());
        assertTrue(r.stderr().contains("alloc: jfr=" + jfr + " refused: it is a symbolic link (alloc never writes "
                + "through one); no recording started\n"), r.toString());
        // Nothing lost: the report went to standard error.
        assertEquals(4_194_332L, ExitReportRows.parse(r.stderr()).get(SITE).liveBytes(), r.toString());
        assertEquals(List.of("alloc.jfr", "report.txt", "victim.txt"), names(dir));
    }

    @EveryJdk
    void filesAreWrittenPrivateAndReplaceRegularFilesWhole(Jdk jdk) throws Exception {
        Path dir = ForkedJvm.emptyWorkDir("redirect-files-" + jdk.feature());
        Path report = Files.writeString(dir.resolve("report.txt"), "an older report");
        Files.setPosixFilePermissions(report, PosixFilePermissions.fromString("rw-r--r--"));
        Path jfr = dir.resolve("alloc.jfr");
        ForkedJvm.Result r = ForkedJvm.on(jdk).agent("report=" + report + ",jfr=" + jfr)
                .main(HoldDirectBuffers.class, "4", "1048583").run();
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(4_194_332L, ExitReportRows.parse(Files.readString(report)).get(SITE).liveBytes());
        for (Path file : List.of(report, jfr)) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)), file.toString());
        }
        assertEquals(List.of("alloc.jfr", "report.txt"), names(dir), "no staging file or directory left");
        byte[] magic = java.util.Arrays.copyOf(Files.readAllBytes(jfr), 4);
        assertEquals("FLR\0", new String(magic, java.nio.charset.StandardCharsets.ISO_8859_1), "a Flight Recorder file");
    }

    private static List<String> names(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }
}
