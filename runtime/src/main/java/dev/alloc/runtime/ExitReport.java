package dev.alloc.runtime;

import dev.alloc.runtime.report.Log;
import dev.alloc.runtime.report.SafeFiles;
import dev.alloc.runtime.report.SiteColumn;
import dev.alloc.runtime.report.SiteTable;
import dev.alloc.runtime.report.Sizes;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/**
 * The site table written at JVM exit ({@code report=stderr|<file>}): every site that allocated,
 * sorted by live bytes, then the totals. What is still live at exit is the leak list. A file is
 * written through {@link SafeFiles}: never through a symbolic link, replacing only a regular file.
 */
public final class ExitReport {
    private static boolean written;
    private static final SiteColumn[] COLUMNS = {SiteColumn.LIVE_BYTES, SiteColumn.LIVE, SiteColumn.LIVE_COUNT,
        SiteColumn.PEAK_LIVE, SiteColumn.TOTAL_BYTES, SiteColumn.TOTAL_COUNT, SiteColumn.KIND, SiteColumn.SITE};

    private ExitReport() {
    }

    /** Writes the report of the installed accounting's current counters to {@code out}. */
    public static void write(PrintWriter out) {
        write(out, OffHeap.core());
    }

    /** Writes the report for {@code core}'s current counters to {@code out}. */
    static void write(PrintWriter out, Accounting core) {
        Limiter limiter = core.limiter;
        SiteRegistry sites = core.sites;
        List<SiteTable.Row> rows = SiteTable.snapshot(sites, -1);
        out.println("alloc: off-heap memory by call site, largest live first (what is live at exit is the leak list)");
        out.println(SiteColumn.header(COLUMNS));
        for (SiteTable.Row row : rows) {
            out.println(SiteColumn.row(COLUMNS, row.liveBytes, row.liveBytes, row.liveCount, row.peakLiveBytes,
                    row.totalBytes, row.totalCount, row.kind, row.site));
        }
        if (rows.isEmpty()) {
            out.println("  (no tracked allocations)");
        }
        StringBuilder totals = new StringBuilder("alloc: used ")
                .append(limiter.used(Limiter.TOTAL)).append(" bytes (")
                .append(Sizes.human(limiter.used(Limiter.TOTAL))).append("), peak ")
                .append(Sizes.human(limiter.peak(Limiter.TOTAL))).append(", limit ");
        long limit = limiter.limit(Limiter.TOTAL);
        totals.append(limit > 0 ? Sizes.human(limit) : "none");
        for (int kind = 0; kind < Kind.COUNT; kind++) {
            totals.append("; ").append(Kind.name(kind)).append(' ').append(limiter.used(kind));
        }
        out.println(totals);
        for (String budget : sites.budgets().describe(limiter)) {
            out.println("alloc: " + budget);
        }
        String pool = core.memory.summary();
        if (pool != null) {
            out.println(pool);
        }
        out.flush();
    }

    /** Writes the report to {@code stderr} or to the file named by {@code target}, once per JVM. */
    static void writeTo(String target, Accounting core) {
        synchronized (ExitReport.class) {
            if (written) {
                return; // policy=exit wrote it already; the shutdown hook must not repeat it
            }
            written = true;
        }
        String refused = "stderr".equals(target) ? null : refusal(target);
        if ("stderr".equals(target) || refused != null) {
            if (refused != null) {
                Log.warn(refused + "; the report goes to standard error instead");
            }
            write(new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8)), core);
            return;
        }
        Path file = Paths.get(target).toAbsolutePath();
        Path written = null;
        try {
            written = SafeFiles.createNextTo(file);
            try (Writer out = Files.newBufferedWriter(written, StandardCharsets.UTF_8)) {
                write(new PrintWriter(out), core);
            }
            SafeFiles.moveIntoPlace(written, file);
            written = null;
        } catch (IOException e) {
            Log.warn("cannot write the report to " + target + ": " + e.getMessage());
        } finally {
            if (written != null) {
                try {
                    Files.deleteIfExists(written);
                } catch (IOException e) {
                    // nothing more to do: the warning above names the problem
                }
            }
        }
    }

    /**
     * Why {@code report=<target>} cannot be written, as the line to log, or null. Checked at start
     * (so the user hears of it at once) and again at exit.
     */
    static String refusal(String target) {
        if ("stderr".equals(target)) {
            return null;
        }
        String why = SafeFiles.refusal(Paths.get(target));
        return why == null ? null : "report=" + target + " refused: " + why;
    }
}
