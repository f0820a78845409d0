package dev.alloc.runtime.jfr;

import jdk.jfr.Event;
import jdk.jfr.events.StackFilter;

/**
 * The base of every event that carries a stack trace: its trace starts at the first frame
 * outside the agent. On JDK 23+ Flight Recorder drops the frames listed here from the top (the
 * annotation is inherited); older JDKs do not have the annotation's type and ignore it, and there
 * the allocation hooks commit the {@code Allocation} event themselves, so at most two agent
 * frames lead (the sink's method and the hook).
 *
 * <p>Listed: every agent class that can be on the stack above the JDK or the application when
 * such an event is committed, and the JDK's {@code DirectByteBuffer} (its constructor, below
 * {@code ByteBuffer.allocateDirect}: a filter naming {@code <init>} matches nothing), so that a
 * direct buffer's trace starts at the API the application called.
 */
@StackFilter({
    "dev.alloc.runtime.jfr.JfrSupport", "dev.alloc.runtime.FlightEvents", "dev.alloc.runtime.OffHeap",
    "dev.alloc.runtime.JdkHooks", "dev.alloc.runtime.MallocHooks", "dev.alloc.runtime.Limiter",
    "dev.alloc.runtime.LimitWarnings", "dev.alloc.runtime.MisuseReports", "dev.alloc.runtime.memory.PoolMemory",
    "dev.alloc.runtime.Accounting", "dev.alloc.runtime.RecorderEvents",
    "dev.alloc.runtime.pool.Pools", "dev.alloc.runtime.pool.ThreadCache", "dev.alloc.runtime.pool.SlabAllocator",
    "dev.alloc.runtime.pool.SlabHeap", "dev.alloc.runtime.pool.BuddyAllocator", "dev.alloc.runtime.pool.TlsfAllocator",
    "dev.alloc.runtime.pool.TlsfHeap", "dev.alloc.runtime.pool.ArenaAllocator", "dev.alloc.runtime.pool.RegionAllocator",
    "dev.alloc.runtime.pool.MonitorGuardedAllocator", "dev.alloc.runtime.pool.NativeAllocator",
    "java.nio.DirectByteBuffer"})
abstract class StackCarryingEvent extends Event {
}
