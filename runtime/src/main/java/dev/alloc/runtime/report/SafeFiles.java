package dev.alloc.runtime.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Files the agent writes where the user said ({@code report=}, {@code jfr=}), written so that
 * nobody can redirect them: the content goes into a new file (mode 0600, an unpredictable name,
 * created exclusively, so never through a link) next to the final path, which is then renamed
 * onto it in one step. A rename replaces the last path component itself: a symbolic link put
 * there at any moment is replaced, never followed, and its target stays untouched. The agent
 * refuses a final path that is a symbolic link, a directory or anything but a regular file;
 * an existing regular file is replaced whole (readers see the old file or the new one).
 */
public final class SafeFiles {
    private SafeFiles() {
    }

    /** Why the agent will not write {@code file}, or null when it may (absent, or a regular file). */
    public static String refusal(Path file) {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            Path dir = file.toAbsolutePath().getParent();
            return dir == null || Files.isDirectory(dir) ? null : "its directory " + dir + " does not exist";
        } catch (IOException e) {
            return "it cannot be examined (" + e + ")";
        }
        if (attributes.isSymbolicLink()) {
            return "it is a symbolic link (alloc never writes through one)";
        }
        if (attributes.isDirectory()) {
            return "it is a directory";
        }
        return attributes.isRegularFile() ? null : "it is not a regular file";
    }

    /** A new empty file, mode 0600 (the JDK's default for temporary files), in {@code file}'s directory. */
    public static Path createNextTo(Path file) throws IOException {
        Path absolute = file.toAbsolutePath();
        return Files.createTempFile(absolute.getParent(), "." + absolute.getFileName() + ".", ".tmp");
    }

    /** A new directory, mode 0700, in {@code file}'s directory: for files that others (JFR) write. */
    public static Path createDirectoryNextTo(Path file) throws IOException {
        Path absolute = file.toAbsolutePath();
        return Files.createTempDirectory(absolute.getParent(), "." + absolute.getFileName() + ".");
    }

    /** Mode 0600 for a file in a directory of {@link #createDirectoryNextTo} (where nobody else can swap it). */
    public static void makePrivate(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: its own rules apply
        }
    }

    /** Renames {@code written} onto {@code file}, replacing a regular file there; fails on anything else. */
    public static void moveIntoPlace(Path written, Path file) throws IOException {
        String refused = refusal(file);
        if (refused != null) {
            throw new IOException(file + " refused: " + refused);
        }
        Files.move(written, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
