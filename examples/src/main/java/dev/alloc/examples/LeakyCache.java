package dev.alloc.examples;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A program that leaks direct buffers from two call sites, as a cache and a session table
 * would: run it under the agent with a limit to see the limit error name the site and the top
 * holders, and the exit report list what is still live.
 *
 * <pre>java -javaagent:agent/target/alloc.jar=limit=64m,report=stderr -cp examples/target/alloc-examples.jar dev.alloc.examples.LeakyCache</pre>
 */
public final class LeakyCache {
    private final List<ByteBuffer> images = new ArrayList<>();
    private final List<ByteBuffer> sessions = new ArrayList<>();

    public static void main(String[] args) {
        LeakyCache cache = new LeakyCache();
        try {
            for (int i = 0; ; i++) {
                cache.loadImage();
                if (i % 2 == 0) {
                    cache.openSession();
                }
            }
        } catch (OutOfMemoryError e) {
            System.out.println("LeakyCache stopped after " + cache.images.size() + " images and "
                    + cache.sessions.size() + " sessions:");
            System.out.println("  " + e);
        }
    }

    /** Leaks 1,999,993 bytes per call: never evicted. */
    private void loadImage() {
        images.add(ByteBuffer.allocateDirect(1_999_993));
    }

    /** Leaks 1 MiB per call: sessions are never closed. */
    private void openSession() {
        sessions.add(ByteBuffer.allocateDirect(1 << 20));
    }
}
