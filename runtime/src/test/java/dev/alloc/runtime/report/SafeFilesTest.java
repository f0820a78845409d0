package dev.alloc.runtime.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeFilesTest {
    @TempDir
    Path dir;

    @Test
    void refusesLinksDirectoriesAndSpecialFilesButNotRegularOrAbsentOnes() throws IOException {
        Path victim = Files.writeString(dir.resolve("victim.txt"), "keep me");
        Path link = Files.createSymbolicLink(dir.resolve("link.txt"), victim);
        Path dangling = Files.createSymbolicLink(dir.resolve("dangling.txt"), dir.resolve("nowhere.txt"));
        assertEquals("it is a symbolic link (alloc never writes through one)", SafeFiles.refusal(link));
        assertEquals("it is a symbolic link (alloc never writes through one)", SafeFiles.refusal(dangling));
        assertEquals("it is a directory", SafeFiles.refusal(dir));
        assertEquals("it is not a regular file", SafeFiles.refusal(Path.of("/dev/null")));
        assertEquals("its directory " + dir.resolve("no") + " does not exist", SafeFiles.refusal(dir.resolve("no/x.txt")));
        assertNull(SafeFiles.refusal(victim));
        assertNull(SafeFiles.refusal(dir.resolve("new.txt")));
    }

    @Test
    void writesANewPrivateFileAndRenamesItOntoARegularFileButNeverOntoALink() throws IOException {
        Path victim = Files.writeString(dir.resolve("victim.txt"), "keep me");
        Path link = Files.createSymbolicLink(dir.resolve("link.txt"), victim);
        Path written = SafeFiles.createNextTo(link);
        assertEquals(dir, written.getParent());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(written)));
        Files.writeString(written, "report 1999993");

        IOException refused = assertThrows(IOException.class, () -> SafeFiles.moveIntoPlace(written, link));
        assertTrue(refused.getMessage().endsWith("link.txt refused: it is a symbolic link (alloc never writes through one)"),
                refused.getMessage());
        assertEquals("keep me", Files.readString(victim));
        assertTrue(Files.isSymbolicLink(link));

        SafeFiles.moveIntoPlace(written, victim); // a regular file: replaced whole, private
        assertEquals("report 1999993", Files.readString(victim));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(victim)));
        assertFalse(Files.exists(written, LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.isSymbolicLink(link));
    }

    @Test
    void aRenameReplacesALinkThatAppearsAfterTheCheckWithoutFollowingIt() throws IOException {
        // The race the check cannot close: the rename itself never writes through the link.
        Path victim = Files.writeString(dir.resolve("victim.txt"), "keep me");
        Path target = dir.resolve("report.txt");
        Path written = SafeFiles.createNextTo(target);
        Files.writeString(written, "report");
        assertNull(SafeFiles.refusal(target));
        Files.createSymbolicLink(target, victim);
        Files.move(written, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        assertEquals("keep me", Files.readString(victim));
        assertEquals("report", Files.readString(target));
        assertFalse(Files.isSymbolicLink(target));
    }

    @Test
    void privateDirectoriesAreOwnerOnly() throws IOException {
        Path staging = SafeFiles.createDirectoryNextTo(dir.resolve("alloc.jfr"));
        assertEquals(dir, staging.getParent());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(staging)));
        Path file = Files.writeString(staging.resolve("alloc.jfr"), "x");
        SafeFiles.makePrivate(file);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }
}
