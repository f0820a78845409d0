package dev.alloc.runtime.report;

import dev.alloc.runtime.Kind;
import dev.alloc.runtime.Limiter;
import dev.alloc.runtime.SiteRegistry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A snapshot of the per-site counters, sorted by live bytes, largest first: the source of the
 * exit report, the "top holders" of the limit error, and the JMX top-sites table.
 */
public final class SiteTable {
    /** One site's counters at the time of the snapshot. */
    public static final class Row {
        public final int id;
        public final String site;
        public final String kind;
        public final long liveBytes;
        public final long liveCount;
        public final long peakLiveBytes;
        public final long totalBytes;
        public final long totalCount;

        Row(SiteRegistry sites, int id) {
            this.id = id;
            this.site = sites.name(id);
            this.kind = Kind.name(sites.kind(id));
            this.liveBytes = sites.counter(id, SiteRegistry.LIVE_BYTES);
            this.liveCount = sites.counter(id, SiteRegistry.LIVE_COUNT);
            this.peakLiveBytes = sites.counter(id, SiteRegistry.PEAK_LIVE_BYTES);
            this.totalBytes = sites.counter(id, SiteRegistry.TOTAL_BYTES);
            this.totalCount = sites.counter(id, SiteRegistry.TOTAL_COUNT);
        }
    }

    private static final Comparator<Row> BY_LIVE_BYTES = new Comparator<Row>() {
        @Override
        public int compare(Row a, Row b) {
            int byLive = Long.compare(b.liveBytes, a.liveBytes);
            return byLive != 0 ? byLive : Long.compare(b.totalBytes, a.totalBytes);
        }
    };

    private SiteTable() {
    }

    /**
     * Sites that ever allocated, largest live first; {@code kind} -1 for all kinds.
     */
    public static List<Row> snapshot(SiteRegistry sites, int kind) {
        return select(sites, kind < 0 ? -1 : kind);
    }

    /**
     * The sites whose memory counts under one limit slot ({@link Limiter}): the total (every
     * kind in it), one kind, or one budget.
     */
    public static List<Row> underLimit(SiteRegistry sites, int which) {
        return select(sites, which);
    }

    /**
     * The {@code n} sites under one limit slot (as {@link #underLimit}) with the most live bytes,
     * in the order of {@link #underLimit}, sites holding nothing left out. One counter read per
     * site, and rows made for the chosen ones only: the limit error names the top holders, and
     * thousands of threads failing at once each build one (a row of every site each cost a
     * storm of 20,000 failing virtual threads a tenth of its time).
     */
    public static List<Row> largestUnderLimit(SiteRegistry sites, int which, int n) {
        int[] ids = new int[n];
        long[] live = new long[n];
        long[] total = new long[n];
        int kept = 0;
        for (int id = 0; id < sites.size(); id++) {
            if (id != 0 && !under(sites, id, which)) {
                continue;
            }
            long bytes = sites.counter(id, SiteRegistry.LIVE_BYTES);
            if (bytes <= 0 || kept == n && bytes < live[n - 1]) {
                continue;
            }
            long totalBytes = sites.counter(id, SiteRegistry.TOTAL_BYTES);
            int at = kept;
            while (at > 0 && (bytes > live[at - 1] || bytes == live[at - 1] && totalBytes > total[at - 1])) {
                at--; // ties keep the earlier site first, as the stable sort of underLimit does
            }
            if (at == n) {
                continue;
            }
            int moved = Math.min(kept, n - 1) - at;
            System.arraycopy(ids, at, ids, at + 1, moved);
            System.arraycopy(live, at, live, at + 1, moved);
            System.arraycopy(total, at, total, at + 1, moved);
            ids[at] = id;
            live[at] = bytes;
            total[at] = totalBytes;
            kept = Math.min(kept + 1, n);
        }
        List<Row> rows = new ArrayList<>(kept);
        for (int i = 0; i < kept; i++) {
            rows.add(new Row(sites, ids[i]));
        }
        return rows;
    }

    private static List<Row> select(SiteRegistry sites, int which) {
        List<Row> rows = new ArrayList<>();
        for (int id = 0; id < sites.size(); id++) {
            if (id != 0 && !under(sites, id, which)) {
                continue;
            }
            Row row = new Row(sites, id);
            if (row.totalCount > 0) {
                rows.add(row);
            }
        }
        rows.sort(BY_LIVE_BYTES);
        return rows;
    }

    private static boolean under(SiteRegistry sites, int id, int which) {
        if (which < 0) {
            return true;
        }
        if (which == Limiter.TOTAL) {
            return Kind.inTotal(sites.kind(id));
        }
        return which < Limiter.TOTAL ? sites.kind(id) == which : sites.budget(id) == which;
    }
}
