package dev.alloc.it.programs;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * For about {@code args[0]} milliseconds keeps a 1,999,993-byte buffer every 100 ms (site A) and a
 * 1,048,583-byte one every 200 ms (site B) until the limit stops them; prints what it kept.
 */
public final class GrowTwoSites {
    public static void main(String[] args) throws Exception {
        List<ByteBuffer> a = new ArrayList<>();
        List<ByteBuffer> b = new ArrayList<>();
        int failed = 0;
        long end = System.currentTimeMillis() + Long.parseLong(args[0]);
        for (int i = 0; System.currentTimeMillis() < end; i++) {
            try {
                a.add(ByteBuffer.allocateDirect(1_999_993));
                if (i % 2 == 0) {
                    b.add(ByteBuffer.allocateDirect(1_048_583));
                }
            } catch (OutOfMemoryError e) {
                failed++;
            }
            Thread.sleep(100);
        }
        System.out.println("siteA " + a.size() + " siteB " + b.size() + " failed " + failed);
    }
}
