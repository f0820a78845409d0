package dev.alloc.runtime;

import dev.alloc.runtime.report.Sizes;

/**
 * Budgets by package prefix ({@code budget.io.netty=256m}): memory whose call site lies in a
 * prefix is also charged to that prefix's budget, one of the {@link Limiter}'s extra limits
 * ({@link Limiter#extraLimit}), on the path of its kind and the total: charged in the same
 * per-thread batches, so a budget adds no shared write to the common path.
 *
 * <p>A site's budget is resolved once, when the site is interned ({@link SiteRegistry}), by the
 * longest prefix that contains the site's class: {@code io.netty} holds
 * {@code io.netty.buffer.PoolArena.allocate(...)}, never {@code io.nettyx.Foo}. An allocation
 * then costs one array read to find its slot; with no budget set, none. Immutable after
 * construction, so it is safe to share.
 */
public final class Budgets {
    /** No budget: a site outside every prefix (the limiter's {@link Limiter#NO_EXTRA}). */
    public static final int NONE = Limiter.NO_EXTRA;
    static final Budgets EMPTY = new Budgets(new String[0]);

    private final String[] prefixes;

    /** The most budgets: each adds a path per kind to every thread's limit budget. */
    public static final int MAX = 32;

    /** @param prefixes dotted package prefixes, at most {@link #MAX} */
    public Budgets(String[] prefixes) {
        if (prefixes.length > MAX) {
            throw new IllegalArgumentException("at most " + MAX + " budgets");
        }
        this.prefixes = prefixes.clone();
    }

    public int count() {
        return prefixes.length;
    }

    /** The prefix of the budget with limit id {@code which}. */
    public String prefix(int which) {
        return prefixes[which - Limiter.extraLimit(0)];
    }

    /** The limit id of the budget that holds the site named {@code siteName}, or {@link #NONE}. */
    int limitOf(String siteName) {
        int best = NONE;
        int bestLength = -1;
        for (int i = 0; i < prefixes.length; i++) {
            String prefix = prefixes[i];
            if (prefix.length() > bestLength && contains(prefix, siteName)) {
                best = Limiter.extraLimit(i);
                bestLength = prefix.length();
            }
        }
        return best;
    }

    /** Whether the site's class is in the package (or class) {@code prefix}: the prefix ends at a dot. */
    private static boolean contains(String prefix, String siteName) {
        return siteName.startsWith(prefix)
                && (prefix.endsWith(".") || siteName.length() > prefix.length() && siteName.charAt(prefix.length()) == '.');
    }

    /** Live bytes charged to each budget, by prefix, in option order. */
    public java.util.Map<String, Long> used(Limiter limiter) {
        java.util.Map<String, Long> used = new java.util.LinkedHashMap<>();
        for (int i = 0; i < prefixes.length; i++) {
            used.put(prefixes[i], limiter.used(Limiter.extraLimit(i)));
        }
        return used;
    }

    /** One line per budget for reports: {@code budget.io.netty used 1999993 bytes (1.9 MiB), peak 1.9 MiB, of 4.0 MiB}. */
    public java.util.List<String> describe(Limiter limiter) {
        java.util.List<String> lines = new java.util.ArrayList<>();
        for (int i = 0; i < prefixes.length; i++) {
            int slot = Limiter.extraLimit(i);
            long used = limiter.used(slot);
            lines.add("budget." + prefixes[i] + " used " + used + " bytes (" + Sizes.human(used) + "), peak "
                    + Sizes.human(limiter.peak(slot)) + ", of " + Sizes.human(limiter.limit(slot)));
        }
        return lines;
    }

    /**
     * The option that sets a limit, as messages name it: {@code limit}, {@code limit.<kind>}
     * or {@code budget.<prefix>}.
     */
    public String optionName(int which) {
        if (which == Limiter.TOTAL) {
            return "limit";
        }
        return which < Limiter.TOTAL ? "limit." + Kind.name(which) : "budget." + prefix(which);
    }
}
