package dev.alloc.runtime;

import jdk.internal.vm.annotation.DontInline;
import jdk.internal.vm.annotation.ForceInline;

/**
 * The static methods the agent weaves into JDK classes in place of their calls to
 * {@code jdk.internal.misc.Unsafe.allocateMemory/reallocateMemory/freeMemory}. Each takes the
 * {@code Unsafe} receiver as an ignored {@code Object}, so the replacement leaves the operand
 * stack exactly as the original call did. One method per kind and operation, so the kind is a
 * constant and the woven code stays monomorphic.
 *
 * <p>An allocation at or above the {@code dev.alloc.Allocation} event's minimum size raises the
 * event from here, not from deeper in the bridge: on JDKs that ignore the events' stack filter
 * (before 23) its stack trace then starts with two agent frames, the sink's and the hook's.
 *
 * <p>Frees never throw: they run inside Cleaners and {@code Deallocator}s, where an exception
 * terminates the JVM.
 *
 * <p>The direct-buffer hooks are never inlined into the JDK code they are woven into
 * ({@code @DontInline}, honoured for the boot loader's classes): inlined, the accounting made the
 * compiled {@code DirectByteBuffer.<init>} and {@code Cleaner.clean} so large that C2 refused to
 * inline them into their callers ("already compiled into a big method"), so an
 * {@code allocateDirect}/{@code invokeCleaner} pair paid calls through {@code invokeCleaner},
 * {@code Cleaner.clean} and {@code Deallocator.run} that it does not pay without the agent. A
 * call into the hook costs one call; the hook itself is compiled with the accounting inlined.
 */
public final class JdkHooks {
    private JdkHooks() {
    }

    // java.nio.DirectByteBuffer and its Deallocator

    @DontInline
    public static long directAllocate(Object unsafe, long size) {
        long address = OffHeap.allocate(Kind.DIRECT, size);
        FlightEvents.Sink events;
        if (size >= FlightEvents.allocationMinSize() && (events = FlightEvents.sink()) != null) {
            events.allocated(size, address);
        }
        return address;
    }

    @DontInline
    public static void directFree(Object unsafe, long address) {
        free(address, JdkThreads.isCleanerThread(Thread.currentThread())
                ? SiteRegistry.FREED_BY_GC : SiteRegistry.FREED_EXPLICITLY);
    }

    // sun.misc.Unsafe

    @ForceInline
    public static long unsafeAllocate(Object unsafe, long size) {
        long address = OffHeap.allocateTakingSite(Kind.UNSAFE, size);
        FlightEvents.Sink events;
        if (size >= FlightEvents.allocationMinSize() && (events = FlightEvents.sink()) != null) {
            events.allocated(size, address);
        }
        return address;
    }

    public static long unsafeReallocate(Object unsafe, long address, long size) {
        long moved = OffHeap.reallocate(Kind.UNSAFE, address, size);
        FlightEvents.Sink events;
        if (size >= FlightEvents.allocationMinSize() && (events = FlightEvents.sink()) != null) {
            events.allocated(size, moved);
        }
        return moved;
    }

    @ForceInline
    public static void unsafeFree(Object unsafe, long address) {
        free(address, SiteRegistry.FREED_EXPLICITLY);
    }

    // jdk.internal.foreign native segments (JDK 22+)

    public static long ffmAllocate(Object unsafe, long size) {
        long address = OffHeap.allocate(Kind.FFM, size);
        FlightEvents.Sink events;
        if (size >= FlightEvents.allocationMinSize() && (events = FlightEvents.sink()) != null) {
            events.allocated(size, address);
        }
        return address;
    }

    public static void ffmFree(Object unsafe, long address) {
        free(address, JdkThreads.isCleanerThread(Thread.currentThread())
                ? SiteRegistry.FREED_BY_GC : SiteRegistry.FREED_BY_CLOSE);
    }

    // sun.nio.ch.FileChannelImpl and its Unmappers (FileChannel.map, and FFM file mappings on 22+)

    /** At the start of {@code FileChannelImpl.mapInternal}: may throw the limit error ({@code limit.mapped}). */
    public static void mapping(long size) {
        OffHeap.mapping(size);
    }

    /** Where an {@code Unmapper} has just counted a new mapping in the JDK's own "mapped" pool. */
    public static void mapped(long address, long size) {
        try {
            OffHeap.mapped(address, size);
        } catch (Throwable bug) {
            HookFailures.report(bug);
            return;
        }
        FlightEvents.Sink events;
        if (size >= FlightEvents.allocationMinSize() && (events = FlightEvents.sink()) != null) {
            events.allocated(size, address);
        }
    }

    /** Right after an {@code Unmapper} has unmapped its region (Cleaner, {@code invokeCleaner}, arena close). */
    public static void unmapped(long address) {
        try {
            Accounting core = OffHeap.core();
            long info = core.forget(address);
            core.released(address, info, JdkThreads.isCleanerThread(Thread.currentThread())
                    ? SiteRegistry.FREED_BY_GC : SiteRegistry.FREED_EXPLICITLY);
        } catch (Throwable bug) {
            HookFailures.report(bug);
        }
    }

    @ForceInline
    private static void free(long address, int how) {
        try {
            OffHeap.free(address, how);
        } catch (Throwable bug) {
            HookFailures.report(bug);
        }
    }
}
