package dev.alloc.examples;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A service that leaks slowly, for trying {@code java -jar alloc.jar attach} and {@code status}
 * on a running JVM: every 200 ms it keeps one more 1,048,583-byte direct buffer ("a session")
 * and takes a short-lived 65,521-byte one ("a request"). It prints its pid at start and a line
 * whenever an allocation fails, and runs until stopped (Ctrl-C), or for the seconds given as
 * argument.
 */
public final class AttachDemo {
    public static void main(String[] args) throws Exception {
        boolean untilStopped = args.length == 0;
        long nanos = untilStopped ? 0 : TimeUnit.SECONDS.toNanos(Long.parseLong(args[0]));
        System.out.println("AttachDemo running as pid " + ProcessHandle.current().pid()
                + "; attach with: java -jar agent/target/alloc.jar attach " + ProcessHandle.current().pid() + " limit=16m");
        List<ByteBuffer> sessions = new ArrayList<>();
        long start = System.nanoTime();
        while (untilStopped || System.nanoTime() - start < nanos) {
            try {
                sessions.add(openSession());
                handleRequest();
            } catch (OutOfMemoryError e) {
                System.out.println("after " + sessions.size() + " sessions: " + e.getMessage());
            }
            Thread.sleep(200);
        }
    }

    static ByteBuffer openSession() {
        return ByteBuffer.allocateDirect(1_048_583);
    }

    static void handleRequest() {
        ByteBuffer request = ByteBuffer.allocateDirect(65_521);
        request.putInt(0, 42);
    }
}
