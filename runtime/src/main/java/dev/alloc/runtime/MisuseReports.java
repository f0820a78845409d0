package dev.alloc.runtime;

import dev.alloc.runtime.pool.Misuse;
import dev.alloc.runtime.pool.MisuseListener;
import dev.alloc.runtime.report.Log;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Reports bad frees the pool caught: each as a {@code dev.alloc.PoolMisuse} Flight Recorder
 * event (when recording), and the first of each kind as one log line with the address, the
 * thread and the freeing site (the rewritten call site, else the first application frame);
 * later ones are only counted (the exit report and the pool statistics have the totals). Runs
 * inside Cleaners: never throws.
 */
final class MisuseReports implements MisuseListener {
    private final SiteRegistry sites;
    private final String strategy;
    private final AtomicLongArray counts = new AtomicLongArray(Misuse.values().length);

    MisuseReports(SiteRegistry sites, String strategy) {
        this.sites = sites;
        this.strategy = strategy;
    }

    @Override
    public void onMisuse(long address, Misuse misuse) {
        boolean first = counts.getAndIncrement(misuse.ordinal()) == 0;
        SiteContext context = SiteContext.current();
        boolean wasInAgent = context.enterAgent();
        try {
            String calledFrom = context.site != 0 ? sites.name(context.site) : null;
            FlightEvents.poolMisuse(address, misuse == Misuse.ALREADY_FREE ? "double free" : "interior free",
                    strategy, calledFrom);
            if (!first) {
                return;
            }
            String site = calledFrom != null ? calledFrom : StackSites.firstApplicationFrame();
            Log.warn("pool misuse: " + describe(misuse) + " at address 0x" + Long.toHexString(address)
                    + " on thread \"" + Thread.currentThread().getName() + "\"" + (site == null ? "" : " from " + site)
                    + "; ignored, the pool is intact (further ones of this kind are only counted)");
        } catch (Throwable ignored) {
            // a report must never take the freeing thread down
        } finally {
            context.exitAgent(wasInAgent);
        }
    }

    private static String describe(Misuse misuse) {
        return misuse == Misuse.ALREADY_FREE ? "double free (or free of memory never allocated)"
                : "free of an address inside a live block that is not its start";
    }
}
