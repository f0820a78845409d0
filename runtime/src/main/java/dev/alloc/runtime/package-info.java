/**
 * The alloc runtime: loaded by the bootstrap class loader, so that code woven into the JDK can
 * call it; it depends on nothing but the JDK.
 *
 * <h2>Accounting invariants</h2>
 * <ul>
 *   <li>Every reservation has exactly one release: a block is reserved before its memory is
 *       taken, recorded in the {@link dev.alloc.runtime.AddressTable}, and released once, when
 *       the table gives it back on free (a racing double free finds it at most once).</li>
 *   <li>Used never exceeds a limit: a reservation that would pass a limit is refused before the
 *       counter moves (except under {@code policy=warn}, which allows and reports it).</li>
 *   <li>Used returns to what is truly live, and to zero when everything is freed: memory is
 *       released after it is given back, and blocks the agent never saw are never released.</li>
 *   <li>The agent's own native memory is never tracked: threads inside agent code are marked
 *       in their {@link dev.alloc.runtime.SiteContext}.</li>
 * </ul>
 */
package dev.alloc.runtime;
