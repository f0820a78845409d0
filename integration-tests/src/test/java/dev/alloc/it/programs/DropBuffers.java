package dev.alloc.it.programs;

import java.nio.ByteBuffer;

/**
 * Allocates {@code count} buffers of 1 MiB and drops each at once: under a 64 MiB limit this
 * only works if GC-freed buffers are reclaimed and their memory reused. At the end it waits
 * until the JDK's own count of direct buffers is 0 (every Cleaner ran) and prints that count.
 */
public final class DropBuffers {
    public static void main(String[] args) throws InterruptedException {
        int count = Integer.parseInt(args[0]);
        long sum = 0;
        for (int i = 0; i < count; i++) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
            buffer.put(0, (byte) i);
            sum += buffer.get(0);
        }
        System.out.println("allocated " + count + " (" + sum + ")");
        java.lang.management.BufferPoolMXBean direct = java.lang.management.ManagementFactory
                .getPlatformMXBeans(java.lang.management.BufferPoolMXBean.class).stream()
                .filter(pool -> pool.getName().equals("direct")).findFirst().orElseThrow();
        for (int wait = 0; wait < 200 && direct.getCount() > 0; wait++) {
            System.gc();
            Thread.sleep(50);
        }
        System.out.println("direct buffers left " + direct.getCount());
    }
}
