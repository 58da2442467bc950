package dev.larder.jmh.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * Latency-by-percentile chart as a self-contained SVG, in the style of HdrHistogram's plotter: the x axis is
 * log10(1 / (1 - percentile)), so 90%, 99%, 99.9%, 99.99% ... are evenly spaced and the tail gets the room; the y
 * axis is logarithmic too, so that a sub-microsecond system and a network round trip fit on one chart.
 */
final class PercentilePlot {
    private static final int WIDTH = 960;
    private static final int HEIGHT = 540;
    private static final int LEFT = 80;
    private static final int RIGHT = 190;
    private static final int TOP = 50;
    private static final int BOTTOM = 60;
    private static final String[] COLORS = {"#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd",
            "#8c564b", "#e377c2"};

    private PercentilePlot() {
    }

    static String svg(List<SystemResult> results, String title) {
        List<SystemResult> shown = results.stream().filter(SystemResult::ok).toList();
        // The x range ends at the "nines" the sample count supports (at least 99.99%, HdrHistogram's plots go further).
        long maxCount = shown.stream().mapToLong(r -> r.histogram().getTotalCount()).max().orElse(1);
        int nines = (int) Math.max(4, Math.min(7, Math.ceil(Math.log10(Math.max(10, maxCount)))));
        double xMax = nines;
        long minV = Long.MAX_VALUE;
        long maxV = 1;
        for (SystemResult r : shown) {
            minV = Math.min(minV, Math.max(1, r.histogram().getMinNonZeroValue()));
            maxV = Math.max(maxV, r.histogram().getMaxValue());
        }
        if (minV == Long.MAX_VALUE) {
            minV = 1;
        }
        int yLo = (int) Math.floor(Math.log10(minV));
        int yHi = Math.max(yLo + 1, (int) Math.ceil(Math.log10(maxV)));
        double plotW = WIDTH - LEFT - RIGHT;
        double plotH = HEIGHT - TOP - BOTTOM;

        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
                        + " font-family=\"sans-serif\" font-size=\"12\">%n",
                WIDTH, HEIGHT, WIDTH, HEIGHT));
        sb.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
        sb.append(String.format(Locale.ROOT,
                "<text x=\"%d\" y=\"25\" font-size=\"15\" font-weight=\"bold\">%s</text>%n", LEFT, escape(title)));
        for (int i = 0; i <= nines; i++) {
            double x = LEFT + plotW * i / xMax;
            sb.append(String.format(Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>%n", x, TOP, x, TOP + plotH));
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>%n", x,
                    TOP + plotH + 18, percentileLabel(i)));
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">percentile</text>%n",
                LEFT + plotW / 2, HEIGHT - 15));
        for (int e = yLo; e <= yHi; e++) {
            double y = TOP + plotH - plotH * (e - yLo) / (yHi - yLo);
            sb.append(String.format(Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
                    LEFT, y, LEFT + plotW, y));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", LEFT - 6,
                    y + 4, axisLabel(e)));
        }
        sb.append(String.format(Locale.ROOT,
                "<text x=\"18\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 18 %.1f)\">"
                        + "latency (log scale)</text>%n",
                TOP + plotH / 2, TOP + plotH / 2));
        sb.append(String.format(Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#333\"/>%n", LEFT, TOP,
                plotW, plotH));

        for (int s = 0; s < shown.size(); s++) {
            SystemResult r = shown.get(s);
            String color = COLORS[s % COLORS.length];
            List<double[]> pts = points(r.histogram(), xMax);
            StringBuilder path = new StringBuilder();
            for (double[] p : pts) {
                double x = LEFT + plotW * p[0] / xMax;
                double y = TOP + plotH - plotH * (Math.log10(Math.max(1, p[1])) - yLo) / (yHi - yLo);
                path.append(path.isEmpty() ? "M" : " L").append(String.format(Locale.ROOT, "%.1f,%.1f", x, y));
            }
            sb.append(String.format(Locale.ROOT, "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>%n",
                    path, color));
            double ly = TOP + 10 + s * 20;
            double lx = LEFT + plotW + 15;
            sb.append(String.format(Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"3\"/>%n", lx,
                    ly, lx + 22, ly, color));
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\">%s</text>%n", lx + 28, ly + 4,
                    escape(r.system())));
        }
        int ly = TOP + 10 + shown.size() * 20;
        for (SystemResult r : results) {
            if (!r.ok()) {
                sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"#777\">%s: not available</text>%n",
                        LEFT + (int) plotW + 15, ly, escape(r.system())));
                ly += 20;
            }
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    /**
     * (x, latency) pairs along the distribution, x = log10(1 / (1 - percentile)), the 100% point pinned to the right
     * edge.
     */
    private static List<double[]> points(Histogram h, double xMax) {
        List<double[]> pts = new ArrayList<>();
        for (HistogramIterationValue v : h.percentiles(5)) {
            double pct = v.getPercentileLevelIteratedTo();
            double x = pct >= 100 ? xMax : Math.min(xMax, Math.log10(100.0 / (100.0 - pct)));
            pts.add(new double[] {x, h.highestEquivalentValue(v.getValueIteratedTo())});
            if (x >= xMax) {
                break;
            }
        }
        return pts;
    }

    private static String percentileLabel(int nines) {
        if (nines == 0) {
            return "0%";
        }
        StringBuilder s = new StringBuilder("9");
        if (nines == 1) {
            return "90%";
        }
        s.append('9');
        if (nines > 2) {
            s.append('.').append("9".repeat(nines - 2));
        }
        return s.append('%').toString();
    }

    /** 10^e nanoseconds as "100 ns", "1 µs", "10 ms"... */
    private static String axisLabel(int e) {
        String[] units = {"ns", "µs", "ms", "s"};
        int u = Math.min(units.length - 1, e / 3);
        return "1" + "0".repeat(e - 3 * u) + " " + units[u];
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
