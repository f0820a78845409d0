package dev.alloc.agent.report;

import dev.alloc.runtime.report.SiteColumn;
import dev.alloc.runtime.report.Sizes;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The recording as one self-contained HTML page: a header (file, pid, JDK, agent options, time
 * span), used vs limit over time, the live bytes of the top sites over time (stacked), a flame
 * graph of the allocated bytes by stack (and of the live bytes, when the recording has
 * {@code Free} events), the site table and the limit events. Charts are inline SVG drawn here;
 * a small inline script adds a read-out under the pointer and the flame graph's zoom. Nothing is
 * loaded from the network. The page fits its window from a phone to a desktop without scrolling
 * sideways: charts scale, long names wrap, tables become one card per row on narrow screens.
 */
public final class HtmlReport {
    /** Sites drawn as their own layer in the stacked chart; the rest are summed as one. */
    static final int STACKED_SITES = 8;
    private static final String[] PALETTE = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948",
        "#b07aa1", "#ff9da7", "#9c755f"};
    private static final String OTHERS = "#bab0ac";
    /** The site table's columns, named as in every other site table; the site first. */
    private static final SiteColumn[] SITE_COLUMNS = {SiteColumn.SITE, SiteColumn.KIND, SiteColumn.LIVE_BYTES,
        SiteColumn.LIVE_COUNT, SiteColumn.PEAK_LIVE, SiteColumn.TOTAL_BYTES, SiteColumn.TOTAL_COUNT,
        SiteColumn.FREED_EXPLICITLY, SiteColumn.FREED_BY_GC, SiteColumn.FREED_BY_CLOSE, SiteColumn.OLDEST_LIVE,
        SiteColumn.LIMIT_ERRORS};

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
        out.println("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        out.println("<title>alloc report: " + Html.escape(recording.file().getFileName().toString()) + "</title>");
        out.println("<script>window.allocErrors=[];window.addEventListener('error',function(e){"
                + "window.allocErrors.push(String(e.message));"
                + "document.documentElement.setAttribute('data-js-errors',String(window.allocErrors.length));});</script>");
        out.println("<style>" + STYLE + "</style></head><body data-js=\"pending\">");
        out.println("<h1>Off-heap memory</h1>");
        out.println(header());

        out.println("<h2>Used vs limit</h2>");
        out.println(usedChart(seconds, origin, data));
        out.println("<h2>Live bytes of the top sites (stacked)</h2>");
        out.println(sitesChart(grid, seconds, data));
        out.println("<div id=\"readout\" class=\"readout\">&nbsp;</div>");
        out.println(flameGraphs());

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

    /** File, pid, JDK, the agent's options, the time span, and the totals at the end. */
    private String header() {
        Recording.Jvm jvm = recording.jvm();
        StringBuilder out = new StringBuilder("<dl class=\"header\">");
        item(out, "recording", recording.file().toString());
        item(out, "pid", jvm.pid() > 0 ? Long.toString(jvm.pid()) : "not recorded (no jdk.JVMInformation event)");
        item(out, "JDK", jvm.describe().isEmpty() ? "not recorded (no jdk.InitialSystemProperty events)" : jvm.describe());
        String options = jvm.agentOptions();
        item(out, "agent options", !options.isEmpty() ? options
                : jvm.jvmArguments().isEmpty() ? "not recorded" : "none on the command line (attached, or no options)");
        item(out, "time", span());
        Recording.Statistics last = recording.last();
        item(out, "at the end", last == null ? "no dev.alloc.OffHeapStatistics events"
                : "used " + Sizes.human(last.used()) + ", peak " + Sizes.human(recording.peak()) + ", limit "
                + (last.limit() > 0 ? Sizes.human(last.limit()) : "none") + ", strategy " + last.strategy() + "; "
                + recording.limitEvents().size() + " limit events");
        return out.append("</dl>").toString();
    }

    private static void item(StringBuilder out, String name, String value) {
        out.append("<dt>").append(Html.escape(name)).append("</dt><dd>").append(Html.escape(value)).append("</dd>");
    }

    /** {@code 2026-11-30 23:51:07 to 23:51:19 UTC (12.345 s)}. */
    private String span() {
        Instant start = recording.start();
        Instant end = recording.end();
        if (start == null || end == null) {
            return "empty recording";
        }
        DateTimeFormatter day = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT).withZone(ZoneOffset.UTC);
        DateTimeFormatter time = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT).withZone(ZoneOffset.UTC);
        boolean sameDay = day.format(start).substring(0, 10).equals(day.format(end).substring(0, 10));
        return day.format(start) + " to " + (sameDay ? time : day).format(end) + " UTC ("
                + TextReport.seconds(start, end) + " s)";
    }

    /** Live bytes by stack (with Free events), and allocated bytes by stack, from the Allocation events. */
    private String flameGraphs() {
        AllocationStacks stacks = recording.allocationStacks();
        StringBuilder out = new StringBuilder();
        if (stacks.allocations() == 0) {
            return "<h2>Allocated bytes by stack</h2><p>No dev.alloc.Allocation events in this recording (the shipped "
                    + "alloc.jfc records allocations from 1 MiB: record with jfr=&lt;file&gt;, or add "
                    + "settings=alloc.jfc).</p>";
        }
        String note = "<p class=\"note\">From " + stacks.allocations() + " dev.alloc.Allocation events (only blocks of "
                + "at least the recording's minSize, 1 MiB in the shipped alloc.jfc, are events). Width is bytes; the "
                + "caller is below its callees. Click a frame to zoom in, the bottom bar to zoom out.</p>";
        if (stacks.hasFrees()) {
            out.append("<h2>Live bytes by stack at the end</h2>").append(note)
                    .append(FlameGraph.html("flame-live", stacks.tree(true)));
        }
        out.append("<h2>Allocated bytes by stack</h2>").append(stacks.hasFrees() ? "" : note)
                .append(FlameGraph.html("flame-allocated", stacks.tree(false)));
        return out.toString();
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
        StringBuilder table = new StringBuilder("<table id=\"sites\"><thead><tr>");
        for (SiteColumn column : SITE_COLUMNS) {
            table.append("<th>").append(Html.escape(column.title())).append("</th>");
        }
        table.append("</tr></thead><tbody>\n");
        for (int i = 0; i < sites.size() && i < top; i++) {
            Recording.Site s = sites.get(i);
            Object[] values = {s.site(), s.kind(), s.liveBytes(), s.liveCount(), s.peakLiveBytes(), s.totalBytes(),
                s.totalCount(), s.freedExplicitBytes(), s.freedByGcBytes(), s.freedByCloseBytes(),
                s.oldestLiveAge().toNanos(), (long) s.limitHits()};
            table.append("<tr>");
            for (int c = 0; c < SITE_COLUMNS.length; c++) {
                SiteColumn column = SITE_COLUMNS[c];
                String text = values[c] instanceof Long n ? column.text(n) : (String) values[c];
                table.append(td(column == SiteColumn.SITE ? "site" : values[c] instanceof Long ? "num" : "", column.title(), text));
            }
            table.append("</tr>\n");
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
                    .append(td("num", "time", "+" + TextReport.seconds(origin, e.time()) + " s"))
                    .append(td("", "event", e.warning() ? "warning" : "exceeded")).append(td("", "kind", e.kind()))
                    .append(td("num", "requested", e.warning() ? "" : SiteColumn.TOTAL_BYTES.text(e.requested())))
                    .append(td("num", "used", SiteColumn.TOTAL_BYTES.text(e.used())))
                    .append(td("num", "limit", SiteColumn.TOTAL_BYTES.text(e.limit())))
                    .append(td("site", "site", e.site())).append(td("site", "top site", e.topSite())).append("</tr>\n");
        }
        return table.append("</tbody></table>").toString();
    }

    /** A cell; {@code label} names its column on narrow screens, where each row is a card. */
    private static String td(String cssClass, String label, String text) {
        return "<td" + (cssClass.isEmpty() ? "" : " class=\"" + cssClass + "\"") + " data-label=\"" + Html.escape(label)
                + "\">" + Html.escape(text) + "</td>";
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
            "*{box-sizing:border-box}",
            "body{font:14px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:16px auto;padding:0 16px;"
                    + "color:#222;max-width:1280px}",
            "h1{font-size:22px;margin:0 0 8px}h2{font-size:17px;margin:28px 0 8px}",
            ".header{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0;color:#444}",
            ".header dt{font-weight:600}.header dd{margin:0;overflow-wrap:anywhere}",
            "svg.chart{display:block;width:100%;height:auto}.tick{font-size:11px;fill:#666}",
            ".legend{margin:4px 0 0 8%;font-size:12px}.key{display:inline-block;margin-right:14px;overflow-wrap:anywhere}",
            ".swatch{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:middle}",
            ".readout{font:12px monospace;color:#333;min-height:1.4em;white-space:pre-wrap;overflow-wrap:anywhere}",
            ".note{color:#555;font-size:12px}",
            ".flame{position:relative;width:100%;overflow:hidden;font:11px/" + FlameGraph.ROW_PX + "px monospace}",
            ".flame .frame{position:absolute;height:" + (FlameGraph.ROW_PX - 1) + "px;padding:0 3px;overflow:hidden;"
                    + "white-space:nowrap;text-overflow:ellipsis;border-radius:2px;cursor:pointer;color:#222}",
            ".flame .frame:hover{outline:1px solid #333}",
            "table{border-collapse:collapse;font-size:12px;width:100%}",
            "th,td{border-bottom:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top}",
            "th{font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}",
            "td.site{font-family:monospace;overflow-wrap:anywhere;word-break:break-word;min-width:12em}",
            "tr.exceeded td{background:#fdecea}tr.warning td{background:#fff4e5}",
            "@media (max-width:900px){table,thead,tbody,tr,th,td{display:block}thead{display:none}",
            "  tr{border:1px solid #ddd;border-radius:4px;margin:0 0 8px;padding:4px}td{border:0;padding:1px 4px}",
            "  td.num{text-align:left;white-space:normal}td.site{min-width:0}",
            "  td::before{content:attr(data-label) \": \";color:#666;font-family:system-ui,sans-serif}}",
            // The charts scale down with the page: on a phone their tick labels are drawn larger to stay legible.
            "@media (max-width:600px){.tick{font-size:24px}}");

    /**
     * Shows the values at the pointer's time under the charts, zooms the flame graphs, and marks
     * the page ready with how far it overflows its window sideways (the tests read both).
     */
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
            "Array.prototype.forEach.call(document.querySelectorAll('.flame'),function(flame){",
            "  var frames=Array.prototype.slice.call(flame.querySelectorAll('.frame')),e=1e-9;",
            "  frames.forEach(function(f){f.addEventListener('click',function(){",
            "    var l=+f.dataset.l,w=+f.dataset.w,d=+f.dataset.d;",
            "    frames.forEach(function(g){var gl=+g.dataset.l,gw=+g.dataset.w,gd=+g.dataset.d;",
            "      var inside=gd>=d&&gl>=l-e&&gl+gw<=l+w+e,below=gd<d&&gl<=l+e&&gl+gw>=l+w-e;",
            "      g.style.display=inside||below?'':'none';",
            "      if(inside){g.style.left=((gl-l)/w*100)+'%';g.style.width=(gw/w*100)+'%';}",
            "      else if(below){g.style.left='0%';g.style.width='100%';}});",
            "  });});",
            "});",
            "var root=document.documentElement;",
            "root.setAttribute('data-overflow-x',String(Math.max(0,root.scrollWidth-root.clientWidth)));",
            "document.body.setAttribute('data-js','ready');",
            "document.body.setAttribute('data-samples',String(data.seconds.length));",
            "})();");
}
