package dev.alloc.it.programs;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes a large heap buffer to a file channel: the JDK copies it through a temporary direct
 * buffer of its own ({@code sun.nio.ch.Util}), which no rewritten call site names.
 */
public final class TemporaryBuffers {
    public static void main(String[] args) throws Exception {
        Path file = Files.createTempFile("alloc-temp", ".bin");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            writeLarge(channel);
        } finally {
            Files.delete(file);
        }
        System.out.println("written");
    }

    static void writeLarge(FileChannel channel) throws Exception {
        ByteBuffer heap = ByteBuffer.allocate(3_333_331);
        while (heap.hasRemaining()) {
            channel.write(heap);
        }
    }
}
