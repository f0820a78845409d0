package dev.alloc.it.programs;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs until its standard input closes, taking commands one per line: {@code hold <bytes>}
 * allocates and keeps a direct buffer at a fixed site, {@code drop} frees the newest at once
 * ({@code Unsafe.invokeCleaner}), {@code limit <bytes>} sets the agent's limit through its MXBean in
 * this JVM (a local JMX client: no socket I/O, which itself needs direct buffers), {@code quit} exits.
 * Prints {@code ready} first, then {@code ok <n held>} or {@code error <throwable>} per command.
 */
public final class Controlled {
    private static final List<ByteBuffer> HELD = new ArrayList<>();
    private static final sun.misc.Unsafe UNSAFE = unsafe();

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        System.out.println("ready");
        for (String line; (line = in.readLine()) != null;) {
            String[] words = line.trim().split(" ");
            if (words[0].equals("quit")) {
                return;
            }
            try {
                if (words[0].equals("hold")) {
                    HELD.add(Holder.hold(Integer.parseInt(words[1])));
                } else if (words[0].equals("limit")) {
                    javax.management.MBeanServer server = java.lang.management.ManagementFactory.getPlatformMBeanServer();
                    javax.management.ObjectName name = new javax.management.ObjectName("dev.alloc:type=OffHeap");
                    while (!server.isRegistered(name)) {
                        Thread.sleep(20);
                    }
                    server.setAttribute(name, new javax.management.Attribute("Limit", Long.parseLong(words[1])));
                } else if (words[0].equals("drop")) {
                    UNSAFE.invokeCleaner(HELD.remove(HELD.size() - 1));
                }
                System.out.println("ok " + HELD.size());
            } catch (OutOfMemoryError e) {
                System.out.println("error " + e);
            }
        }
    }

    private static sun.misc.Unsafe unsafe() {
        try {
            java.lang.reflect.Field field = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            field.setAccessible(true);
            return (sun.misc.Unsafe) field.get(null);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** Not running while a test attaches (main is, in readLine): its call site is rewritten on attach. */
    static final class Holder {
        static ByteBuffer hold(int bytes) {
            return ByteBuffer.allocateDirect(bytes);
        }
    }
}
