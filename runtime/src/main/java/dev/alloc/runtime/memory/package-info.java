/**
 * Where tracked memory really comes from: {@code RawMemory}, the one interface the accounting
 * allocates, resizes and frees through, with the system allocator ({@code SystemRawMemory},
 * malloc through {@code jdk.internal.misc.Unsafe}) and the pools ({@code PoolMemory}, the
 * {@code strategy=} option) behind it; one of them is live in a JVM.
 */
package dev.alloc.runtime.memory;
