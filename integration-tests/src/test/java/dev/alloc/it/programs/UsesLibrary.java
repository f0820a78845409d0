package dev.alloc.it.programs;

import dev.alloc.it.programs.lib.BufferLibrary;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Gets 3 buffers of 777,781 bytes from a "library"; the site should be {@link #fromApplication}. */
public final class UsesLibrary {
    public static void main(String[] args) {
        List<ByteBuffer> held = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            held.add(fromApplication());
        }
        System.out.println("held " + held.size());
    }

    static ByteBuffer fromApplication() {
        return BufferLibrary.buffer(777_781);
    }
}
