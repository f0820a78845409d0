package dev.alloc.it.programs;

import dev.alloc.OffHeapLimitExceededError;
import dev.alloc.OffHeapStats;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import sun.misc.Unsafe;

/**
 * Threads allocate and free a random mix of every kind this JDK has (direct, unsafe with
 * reallocations, and on 22+ shared FFM arenas and libc malloc through a downcall) with random
 * sizes, through shared slots, so most frees happen on another thread than the allocation
 * (args: threads, operations in all, and {@code virtual} for virtual threads). It keeps its own
 * tally of live bytes per kind and prints it next to the agent's numbers, then frees everything
 * and prints them again. Meanwhile a sampler reads the agent's used bytes without pause and
 * prints the highest it saw next to each limit.
 */
public final class ChurnAllKinds {
    static final Unsafe UNSAFE = TheUnsafe.get();
    static final String[] KINDS = {"direct", "unsafe", "ffm", "malloc"};
    static final int SLOTS = 4096;
    static final int MAX_SIZE = 16 * 1024;

    /** A live block: its kind, the bytes the agent should count, and what frees it. */
    static final class Block {
        final int kind;
        final long bytes;
        final long address;
        final Object owner;

        Block(int kind, long bytes, long address, Object owner) {
            this.kind = kind;
            this.bytes = bytes;
            this.address = address;
            this.owner = owner;
        }
    }

    static final AtomicReferenceArray<Block> SLOT = new AtomicReferenceArray<>(SLOTS);
    static final AtomicLongArray LIVE = new AtomicLongArray(KINDS.length);
    static final AtomicLong REFUSED = new AtomicLong();
    static final AtomicLong DONE = new AtomicLong();
    static Ffm ffm;

