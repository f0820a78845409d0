package dev.alloc.it.programs;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Netty's pooled allocator on top of the agent's pool: random-size direct buffers written,
 * read back and released in random order, then the allocator's memory freed. Prints the
 * number of buffers whose bytes came back intact.
 */
public final class NettyOnPool {
    public static void main(String[] args) throws Exception {
        PooledByteBufAllocator allocator = new PooledByteBufAllocator(true, 0, 1, 8192, 9, 64, 16, true);
        Random random = new Random(7);
        List<ByteBuf> live = new ArrayList<>();
        int intact = 0;
        for (int i = 0; i < 5_000; i++) {
            ByteBuf buffer = allocator.directBuffer(1 + random.nextInt(70_000));
            int size = buffer.capacity();
            for (int j = 0; j < size; j += 251) {
                buffer.setByte(j, (byte) (i + j));
            }
            live.add(buffer);
            if (live.size() > 200 || random.nextInt(4) == 0) {
                ByteBuf victim = live.remove(random.nextInt(live.size()));
                intact += intact(victim) ? 1 : 0;
            }
        }
        for (ByteBuf buffer : live) {
            intact += intact(buffer) ? 1 : 0;
        }
        // Netty keeps its 4 MiB chunks after the buffers are released: they are in the agent's pool.
        System.out.println("intact " + intact + " of 5000, Netty's chunks in the pool " + (PoolProbe.inUse() >= 4 << 20));
    }

    private static boolean intact(ByteBuf buffer) {
        boolean ok = true;
        // The writer used its own loop index; recover it from the first byte and check the pattern.
        byte first = buffer.getByte(0);
        for (int j = 251; j < buffer.capacity(); j += 251) {
            ok &= buffer.getByte(j) == (byte) (first + j);
        }
        buffer.release();
        return ok;
    }
}
