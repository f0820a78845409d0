package dev.alloc.runtime;

import dev.alloc.runtime.report.Log;
import dev.alloc.runtime.report.Sizes;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Logs once per limit when usage first reaches {@code warn} percent of it, and raises the
 * warning event each time, naming the site of the reservation that crossed (which the
 * {@link Accounting} left in the thread's {@link SiteContext#reserving}: no second stack walk,
 * and no site interned under a kind that is not the allocation's). Bound to its accounting's
 * site registry (the budgets' names) and event sink: it calls back into no static state.
 */
final class LimitWarnings implements Limiter.WarningListener {
    private final AtomicIntegerArray logged = new AtomicIntegerArray(Limiter.extraLimit(Budgets.MAX));
    private final SiteRegistry sites;
    private final AccountingEvents events;

    LimitWarnings(SiteRegistry sites, AccountingEvents events) {
        this.sites = sites;
        this.events = events;
    }

    @Override
    public void crossed(int which, long used, long limit) {
        if (limit <= 0) {
            return; // no limit, no percentage of it
        }
        events.limitWarning(which, used, limit, SiteContext.current().reserving);
        if (!logged.compareAndSet(which, 0, 1)) {
            return;
        }
        SiteContext context = SiteContext.current();
        boolean wasInAgent = context.enterAgent();
        try {
            String name = sites.budgets().optionName(which);
            Log.info("warning: off-heap use reached " + Sizes.human(used) + " of " + name + " " + Sizes.human(limit)
                    + " (" + (used * 100 / limit) + "%)");
        } finally {
            context.exitAgent(wasInAgent);
        }
    }
}