    public static void main(String[] args) throws Exception {
        int threads = Integer.parseInt(args[0]);
        long operations = Long.parseLong(args[1]);
        ffm = Runtime.version().feature() >= 22 ? new Ffm() : null;
        int kinds = ffm == null ? 2 : 4;
        boolean virtual = args.length > 2 && args[2].equals("virtual");
        long[] baseline = used();
        long[] highest = new long[KINDS.length + 1];
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            while (running.get()) {
                long[] now = used();
                for (int i = 0; i < KINDS.length; i++) {
                    highest[i] = Math.max(highest[i], now[i]);
                }
                highest[KINDS.length] = Math.max(highest[KINDS.length], OffHeapStats.used());
            }
        });
        sampler.start();
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            Runnable work = () -> churn(operations / threads, kinds);
            workers[t] = virtual ? (Thread) Thread.class.getMethod("startVirtualThread", Runnable.class).invoke(null, work)
                    : new Thread(work);
            if (!virtual) {
                workers[t].start();
            }
        }
        for (Thread worker : workers) {
            worker.join();
        }
        running.set(false);
        sampler.join();
        System.out.println("operations " + DONE.get() + " kinds " + kinds + " refused " + REFUSED.get());
        System.out.println("live   " + tally());
        System.out.println("agent  " + minus(used(), baseline));
        for (int i = 0; i < SLOTS; i++) {
            Block block = SLOT.getAndSet(i, null);
            if (block != null) {
                free(block);
            }
        }
        System.out.println("freed  " + tally());
        System.out.println("agent  " + minus(used(), baseline));
        StringBuilder peaks = new StringBuilder("peaks");
        for (String kind : KINDS) {
            peaks.append(' ').append(kind).append(' ').append(OffHeapStats.peak(kind)).append('/').append(OffHeapStats.limit(kind));
        }
        System.out.println(peaks.append(" total ").append(OffHeapStats.peak()).append('/').append(OffHeapStats.limit()));
        StringBuilder sampled = new StringBuilder("sampled");
        for (int i = 0; i < KINDS.length; i++) {
            sampled.append(' ').append(KINDS[i]).append(' ').append(highest[i]).append('/').append(OffHeapStats.limit(KINDS[i]));
        }
        System.out.println(sampled.append(" total ").append(highest[KINDS.length]).append('/').append(OffHeapStats.limit()));
    }

    static void churn(long operations, int kinds) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (long n = 0; n < operations; n++) {
            int slot = random.nextInt(SLOTS);
            Block block = SLOT.get(slot);
            if (block != null) {
                if (SLOT.compareAndSet(slot, block, null)) {
                    if (block.kind == 1 && random.nextInt(4) == 0) {
                        block = reallocate(block, 8 * (1 + random.nextInt(MAX_SIZE / 8)));
                        if (!SLOT.compareAndSet(slot, null, block)) {
                            free(block);
                        }
                    } else {
                        free(block);
                    }
                }
            } else {
                try {
                    block = allocate(pickKind(random, kinds), 8 * (1 + random.nextInt(MAX_SIZE / 8)));
                } catch (OffHeapLimitExceededError refused) {
                    REFUSED.incrementAndGet();
                    DONE.incrementAndGet();
                    continue;
                }
                if (!SLOT.compareAndSet(slot, null, block)) {
                    free(block);
                }
            }
            DONE.incrementAndGet();
        }
    }

    /**
     * Direct 3, unsafe 6, malloc 6, ffm 1 in 16: closing a shared arena costs a handshake with
     * every thread, so FFM is rarer to keep the run to seconds.
     */
    static int pickKind(ThreadLocalRandom random, int kinds) {
        int pick = random.nextInt(kinds == 2 ? 9 : 16);
        return pick < 3 ? 0 : pick < 9 ? 1 : pick < 15 ? 3 : 2;
    }

    static Block allocate(int kind, int size) {
        Block block;
        switch (kind) {
            case 0:
                block = new Block(kind, size, 0, ByteBuffer.allocateDirect(size));
                break;
            case 1:
                block = new Block(kind, size, UNSAFE.allocateMemory(size), null);
                break;
            case 2:
                block = new Block(kind, size, 0, ffm.arenaWith(size));
                break;
            default:
                block = new Block(kind, size, ffm.malloc(size), null);
                break;
        }
        LIVE.addAndGet(kind, size);
        return block;
    }

    static Block reallocate(Block block, int size) {
        long moved;
        try {
            moved = UNSAFE.reallocateMemory(block.address, size);
        } catch (OffHeapLimitExceededError refused) {
            REFUSED.incrementAndGet();
            return block; // the old block is untouched
        }
        LIVE.addAndGet(1, size - block.bytes);
        return new Block(1, size, moved, null);
    }

    static void free(Block block) {
        switch (block.kind) {
            case 0:
                UNSAFE.invokeCleaner((ByteBuffer) block.owner);
                break;
            case 1:
                UNSAFE.freeMemory(block.address);
                break;
            case 2:
                ffm.close(block.owner);
                break;
            default:
                ffm.free(block.address);
                break;
        }
        LIVE.addAndGet(block.kind, -block.bytes);
    }

    static long[] used() {
        long[] used = new long[KINDS.length];
        for (int i = 0; i < KINDS.length; i++) {
            used[i] = OffHeapStats.used(KINDS[i]);
        }
        return used;
    }

    static String tally() {
        long[] live = new long[KINDS.length];
        for (int i = 0; i < KINDS.length; i++) {
            live[i] = LIVE.get(i);
        }
        return format(live);
    }

    static String minus(long[] a, long[] b) {
        long[] d = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i] - b[i];
        }
        return format(d);
    }

    static String format(long[] values) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            text.append(KINDS[i]).append(' ').append(values[i]).append(i + 1 < values.length ? " " : "");
        }
        return text.toString();
    }

    /** Shared FFM arenas and libc malloc/free, through method handles (this class compiles for 17). */
    static final class Ffm {
        final MethodHandle ofShared;
        final MethodHandle allocate;
        final MethodHandle close;
        final MethodHandle malloc;
        final MethodHandle free;

        Ffm() throws Exception {
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            Class<?> arena = Class.forName("java.lang.foreign.Arena");
            Class<?> segment = Class.forName("java.lang.foreign.MemorySegment");
            ofShared = lookup.findStatic(arena, "ofShared", MethodType.methodType(arena)).asType(MethodType.methodType(Object.class));
            allocate = lookup.findVirtual(arena, "allocate", MethodType.methodType(segment, long.class))
                    .asType(MethodType.methodType(Object.class, Object.class, long.class));
            close = lookup.findVirtual(arena, "close", MethodType.methodType(void.class))
                    .asType(MethodType.methodType(void.class, Object.class));
            Class<?> linkerClass = Class.forName("java.lang.foreign.Linker");
            Class<?> layout = Class.forName("java.lang.foreign.MemoryLayout");
            Class<?> descriptor = Class.forName("java.lang.foreign.FunctionDescriptor");
            Class<?> option = Class.forName("java.lang.foreign.Linker$Option");
            Object javaLong = Class.forName("java.lang.foreign.ValueLayout").getField("JAVA_LONG").get(null);
            Object linker = linkerClass.getMethod("nativeLinker").invoke(null);
            Object lookupSymbols = linkerClass.getMethod("defaultLookup").invoke(linker);
            java.lang.reflect.Method find = Class.forName("java.lang.foreign.SymbolLookup").getMethod("find", String.class);
            java.lang.reflect.Method downcall = linkerClass.getMethod("downcallHandle", segment, descriptor,
                    java.lang.reflect.Array.newInstance(option, 0).getClass());
            Object layouts = java.lang.reflect.Array.newInstance(layout, 1);
            java.lang.reflect.Array.set(layouts, 0, javaLong);
            Object mallocType = descriptor.getMethod("of", layout, layouts.getClass()).invoke(null, javaLong, layouts);
            Object freeType = descriptor.getMethod("ofVoid", layouts.getClass()).invoke(null, layouts);
            Object noOptions = java.lang.reflect.Array.newInstance(option, 0);
            malloc = (MethodHandle) downcall.invoke(linker, ((java.util.Optional<?>) find.invoke(lookupSymbols, "malloc")).get(),
                    mallocType, noOptions);
            free = (MethodHandle) downcall.invoke(linker, ((java.util.Optional<?>) find.invoke(lookupSymbols, "free")).get(),
                    freeType, noOptions);
        }

        Object arenaWith(long size) {
            try {
                Object arena = ofShared.invokeExact();
                Object ignored = allocate.invokeExact(arena, size);
                return arena;
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        }

        void close(Object arena) {
            try {
                close.invokeExact(arena);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        }

        long malloc(long size) {
            try {
                return (long) malloc.invokeExact(size);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        }

        void free(long address) {
            try {
                free.invokeExact(address);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
