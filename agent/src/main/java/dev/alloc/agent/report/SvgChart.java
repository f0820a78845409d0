package dev.alloc.agent.report;

import dev.alloc.runtime.report.Sizes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One chart as inline SVG: seconds on the x axis, bytes on the y axis, lines and stacked areas.
 * Drawn here, not in the browser, so the page needs no script to show its data. The SVG has a
 * view box and no fixed size: the page scales it to its width. Ticks are round: bytes in four
 * steps of 2^k or 1.5 * 2^k, seconds in steps of 1, 2 or 5 times a power of ten.
 */
final class SvgChart {
    static final int WIDTH = 960;
    static final int HEIGHT = 320;
    private static final int LEFT = 120;
    private static final int RIGHT = 20;
    private static final int TOP = 12;
    private static final int BOTTOM = 44;

    private final String id;
    private final double[] seconds;
    private final double maxSeconds;
    private final long maxBytes;
    private final StringBuilder body = new StringBuilder();
    private final List<String> legend = new ArrayList<>();

    /**
     * @param seconds    the x value of each sample
     * @param endSeconds the right end of the x axis (the last sample or a later marker)
     * @param maxBytes   the top of the y axis before rounding
     */
    SvgChart(String id, double[] seconds, double endSeconds, long maxBytes) {
        this.id = id;
        this.seconds = seconds;
        double last = seconds.length == 0 ? 0 : seconds[seconds.length - 1];
        this.maxSeconds = Math.max(Math.max(last, endSeconds), 1e-3);
        this.maxBytes = niceCeiling(Math.max(maxBytes, 1024));
    }

