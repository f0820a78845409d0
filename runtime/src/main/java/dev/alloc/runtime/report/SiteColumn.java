package dev.alloc.runtime.report;

import java.util.Locale;

/**
 * The one vocabulary of the site tables: the exit report, {@code status}, {@code top} and
 * {@code report} (text and HTML) call a column by the same name and print its values the same
 * way. "live" is always the live bytes (human units), "live count" the number of live blocks;
 * "bytes" columns are exact and comma-grouped, plain size columns are in KiB/MiB/GiB.
 * <p>A table takes the columns it shows in the order of this enum; {@link #header} and
 * {@link #row} line them up with two spaces between columns, {@code site} last and unpadded.
 */
public enum SiteColumn {
    LIVE_BYTES("live bytes", 14, Format.EXACT),
    LIVE("live", 10, Format.HUMAN),
    LIVE_COUNT("live count", 10, Format.COUNT),
    PEAK_LIVE("peak live", 10, Format.HUMAN),
    TOTAL_BYTES("total bytes", 16, Format.EXACT),
    TOTAL_COUNT("total count", 11, Format.COUNT),
    FREED_EXPLICITLY("freed explicitly", 16, Format.HUMAN),
    FREED_BY_GC("freed by GC", 11, Format.HUMAN),
    FREED_BY_CLOSE("freed by close", 14, Format.HUMAN),
    /** Age of the oldest live block; values are nanoseconds. */
    OLDEST_LIVE("oldest live", 11, Format.AGE),
    LIMIT_ERRORS("limit errors", 12, Format.COUNT),
    KIND("kind", 6, Format.TEXT),
    SITE("site", 0, Format.TEXT);

    private enum Format { EXACT, HUMAN, COUNT, AGE, TEXT }

    private static final String GAP = "  ";

    private final String title;
    private final int width;
    private final Format format;

    SiteColumn(String title, int width, Format format) {
        this.title = title;
        this.width = width;
        this.format = format;
    }

    /** The column's name, as every table prints it. */
    public String title() {
        return title;
    }

    /** A number of this column as the tables print it, without padding ({@code 1,999,993}, {@code 1.9 MiB}, {@code 1.2 s}). */
    public String text(long value) {
        switch (format) {
            case EXACT:
            case COUNT:
                return String.format(Locale.ROOT, "%,d", value);
            case HUMAN:
                return Sizes.human(value);
            case AGE:
                long millis = value / 1_000_000;
                return millis < 1000 ? millis + " ms" : String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
            default:
                return Long.toString(value);
        }
    }

    /** The header line of a table of these columns. */
    public static String header(SiteColumn... columns) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < columns.length; i++) {
            pad(line, i, columns[i], columns[i].title, i == columns.length - 1);
        }
        return line.toString();
    }

    /**
     * One row: {@code values[i]} is a {@link Long} (an {@code int} or {@code long}) for a number
     * column, a {@link String} for {@code kind} and {@code site}.
     */
    public static String row(SiteColumn[] columns, Object... values) {
        if (values.length != columns.length) {
            throw new IllegalArgumentException(values.length + " values for " + columns.length + " columns");
        }
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < columns.length; i++) {
            SiteColumn column = columns[i];
            String cell = values[i] instanceof Number ? column.text(((Number) values[i]).longValue()) : String.valueOf(values[i]);
            pad(line, i, column, cell, i == columns.length - 1);
        }
        return line.toString();
    }

    private static void pad(StringBuilder line, int index, SiteColumn column, String cell, boolean last) {
        if (index > 0) {
            line.append(GAP);
        }
        int spaces = Math.max(0, Math.max(column.width, column.title.length()) - cell.length());
        boolean left = column.format == Format.TEXT;
        if (!left) {
            line.append(" ".repeat(spaces));
        }
        line.append(cell);
        if (left && !last) {
            line.append(" ".repeat(spaces));
        }
    }
}
