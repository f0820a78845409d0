package dev.alloc.agent.report;

import dev.alloc.runtime.report.SiteColumn;
import dev.alloc.runtime.report.Sizes;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/** The recording as text: totals, the site table (largest live first), the limit events. */
public final class TextReport {
    private static final SiteColumn[] COLUMNS = SiteColumn.values();
    private final Recording recording;
    private final int top;

    public TextReport(Recording recording, int top) {
        this.recording = recording;
        this.top = top;
    }

    public void write(PrintStream out) {
        List<Recording.Site> sites = recording.sitesByLiveBytes();
        Recording.Statistics last = recording.last();
        out.println("alloc report: " + recording.file() + ", " + seconds(recording.start(), recording.end()) + " s, "
                + recording.statistics().size() + " statistics samples, " + sites.size() + " sites");
        if (last != null) {
            out.println("at the end: used " + Sizes.human(last.used()) + " (" + last.used() + " bytes), peak "
                    + Sizes.human(recording.peak()) + ", limit " + (last.limit() > 0 ? Sizes.human(last.limit()) : "none")
                    + ", strategy " + last.strategy());
        }
        out.println();
        out.println("sites by live bytes at the end" + (sites.size() > top ? " (top " + top + " of " + sites.size() + ")" : "")
                + ":");
        out.println(SiteColumn.header(COLUMNS));
        for (int i = 0; i < sites.size() && i < top; i++) {
            Recording.Site site = sites.get(i);
            out.println(SiteColumn.row(COLUMNS, site.liveBytes(), site.liveBytes(), site.liveCount(), site.peakLiveBytes(),
                    site.totalBytes(), site.totalCount(), site.freedExplicitBytes(), site.freedByGcBytes(),
                    site.freedByCloseBytes(), site.oldestLiveAge().toNanos(), site.limitHits(), site.kind(), site.site()));
        }
        if (sites.isEmpty()) {
            out.println("  (no dev.alloc.CallSiteUsage events)");
        }
        out.println();
        List<Recording.LimitEvent> events = recording.limitEvents();
        long exceeded = events.stream().filter(e -> !e.warning()).count();
        out.println("limit events: " + exceeded + " exceeded, " + (events.size() - exceeded) + " warnings");
        for (Recording.LimitEvent event : events) {
            out.println(String.format(Locale.ROOT, "  +%s s  %-8s  %-6s  %s used %,d of %,d at %s%s",
                    seconds(recording.start(), event.time()), event.warning() ? "warning" : "exceeded", event.kind(),
                    event.warning() ? "" : String.format(Locale.ROOT, "requested %,d,", event.requested()),
                    event.used(), event.limit(), event.site(),
                    event.topSite().isEmpty() ? "" : "; top site " + event.topSite()));
        }
    }

    static String seconds(java.time.Instant from, java.time.Instant to) {
        if (from == null || to == null) {
            return "0.000";
        }
        return String.format(Locale.ROOT, "%.3f", Duration.between(from, to).toMillis() / 1000.0);
    }
}
