package dev.alloc.agent.report;

import dev.alloc.runtime.SiteColumn;
import dev.alloc.runtime.Sizes;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The recording as one self-contained HTML page: used vs limit over time, the live bytes of the
 * top sites over time (stacked), the site table and the limit events. Charts are inline SVG
 * drawn here; a small inline script only adds a read-out under the pointer. Nothing is loaded
 * from the network.
 */
public final class HtmlReport {
    /** Sites drawn as their own layer in the stacked chart; the rest are summed as one. */
    static final int STACKED_SITES = 8;
    private static final String[] PALETTE = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948",
        "#b07aa1", "#ff9da7", "#9c755f"};
    private static final String OTHERS = "#bab0ac";

    private final Recording recording;
    private final int top;
    /** The right end of the time axis, shared by both charts so that they line up. */
    private double usedChartEnd;

    public HtmlReport(Recording recording, int top) {
        this.recording = recording;
        this.top = top;
    }

    public void write(PrintStream out) {
        Instant origin = recording.start() != null ? recording.start() : Instant.EPOCH;
        List<Instant> grid = grid();
        double[] seconds = new double[grid.size()];
        for (int i = 0; i < seconds.length; i++) {
            seconds[i] = Duration.between(origin, grid.get(i)).toMillis() / 1000.0;
        }
        StringBuilder data = new StringBuilder("{\"seconds\":").append(json(seconds));
        out.println("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
        out.println("<title>alloc report: " + Html.escape(recording.file().getFileName().toString()) + "</title>");
        out.println("<script>window.allocErrors=[];window.addEventListener('error',function(e){"
                + "window.allocErrors.push(String(e.message));"
                + "document.documentElement.setAttribute('data-js-errors',String(window.allocErrors.length));});</script>");
        out.println("<style>" + STYLE + "</style></head><body data-js=\"pending\">");
        out.println("<h1>Off-heap memory</h1>");
        out.println("<p class=\"summary\">" + Html.escape(summary()) + "</p>");

        out.println("<h2>Used vs limit</h2>");
        out.println(usedChart(seconds, origin, data));
        out.println("<h2>Live bytes of the top sites (stacked)</h2>");
        out.println(sitesChart(grid, seconds, data));
        out.println("<div id=\"readout\" class=\"readout\">&nbsp;</div>");

        out.println("<h2>Sites</h2>");
        out.println(siteTable());
        out.println("<h2>Limit events</h2>");
        out.println(limitTable(origin));
        out.println("<script type=\"application/json\" id=\"alloc-data\">" + data.append('}') + "</script>");
        out.println("<script>" + SCRIPT + "</script>");
        out.println("</body></html>");
        out.flush();
    }

    /** Sample times for the charts: the statistics samples, else every site sample. */
    private List<Instant> grid() {
        List<Instant> grid = new ArrayList<>();
        for (Recording.Statistics s : recording.statistics()) {
            grid.add(s.time());
        }
        if (grid.isEmpty()) {
            for (Recording.Site site : recording.sitesByLiveBytes()) {
                for (Recording.SiteSample sample : site.samples()) {
                    grid.add(sample.time());
                }
            }
            grid.sort(null);
        }
        return grid;
    }

    private String summary() {
        Recording.Statistics last = recording.last();
        String span = TextReport.seconds(recording.start(), recording.end()) + " s recorded";
        if (last == null) {
            return recording.file() + ": " + span + "; no dev.alloc.OffHeapStatistics events";
        }
        return recording.file() + ": " + span + "; at the end used " + Sizes.human(last.used()) + ", peak "
                + Sizes.human(recording.peak()) + ", limit " + (last.limit() > 0 ? Sizes.human(last.limit()) : "none")
                + ", strategy " + last.strategy() + "; " + recording.limitEvents().size() + " limit events";
    }

    private String usedChart(double[] seconds, Instant origin, StringBuilder data) {
        List<Recording.Statistics> stats = recording.statistics();
        long[] used = new long[stats.size()];
        long[] limit = new long[stats.size()];
        long max = 0;
        boolean anyLimit = false;
        for (int i = 0; i < used.length; i++) {
            used[i] = stats.get(i).used();
            limit[i] = stats.get(i).limit();
            anyLimit |= limit[i] > 0;
            max = Math.max(max, Math.max(used[i], limit[i]));
        }
        for (Recording.LimitEvent event : recording.limitEvents()) {
            max = Math.max(max, event.limit());
        }
        double end = 0;
        for (Recording.LimitEvent event : recording.limitEvents()) {
            end = Math.max(end, Duration.between(origin, event.time()).toMillis() / 1000.0);
        }
        usedChartEnd = end;
        SvgChart chart = new SvgChart("used-chart", seconds, end, max).line("used", "#4e79a7", used, false);
        if (anyLimit) {
            chart.line("limit", "#e15759", limit, true);
        }
        for (Recording.LimitEvent event : recording.limitEvents()) {
            chart.marker(Duration.between(origin, event.time()).toMillis() / 1000.0, event.warning() ? "#f28e2b" : "#c0392b",
                    (event.warning() ? "warning: " : "exceeded: ") + event.kind() + " at " + event.site());
        }
        data.append(",\"used\":").append(json(used)).append(",\"limit\":").append(json(limit));
        return chart.toSvg();
    }

    private String sitesChart(List<Instant> grid, double[] seconds, StringBuilder data) {
        List<Recording.Site> sites = recording.sitesBySampledPeak();
        List<String> names = new ArrayList<>();
        List<String> colors = new ArrayList<>();
        List<long[]> layers = new ArrayList<>();
        long[] others = new long[grid.size()];
        for (int s = 0; s < sites.size(); s++) {
            long[] values = SiteSeries.onGrid(sites.get(s), grid);
            if (s < STACKED_SITES) {
                names.add(sites.get(s).site() + " (" + sites.get(s).kind() + ")");
                colors.add(PALETTE[s % PALETTE.length]);
                layers.add(values);
            } else {
                for (int i = 0; i < values.length; i++) {
                    others[i] += values[i];
                }
            }
        }
        if (sites.size() > STACKED_SITES) {
            names.add((sites.size() - STACKED_SITES) + " other sites");
            colors.add(OTHERS);
            layers.add(others);
        }
        long max = 0;
        for (int i = 0; i < grid.size(); i++) {
            long sum = 0;
            for (long[] layer : layers) {
                sum += layer[i];
            }
            max = Math.max(max, sum);
        }
        data.append(",\"layers\":[");
        for (int l = 0; l < layers.size(); l++) {
            data.append(l == 0 ? "" : ",").append("{\"name\":").append(Html.jsonString(names.get(l))).append(",\"values\":")
                    .append(json(layers.get(l))).append('}');
        }
        data.append(']');
        return new SvgChart("sites-chart", seconds, usedChartEnd, max).stacked(names, colors, layers).toSvg();
    }

    private String siteTable() {
        List<Recording.Site> sites = recording.sitesByLiveBytes();
        if (sites.isEmpty()) {
            return "<p>No dev.alloc.CallSiteUsage events in this recording.</p>";
        }
        StringBuilder table = new StringBuilder("<table id=\"sites\"><thead><tr><th>site</th><th>kind</th>"
                + "<th>live bytes</th><th>live count</th><th>peak live</th><th>total bytes</th><th>total count</th>"
                + "<th>freed explicitly</th><th>freed by GC</th><th>freed by close</th><th>oldest live</th>"
                + "<th>limit hits</th></tr></thead><tbody>\n");
        for (int i = 0; i < sites.size() && i < top; i++) {
            Recording.Site s = sites.get(i);
            table.append("<tr><td class=\"site\">").append(Html.escape(s.site())).append("</td><td>").append(s.kind())
                    .append("</td>").append(num(s.liveBytes())).append(num(s.liveCount()))
                    .append(cell(Sizes.human(s.peakLiveBytes()))).append(num(s.totalBytes())).append(num(s.totalCount()))
                    .append(cell(Sizes.human(s.freedExplicitBytes()))).append(cell(Sizes.human(s.freedByGcBytes())))
                    .append(cell(Sizes.human(s.freedByCloseBytes()))).append(cell(SiteColumn.OLDEST_LIVE.text(s.oldestLiveAge().toNanos())))
                    .append(num(s.limitHits())).append("</tr>\n");
        }
        table.append("</tbody></table>");
        if (sites.size() > top) {
            table.append("<p>").append(sites.size() - top).append(" more sites not shown (--top ").append(top).append(").</p>");
        }
        return table.toString();
    }

    private String limitTable(Instant origin) {
        List<Recording.LimitEvent> events = recording.limitEvents();
        if (events.isEmpty()) {
            return "<p>No limit was exceeded or warned about.</p>";
        }
        StringBuilder table = new StringBuilder("<table id=\"limit-events\"><thead><tr><th>time</th><th>event</th>"
                + "<th>kind</th><th>requested</th><th>used</th><th>limit</th><th>site</th><th>top site</th></tr></thead><tbody>\n");
        for (Recording.LimitEvent e : events) {
            table.append("<tr class=\"").append(e.warning() ? "warning" : "exceeded").append("\">")
                    .append(cell("+" + TextReport.seconds(origin, e.time()) + " s"))
                    .append(cell(e.warning() ? "warning" : "exceeded")).append(cell(e.kind()))
                    .append(e.warning() ? cell("") : num(e.requested())).append(num(e.used())).append(num(e.limit()))
                    .append("<td class=\"site\">").append(Html.escape(e.site())).append("</td><td class=\"site\">")
                    .append(Html.escape(e.topSite())).append("</td></tr>\n");
        }
        return table.append("</tbody></table>").toString();
    }

    private static String cell(String text) {
        return "<td>" + Html.escape(text) + "</td>";
    }

    private static String num(long n) {
        return "<td class=\"num\">" + String.format(Locale.ROOT, "%,d", n) + "</td>";
    }

    private static String json(long[] values) {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < values.length; i++) {
            out.append(i == 0 ? "" : ",").append(values[i]);
        }
        return out.append(']').toString();
    }

    private static String json(double[] values) {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < values.length; i++) {
            out.append(i == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.3f", values[i]));
        }
        return out.append(']').toString();
    }

    private static final String STYLE = String.join("\n",
            "body{font:14px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#222;max-width:1200px}",
            "h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}",
            ".summary{color:#555}.tick{font-size:11px;fill:#666}",
            ".legend{margin:4px 0 0 80px;font-size:12px}.key{display:inline-block;margin-right:14px}",
            ".swatch{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:middle}",
            ".readout{font:12px monospace;color:#333;min-height:1.4em;white-space:pre}",
            "table{border-collapse:collapse;font-size:12px}th,td{border-bottom:1px solid #ddd;padding:3px 8px;text-align:left}",
            "td.num{text-align:right;font-variant-numeric:tabular-nums}td.site{font-family:monospace}",
            "tr.exceeded td{background:#fdecea}tr.warning td{background:#fff4e5}");

    /** Shows the values at the pointer's time under the charts; marks the page ready (the tests read it). */
    private static final String SCRIPT = String.join("\n",
            "(function(){",
            "var data=JSON.parse(document.getElementById('alloc-data').textContent);",
            "var readout=document.getElementById('readout');",
            "function human(n){var u=['B','KiB','MiB','GiB','TiB'],i=0;while(Math.abs(n)>=1024&&i<u.length-1){n/=1024;i++;}",
            "  return i===0?n+' B':n.toFixed(1)+' '+u[i];}",
            "function nearest(s){var best=0;for(var i=1;i<data.seconds.length;i++){",
            "  if(Math.abs(data.seconds[i]-s)<Math.abs(data.seconds[best]-s))best=i;}return best;}",
            "Array.prototype.forEach.call(document.querySelectorAll('svg.chart'),function(svg){",
            "  var left=+svg.getAttribute('data-left'),width=+svg.getAttribute('data-plot-width'),",
            "      max=+svg.getAttribute('data-max-seconds'),cursor=svg.querySelector('.cursor');",
            "  svg.addEventListener('mousemove',function(ev){",
            "    if(!data.seconds.length)return;",
            "    var box=svg.getBoundingClientRect(),x=(ev.clientX-box.left)*(svg.viewBox.baseVal.width/box.width);",
            "    var i=nearest((x-left)/width*max),px=left+data.seconds[i]/max*width;",
            "    cursor.setAttribute('x1',px);cursor.setAttribute('x2',px);",
            "    var text='+'+data.seconds[i].toFixed(1)+' s';",
            "    if(svg.id==='used-chart'){text+='  used '+human(data.used[i])+(data.limit[i]>0?'  limit '+human(data.limit[i]):'');}",
            "    else{data.layers.forEach(function(l){if(l.values[i]>0)text+='\\n  '+human(l.values[i])+'  '+l.name;});}",
            "    readout.textContent=text;});",
            "});",
            "document.body.setAttribute('data-js','ready');",
            "document.body.setAttribute('data-samples',String(data.seconds.length));",
            "})();");
}
