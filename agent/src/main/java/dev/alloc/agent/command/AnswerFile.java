package dev.alloc.agent.command;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;

/**
 * Writes an answer into the file the command line created: never creates a file, never follows
 * a symbolic link at the last path component, and only writes a regular file that belongs to
 * the user this JVM runs as (so a directory deleted and re-made by someone else receives nothing).
 */
final class AnswerFile {
    private AnswerFile() {
    }

    static void write(Path file, String text) throws IOException {
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS)) {
            checkOwned(file);
            out.write((text + Request.END).getBytes(StandardCharsets.UTF_8));
        }
    }

    private static void checkOwned(Path file) throws IOException {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(file + " is not a regular file");
        }
        Object owner;
        Object self;
        try {
            owner = Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            self = Files.getAttribute(Paths.get("/proc/self"), "unix:uid");
        } catch (UnsupportedOperationException | IllegalArgumentException | IOException e) {
            return; // no unix attributes or no /proc: the private directory is the only guard
        }
        if (!owner.equals(self)) {
            throw new IOException(file + " belongs to another user");
        }
    }
}
