package dev.alloc.it.programs;

import dev.alloc.OffHeapStats;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import sun.misc.Unsafe;

/**
 * Maps three regions of 1,999,993 bytes of a file (args: the file), prints the agent's mapped
 * bytes next to the JDK's own "mapped" buffer pool and the agent's total, asks for a fourth
 * (over {@code limit.mapped=6m}), unmaps the three with {@code invokeCleaner}, and prints again.
 */
public final class MappedFiles {
    public static void main(String[] args) throws Exception {
        Path file = Paths.get(args[0]);
        MappedByteBuffer[] maps = new MappedByteBuffer[3];
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            for (int i = 0; i < maps.length; i++) {
                maps[i] = map(channel);
                maps[i].put(1_999_992, (byte) i);
            }
            System.out.println("mapped " + OffHeapStats.used("mapped") + " pool " + pool() + " used " + OffHeapStats.used());
            try {
                map(channel);
                System.out.println("no error");
            } catch (OutOfMemoryError e) {
                System.out.println(e.getClass().getName() + ": " + e.getMessage());
            }
        }
        Field field = Unsafe.class.getDeclaredField("theUnsafe");
        field.setAccessible(true);
        Unsafe unsafe = (Unsafe) field.get(null);
        for (MappedByteBuffer map : maps) {
            unsafe.invokeCleaner(map);
        }
        System.out.println("unmapped " + OffHeapStats.used("mapped") + " pool " + pool());
        Files.delete(file);
    }

    static MappedByteBuffer map(FileChannel channel) throws IOException {
        return channel.map(FileChannel.MapMode.READ_WRITE, 0, 1_999_993);
    }

    static long pool() {
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("mapped")) {
                return pool.getMemoryUsed();
            }
        }
        return -1;
    }
}
