package dev.alloc.runtime;

import dev.alloc.OffHeapLimitExceededError;
import dev.alloc.runtime.report.SiteTable;
import java.util.List;

/** Builds the contract message of the limit error (see DESIGN.md, "The limit error"). */
final class LimitErrors {
    private static final int TOP_HOLDERS = 3;

    private LimitErrors() {
    }

    /**
     * {@code Off-heap limit exceeded: cannot allocate <n> bytes of <kind> memory at <site>;
     * used <u> of <limit> bytes; top holders: <site> <bytes> (<count>), ...}. When a per-kind
     * limit or a budget was hit, {@code (limit.<kind>)} or {@code (budget.<prefix>)} follows the
     * limit, and the holders are those under it.
     */
    static OffHeapLimitExceededError create(int kind, long size, String site, int limitHit, long used, long limit,
                                            SiteRegistry sites) {
        StringBuilder message = new StringBuilder(256)
                .append("Off-heap limit exceeded: cannot allocate ").append(size)
                .append(" bytes of ").append(Kind.name(kind)).append(" memory at ").append(site)
                .append("; used ").append(used).append(" of ").append(limit).append(" bytes");
        if (limitHit != Limiter.TOTAL) {
            message.append(" (").append(sites.budgets().optionName(limitHit)).append(')');
        }
        message.append("; top holders: ").append(topHolders(sites, limitHit));
        OffHeapLimitExceededError error =
                new OffHeapLimitExceededError(message.toString(), Kind.name(kind), size, used, limit, site);
        error.setStackTrace(withoutAgentFrames(error.getStackTrace()));
        return error;
    }

    /** The agent's own frames say nothing to the user: the trace starts at the JDK API called. */
    private static StackTraceElement[] withoutAgentFrames(StackTraceElement[] frames) {
        java.util.List<StackTraceElement> kept = new java.util.ArrayList<>(frames.length);
        for (StackTraceElement frame : frames) {
            if (!frame.getClassName().startsWith("dev.alloc.runtime.")) {
                kept.add(frame);
            }
        }
        return kept.toArray(new StackTraceElement[0]);
    }

    /** The largest live sites under limit slot {@code which} ({@link SiteTable#largestUnderLimit}). */
    static String topHolders(SiteRegistry sites, int which) {
        List<SiteTable.Row> rows = SiteTable.largestUnderLimit(sites, which, TOP_HOLDERS);
        StringBuilder text = new StringBuilder();
        int shown = 0;
        for (SiteTable.Row row : rows) {
            if (row.liveBytes <= 0 || shown == TOP_HOLDERS) {
                break;
            }
            if (shown++ > 0) {
                text.append(", ");
            }
            text.append(row.site).append(' ').append(row.liveBytes).append(" (").append(row.liveCount).append(')');
        }
        return shown == 0 ? "none" : text.toString();
    }
}
