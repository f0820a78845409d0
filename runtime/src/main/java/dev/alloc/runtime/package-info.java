/**
 * The alloc runtime: loaded by the bootstrap class loader, so that code woven into the JDK can
 * call it; it depends on nothing but the JDK.
 *
 * <p>The accounting is one object, {@link dev.alloc.runtime.Accounting}, built from the
 * {@link dev.alloc.runtime.Settings}: limiter, block records (headers and slots, address
 * table), site registry, raw memory, event sink and clock. The hooks woven into the JDK reach it through one static reference, held by
 * {@link dev.alloc.runtime.OffHeap}; listeners built with it (limit warnings, pool misuse
 * reports) are handed what they need instead of reading static state.
 *
 * <h2>Accounting invariants</h2>
 * <ul>
 *   <li>Every reservation has exactly one release: a block is reserved before its memory is
 *       taken, recorded, and released once, when its record is taken back on free (a racing
 *       double free finds it at most once). A platform thread's block of system memory is
 *       recorded in a 16-byte {@link dev.alloc.runtime.BlockHeader} in front of it and a slot
 *       of a page the thread holds ({@link dev.alloc.runtime.SlotPages}); the CAS of that
 *       slot decides the one free. Other blocks (pools, libc's through FFM, file mappings,
 *       virtual threads') are recorded in the {@link dev.alloc.runtime.AddressTable}.</li>
 *   <li>Used never exceeds a limit: bytes are charged to a limit's shared counter before the
 *       memory is taken, a reservation that would pass a limit is refused before the counter
 *       moves (except under {@code policy=warn}, which allows and reports it), and the charge is
 *       always at least the live bytes.</li>
 *   <li>Per-thread batches ({@link dev.alloc.runtime.Limiter}): a thread charges a batch at a
 *       time and serves reservations from it, and a free refills the freeing thread's batch up
 *       to a cap, so the common path writes only the thread's own cache lines. Batches are at
 *       most 64 KiB and 1/64 of the room left under each limit (to the warning threshold while
 *       below it), so they vanish near a limit; a reservation that does not fit drains every
 *       thread's batch before it fails; a limit change drains them all, so it applies to the
 *       next reservation of every thread. Virtual threads use their carrier's batch; the batch
 *       of a thread that ended is drained with the others and folded away once the thread is
 *       collected.</li>
 *   <li>{@code used()} is exact: the charge minus every thread's batch, clamped to the charge
 *       so that a read racing with other threads never shows more than the limit. The peak is
 *       sampled (see {@link dev.alloc.runtime.Limiter#peak}).</li>
 *   <li>Hot-path writes are the thread's own: its batch, its stripe of the site counters
 *       ({@link dev.alloc.runtime.SiteRegistry}), its page's slot and the block's header (a
 *       block freed on another thread: that thread CASes the slot to 0).</li>
 *   <li>Used returns to what is truly live, and to zero when everything is freed: memory is
 *       released after it is given back, and blocks the agent never saw are never released.</li>
 *   <li>The agent's own native memory is never tracked: threads inside agent code are marked
 *       in their {@link dev.alloc.runtime.SiteContext}.</li>
 * </ul>
 */
package dev.alloc.runtime;
