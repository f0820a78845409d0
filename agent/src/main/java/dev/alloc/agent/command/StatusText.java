package dev.alloc.agent.command;

import dev.alloc.runtime.Kind;
import dev.alloc.runtime.LimitChange;
import dev.alloc.runtime.Limiter;
import dev.alloc.runtime.OffHeap;
import dev.alloc.runtime.report.SiteColumn;
import dev.alloc.runtime.report.SiteTable;
import dev.alloc.runtime.report.Sizes;
import java.util.List;

/** The agent's numbers as the {@code status} command prints them (and {@code top}, every second). */
final class StatusText {
    private static final SiteColumn[] COLUMNS = {SiteColumn.LIVE_BYTES, SiteColumn.LIVE, SiteColumn.LIVE_COUNT,
        SiteColumn.PEAK_LIVE, SiteColumn.KIND, SiteColumn.SITE};

    private StatusText() {
    }

    static String of(int top) {
        Limiter limiter = OffHeap.limiter();
        long limit = limiter.limit(Limiter.TOTAL);
        StringBuilder text = new StringBuilder();
        text.append("alloc in JVM ").append(ProcessHandle.current().pid()).append(": used ")
                .append(bytes(limiter.used(Limiter.TOTAL))).append(", limit ")
                .append(limit > 0 ? bytes(limit) : LimitChange.describe(0)).append(", peak ")
                .append(bytes(limiter.peak(Limiter.TOTAL))).append(", strategy ").append(OffHeap.strategy()).append('\n');
        text.append("used by kind:");
        for (int kind = 0; kind < Kind.COUNT; kind++) {
            text.append(' ').append(Kind.name(kind)).append(' ').append(limiter.used(kind));
        }
        text.append('\n');
        for (String budget : OffHeap.sites().budgets().describe(limiter)) {
            text.append(budget).append('\n');
        }
        List<SiteTable.Row> rows = SiteTable.snapshot(OffHeap.sites(), -1);
        if (rows.isEmpty() || rows.get(0).liveBytes <= 0) {
            return text.append("no live off-heap memory attributed to a site\n").toString();
        }
        text.append(SiteColumn.header(COLUMNS)).append('\n');
        for (int i = 0; i < rows.size() && i < top && rows.get(i).liveBytes > 0; i++) {
            SiteTable.Row row = rows.get(i);
            text.append(SiteColumn.row(COLUMNS, row.liveBytes, row.liveBytes, row.liveCount, row.peakLiveBytes, row.kind,
                    row.site)).append('\n');
        }
        return text.toString();
    }

    static String bytes(long n) {
        return Sizes.human(n) + " (" + n + " bytes)";
    }
}
