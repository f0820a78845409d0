package dev.alloc.runtime;

import java.util.concurrent.atomic.AtomicIntegerArray;

/** Logs once per limit when usage first reaches {@code warn} percent of it. */
final class LimitWarnings implements Limiter.WarningListener {
    private final AtomicIntegerArray logged = new AtomicIntegerArray(Limiter.extraLimit(Budgets.MAX));

    @Override
    public void crossed(int which, long used, long limit) {
        if (FlightEvents.active()) {
            FlightEvents.limitWarning(which, used, limit, OffHeap.currentSite(which >= Limiter.TOTAL ? Kind.DIRECT : which));
        }
        if (!logged.compareAndSet(which, 0, 1)) {
            return;
        }
        SiteContext context = SiteContext.current();
        boolean wasInAgent = context.enterAgent();
        try {
            String name = OffHeap.sites().budgets().optionName(which);
            Log.info("warning: off-heap use reached " + Sizes.human(used) + " of " + name + " " + Sizes.human(limit)
                    + " (" + (used * 100 / limit) + "%)");
        } finally {
            context.exitAgent(wasInAgent);
        }
    }
}
