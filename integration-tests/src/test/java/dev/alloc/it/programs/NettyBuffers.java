package dev.alloc.it.programs;

import dev.alloc.OffHeapStats;
import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;

/**
 * Direct buffers from Netty's allocators (args: pooled|unpooled|adaptive, then hold N SIZE or
 * fill SIZE). {@code hold} compares what Netty says it took with what the agent counted;
 * {@code fill} asks for buffers until something fails and prints the whole cause chain.
 */
public final class NettyBuffers {
    public static void main(String[] args) {
        ByteBufAllocator allocator = allocator(args[0]);
        take(allocator, 1).release(); // let Netty initialise itself first
        if (args[1].equals("hold")) {
            hold(allocator, Integer.parseInt(args[2]), Integer.parseInt(args[3]));
        } else {
            fill(allocator, Integer.parseInt(args[2]));
        }
    }

    static ByteBufAllocator allocator(String name) {
        switch (name) {
            case "pooled":
                return new PooledByteBufAllocator(true);
            case "unpooled":
                return new UnpooledByteBufAllocator(true);
            case "adaptive":
                return new AdaptiveByteBufAllocator(true, true);
            default:
                throw new IllegalArgumentException(name);
        }
    }

    static ByteBuf take(ByteBufAllocator allocator, int size) {
        return allocator.directBuffer(size, size);
    }

    static void hold(ByteBufAllocator allocator, int count, int size) {
        ByteBufAllocatorMetric metric = ((ByteBufAllocatorMetricProvider) allocator).metric();
        long nettyBefore = metric.usedDirectMemory();
        long[] agentBefore = usedByKind();
        List<ByteBuf> held = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            held.add(take(allocator, size));
        }
        System.out.println("netty " + (metric.usedDirectMemory() - nettyBefore) + delta(agentBefore));
        for (ByteBuf buffer : held) {
            buffer.release();
        }
        System.out.println("released netty " + (metric.usedDirectMemory() - nettyBefore) + delta(agentBefore));
    }

    private static final String[] KINDS = {"direct", "unsafe", "ffm", "malloc"};

    private static long[] usedByKind() {
        long[] used = new long[KINDS.length];
        for (int i = 0; i < KINDS.length; i++) {
            used[i] = OffHeapStats.used(KINDS[i]);
        }
        return used;
    }

    /** What the agent counted since {@code before}, per kind: " direct D unsafe U ffm F malloc M". */
    private static String delta(long[] before) {
        long[] now = usedByKind();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < KINDS.length; i++) {
            text.append(' ').append(KINDS[i]).append(' ').append(now[i] - before[i]);
        }
        return text.toString();
    }

    static void fill(ByteBufAllocator allocator, int size) {
        List<ByteBuf> held = new ArrayList<>();
        try {
            while (held.size() < 100_000) {
                held.add(take(allocator, size));
            }
            System.out.println("never failed");
        } catch (Throwable e) {
            System.out.println("held " + held.size());
            for (Throwable t = e; t != null; t = t.getCause()) {
                System.out.println((t == e ? "caught " : "cause ") + t.getClass().getName() + ": " + t.getMessage());
            }
        }
    }
}
