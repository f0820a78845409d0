package dev.alloc.runtime;

import dev.alloc.runtime.report.Log;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reports allocations that {@code policy=warn} let through over a limit: one log line the first
 * time each site goes over, so a hot loop cannot flood standard error.
 */
final class OverLimitWarnings {
    private static final ConcurrentHashMap<Integer, Boolean> REPORTED_SITES = new ConcurrentHashMap<>();

    private OverLimitWarnings() {
    }

    static void report(int kind, long size, String siteName, int site, long used, long limit, int hit,
                       SiteRegistry sites) {
        if (REPORTED_SITES.putIfAbsent(site, Boolean.TRUE) == null) {
            Log.warn("over the limit (policy=warn, allowed): allocated " + size + " bytes of " + Kind.name(kind)
                    + " memory at " + siteName + "; used " + used + " of " + limit + " bytes"
                    + (hit == Limiter.TOTAL ? "" : " (" + sites.budgets().optionName(hit) + ")")
                    + "; top holders: " + LimitErrors.topHolders(sites, hit)
                    + " (further over-limit allocations at this site are not logged)");
        }
    }
}
