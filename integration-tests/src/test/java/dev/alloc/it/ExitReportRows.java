package dev.alloc.it;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the site rows of the agent's exit report back into numbers. */
public final class ExitReportRows {
    /** One row: exact live bytes and count, total bytes and count, kind, site. */
    public record Row(long liveBytes, long liveCount, long totalBytes, long totalCount, String kind, String site) {
    }

    private static final Pattern ROW = Pattern.compile(
            "^\\s*([\\d,]+)\\s+\\S+ \\S+\\s+([\\d,]+)\\s+\\S+ \\S+\\s+([\\d,]+)\\s+([\\d,]+)\\s+(\\w+)\\s+(.+)$");

    private ExitReportRows() {
    }

    /** The rows of the report in {@code text}, by site name. */
    public static Map<String, Row> parse(String text) {
        Map<String, Row> rows = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            Matcher m = ROW.matcher(line);
            if (m.matches()) {
                rows.put(m.group(6).trim(), new Row(number(m.group(1)), number(m.group(2)), number(m.group(3)),
                        number(m.group(4)), m.group(5), m.group(6).trim()));
            }
        }
        return rows;
    }

    private static long number(String digits) {
        return Long.parseLong(digits.replace(",", ""));
    }
}