    /** A line through one value per sample. */
    SvgChart line(String name, String color, long[] values, boolean dashed) {
        StringBuilder points = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            points.append(i == 0 ? "M" : " L").append(fmt(x(seconds[i]))).append(',').append(fmt(y(values[i])));
        }
        body.append("<path class=\"series\" data-name=\"").append(Html.escape(name)).append("\" d=\"").append(points)
                .append("\" fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"2\"")
                .append(dashed ? " stroke-dasharray=\"8 5\"" : "").append("/>\n");
        legend.add(legendItem(name, color));
        return this;
    }

    /** Areas stacked in the order given, the first at the bottom. */
    SvgChart stacked(List<String> names, List<String> colors, List<long[]> layers) {
        long[] below = new long[seconds.length];
        for (int layer = 0; layer < layers.size(); layer++) {
            long[] values = layers.get(layer);
            StringBuilder d = new StringBuilder();
            for (int i = 0; i < seconds.length; i++) {
                d.append(i == 0 ? "M" : " L").append(fmt(x(seconds[i]))).append(',').append(fmt(y(below[i] + values[i])));
            }
            for (int i = seconds.length - 1; i >= 0; i--) {
                d.append(" L").append(fmt(x(seconds[i]))).append(',').append(fmt(y(below[i])));
            }
            body.append("<path class=\"layer\" data-name=\"").append(Html.escape(names.get(layer))).append("\" d=\"")
                    .append(d).append(" Z\" fill=\"").append(colors.get(layer)).append("\" stroke=\"")
                    .append(colors.get(layer)).append("\"><title>").append(Html.escape(names.get(layer))).append("</title></path>\n");
            for (int i = 0; i < seconds.length; i++) {
                below[i] += values[i];
            }
            legend.add(legendItem(names.get(layer), colors.get(layer)));
        }
        return this;
    }

    /** A marker on the x axis at {@code at} seconds, e.g. a limit event. */
    SvgChart marker(double at, String color, String title) {
        double px = x(at);
        body.append("<path class=\"marker\" d=\"M").append(fmt(px)).append(',').append(TOP + plotHeight())
                .append(" l-6,10 l12,0 Z\" fill=\"").append(color).append("\"><title>").append(Html.escape(title))
                .append("</title></path>\n").append("<line x1=\"").append(fmt(px)).append("\" x2=\"").append(fmt(px))
                .append("\" y1=\"").append(TOP).append("\" y2=\"").append(TOP + plotHeight()).append("\" stroke=\"")
                .append(color).append("\" stroke-opacity=\"0.35\"/>\n");
        return this;
    }

    String toSvg() {
        StringBuilder svg = new StringBuilder();
        svg.append("<svg id=\"").append(id).append("\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ")
                .append(WIDTH).append(' ').append(HEIGHT).append("\" data-max-seconds=\"").append(fmt(maxSeconds)).append("\" data-left=\"")
                .append(LEFT).append("\" data-plot-width=\"").append(plotWidth()).append("\">\n");
        axes(svg);
        svg.append(body);
        svg.append("<line class=\"cursor\" x1=\"-10\" x2=\"-10\" y1=\"").append(TOP).append("\" y2=\"")
                .append(TOP + plotHeight()).append("\" stroke=\"#333\" stroke-width=\"1\"/>\n");
        svg.append("</svg>\n<div class=\"legend\">").append(String.join("", legend)).append("</div>\n");
        return svg.toString();
    }

    private void axes(StringBuilder svg) {
        svg.append("<rect x=\"").append(LEFT).append("\" y=\"").append(TOP).append("\" width=\"").append(plotWidth())
                .append("\" height=\"").append(plotHeight()).append("\" fill=\"#fafafa\" stroke=\"#ccc\"/>\n");
        for (int i = 0; i <= 4; i++) {
            long value = maxBytes / 4 * i;
            double py = y(value);
            svg.append("<line x1=\"").append(LEFT).append("\" x2=\"").append(LEFT + plotWidth()).append("\" y1=\"")
                    .append(fmt(py)).append("\" y2=\"").append(fmt(py)).append("\" stroke=\"#e2e2e2\"/>")
                    .append("<text x=\"").append(LEFT - 6).append("\" y=\"").append(fmt(py + 4))
                    .append("\" text-anchor=\"end\" class=\"tick\">").append(Sizes.human(value)).append("</text>\n");
        }
        double step = timeStep(maxSeconds);
        int decimals = Math.max(0, (int) -Math.floor(Math.log10(step) + 1e-9));
        for (int i = 0; i * step <= maxSeconds * (1 + 1e-9); i++) {
            double at = i * step;
            svg.append("<line x1=\"").append(fmt(x(at))).append("\" x2=\"").append(fmt(x(at))).append("\" y1=\"")
                    .append(TOP + plotHeight()).append("\" y2=\"").append(TOP + plotHeight() + 5).append("\" stroke=\"#999\"/>")
                    .append("<text x=\"").append(fmt(x(at))).append("\" y=\"").append(TOP + plotHeight() + 9)
                    .append("\" text-anchor=\"middle\" dominant-baseline=\"hanging\" class=\"tick\">")
                    .append(String.format(Locale.ROOT, "%." + decimals + "f s", at)).append("</text>\n");
        }
    }

    private static String legendItem(String name, String color) {
        return "<span class=\"key\"><span class=\"swatch\" style=\"background:" + color + "\"></span>" + Html.escape(name)
                + "</span>";
    }

    private int plotWidth() {
        return WIDTH - LEFT - RIGHT;
    }

    private int plotHeight() {
        return HEIGHT - TOP - BOTTOM;
    }

    private double x(double at) {
        return LEFT + plotWidth() * Math.min(at, maxSeconds) / maxSeconds;
    }

    private double y(long bytes) {
        return TOP + plotHeight() - plotHeight() * (double) Math.min(bytes, maxBytes) / maxBytes;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** The step between time ticks: 1, 2 or 5 times a power of ten, for at most 6 steps over {@code seconds}. */
    static double timeStep(double seconds) {
        double step = Math.pow(10, Math.floor(Math.log10(seconds / 6)));
        for (double factor : new double[] {1, 2, 5, 10}) {
            if (seconds / (step * factor) <= 6) {
                return step * factor;
            }
        }
        return step * 10;
    }

    /** The top of the y axis: 4 grid steps of 2^k or 1.5 * 2^k bytes, so that tick labels are round. */
    static long niceCeiling(long bytes) {
        long step = 1;
        while (true) {
            if (step * 4 >= bytes) {
                return step * 4;
            }
            if (step >= 2 && step / 2 * 3 * 4 >= bytes) {
                return step / 2 * 3 * 4;
            }
            step *= 2;
        }
    }
}
