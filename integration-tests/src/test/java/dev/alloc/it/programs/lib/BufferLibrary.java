package dev.alloc.it.programs.lib;

import java.nio.ByteBuffer;

/** Stands for a library (like Netty) whose frames {@code site.skip} moves attribution past. */
public final class BufferLibrary {
    private BufferLibrary() {
    }

    public static ByteBuffer buffer(int size) {
        return ByteBuffer.allocateDirect(size);
    }
}
