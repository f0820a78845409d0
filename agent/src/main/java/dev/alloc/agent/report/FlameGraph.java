package dev.alloc.agent.report;

import dev.alloc.runtime.report.Sizes;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;

/**
 * A {@link StackTree} as a flame graph in plain HTML: the root (every stack) at the bottom, each
 * caller under its callees, a frame's width its share of the bytes. Frames are absolutely placed
 * boxes with widths in percent, so the graph fits any page width without scrolling; a frame under
 * {@link #MIN_SHARE} of the whole is left out with its callees. A click on a frame zooms to it
 * (the page's script), a click on the root zooms out.
 */
final class FlameGraph {
    /** The narrowest frame drawn, as a share of the root. */
    static final double MIN_SHARE = 0.001;
    static final int ROW_PX = 18;

    private FlameGraph() {
    }

    static String html(String id, StackTree root) {
        if (root.bytes() <= 0) {
            return "<p>Nothing to draw: no bytes by stack.</p>";
        }
        int depth = root.depth();
        StringBuilder out = new StringBuilder("<div class=\"flame\" id=\"").append(id).append("\" style=\"height:")
                .append((depth + 1) * ROW_PX).append("px\">\n");
        record Pending(StackTree node, double left, int depth) {
        }
        Deque<Pending> pending = new ArrayDeque<>();
        pending.push(new Pending(root, 0, 0));
        double total = root.bytes();
        while (!pending.isEmpty()) {
            Pending p = pending.pop();
            double width = p.node().bytes() / total;
            frame(out, p.node(), p.left(), width, p.depth(), total);
            double childLeft = p.left();
            for (StackTree child : p.node().children()) {
                if (child.bytes() / total >= MIN_SHARE) {
                    pending.push(new Pending(child, childLeft, p.depth() + 1));
                }
                childLeft += child.bytes() / total;
            }
        }
        return out.append("</div>\n").toString();
    }

    private static void frame(StringBuilder out, StackTree node, double left, double width, int depth, double total) {
        String label = node.frame() + " " + Sizes.human(node.bytes());
        String title = node.frame() + "\n" + String.format(Locale.ROOT, "%,d", node.bytes()) + " bytes ("
                + String.format(Locale.ROOT, "%.1f", 100 * node.bytes() / total) + "%)"
                + (node.self() > 0 ? ", " + String.format(Locale.ROOT, "%,d", node.self()) + " allocated here" : "");
        out.append("<div class=\"frame\" style=\"left:").append(pct(left)).append(";width:").append(pct(width))
                .append(";bottom:").append(depth * ROW_PX).append("px;background:").append(color(node.frame(), depth))
                .append("\" data-l=\"").append(fraction(left)).append("\" data-w=\"").append(fraction(width))
                .append("\" data-d=\"").append(depth).append("\" data-bytes=\"").append(node.bytes())
                .append("\" title=\"").append(Html.escape(title)).append("\">").append(Html.escape(label))
                .append("</div>\n");
    }

    /** Warm colours like a CPU flame graph; the JDK's frames paler, the root grey; varied by name so neighbours differ. */
    static String color(String frame, int depth) {
        if (depth == 0) {
            return "#c9c9c9";
        }
        int hash = frame.hashCode() & 0x7fffffff;
        boolean jdk = frame.startsWith("java.") || frame.startsWith("jdk.") || frame.startsWith("sun.")
                || frame.startsWith("javax.") || frame.startsWith("com.sun.");
        int hue = jdk ? 40 + hash % 15 : 8 + hash % 28;
        int lightness = jdk ? 72 + hash % 8 : 58 + hash % 10;
        return "hsl(" + hue + ",80%," + lightness + "%)";
    }

    private static String pct(double fraction) {
        return String.format(Locale.ROOT, "%.4f%%", 100 * fraction);
    }

    private static String fraction(double fraction) {
        return String.format(Locale.ROOT, "%.6f", fraction);
    }
}
