package dev.larder.jmh.harness;

import dev.larder.jmh.e2e.E2eData;
import dev.larder.jmh.e2e.FeatureSources;
import dev.larder.jmh.e2e.ScoringModel;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The end-to-end scenario's part of a harness run's artefacts: in {@code report.md}, per request kind, each source's
 * percentiles and their ratios to the array baseline (the model's own cost), then the scenario's goals against Redis
 * and the baseline; one {@code .hgrm} per source and kind; one plot per kind.
 */
final class E2eReport {
    private E2eReport() {
    }

    /** One {@code .hgrm} per source and kind, and one plot per kind ({@link #plot}). */
    static void writeFiles(BenchOptions o, Map<String, List<SystemResult>> e2e, Path out) throws IOException {
        for (Map.Entry<String, List<SystemResult>> kind : e2e.entrySet()) {
            for (SystemResult r : kind.getValue()) {
                if (r.ok()) {
                    Path hgrm = out.resolve(E2eWorker.stem(r.system(), kind.getKey()) + ".hgrm");
                    try (PrintStream ps = new PrintStream(Files.newOutputStream(hgrm), false, "UTF-8")) {
                        r.histogram().outputPercentileDistribution(ps, 5, 1000.0);
                    }
                }
            }
            boolean single = kind.getKey().equals("single");
            Files.writeString(out.resolve(plot(kind.getKey())), PercentilePlot.svg(kind.getValue(),
                    String.format(Locale.ROOT, "End to end, %s: %,d %s/s open loop, fetch + XGBoost predict",
                            single ? "one entity, 40 features, 1 prediction" : "100 candidates, one 100-row prediction",
                            single ? o.singleRate() : o.rankingRate(), single ? "requests" : "ranking requests")));
        }
    }

    /** The plot of request kind {@code kind}. */
    static String plot(String kind) {
        return "e2e-" + kind + ".svg";
    }

    /** Appends the scenario's section of {@code report.md}. */
    static void section(StringBuilder sb, BenchOptions o, Map<String, List<SystemResult>> e2e) {
        sb.append("\n## End to end: fetch the features, score them\n\n");
        sb.append(String.format(Locale.ROOT, "- model: XGBoost4J, %s; one single-threaded `inplace_predict` per request"
                        + " on a dense float matrix (its result array is allocated by XGBoost4J per call, the same for"
                        + " every source)%n", ScoringModel.describe()));
        sb.append(String.format(Locale.ROOT, "- data: %,d entities × %d float32 features over 3 tables (13 + 13 + 14);"
                        + " %s%n", o.keys(), E2eData.FEATURES, o.writeRate() == 0 ? "no concurrent writer"
                        : String.format(Locale.ROOT, "a concurrent writer at %,d updates/s, each rewriting one entity's"
                                + " row in one table (with the same values)", o.writeRate())));
        sb.append(String.format(Locale.ROOT, "- single: one random entity's %d features, one prediction, %,d requests/s"
                        + " open loop; ranking: %d random candidates fetched as a batch, one %d-row prediction, %,d"
                        + " requests/s open loop%n", E2eData.FEATURES, o.singleRate(), E2eData.CANDIDATES,
                E2eData.CANDIDATES, o.rankingRate()));
        sb.append(String.format(Locale.ROOT, "- timing: %d s warm-up and %d s measured per kind, each source in its own"
                        + " JVM; latency from each request's intended start (coordinated-omission corrected)%n",
                o.warmupSeconds(), o.durationSeconds()));
        for (Map.Entry<String, List<SystemResult>> kind : e2e.entrySet()) {
            table(sb, kind.getKey(), kind.getValue());
        }
        sb.append("\nRatios are the source's latency divided by the array baseline's at the same percentile: what"
                + " fetching the features adds to the model's own cost. \"Fetch alone\" is the fetch's service time"
                + " (from its actual start, not coordinated-omission corrected): the source's own cost, apart from the"
                + " model's and from queueing. Heap allocated per request: the array baseline's is XGBoost4J's"
                + " (its result array and JNI), the rest is the source's.\n");
        goals(sb, e2e);
        sb.append("\n### Feature sources\n\n");
        List<SystemResult> first = e2e.values().iterator().next();
        for (SystemResult r : first) {
            sb.append("- ").append(r.system()).append(": ").append(FeatureSources.describe(r.system()));
            String detail = r.info().getProperty("detail", "");
            if (!detail.isEmpty()) {
                sb.append(" (").append(detail).append(')');
            }
            if (r.info().getProperty("loadSeconds") != null) {
                sb.append("; loaded in ").append(r.info().getProperty("loadSeconds")).append(" s");
            }
            String writes = r.info().getProperty("writesPerSecond");
            if (writes != null) {
                sb.append(String.format(Locale.ROOT, "; writer achieved %,d updates/s", Long.parseLong(writes)));
            }
            sb.append('\n');
        }
    }

    private static void table(StringBuilder sb, String kind, List<SystemResult> results) {
        Histogram base = find(results, FeatureSources.ARRAY);
        sb.append("\n### ").append(kind).append("\n\n| source |");
        for (String n : Report.PERCENTILE_NAMES) {
            sb.append(' ').append(n).append(" |");
        }
        sb.append(" max | requests | p50 ÷ array | p99 ÷ array | p99.9 ÷ array | fetch alone p50, p99, p99.9 |"
                + " heap allocated per request | load average before, after |\n|---|");
        sb.append("---:|".repeat(Report.PERCENTILES.length + 8)).append('\n');
        for (SystemResult r : results) {
            sb.append("| ").append(r.system()).append(" |");
            if (!r.ok()) {
                sb.append(" not available: ").append(r.reason().replace('|', '/').replace('\n', ' ')).append(" |");
                sb.append(" |".repeat(Report.PERCENTILES.length + 7)).append('\n');
                continue;
            }
            Histogram h = r.histogram();
            for (double p : Report.PERCENTILES) {
                sb.append(' ').append(Report.formatNanos(h.getValueAtPercentile(p))).append(" |");
            }
            sb.append(' ').append(Report.formatNanos(h.getMaxValue())).append(" |");
            sb.append(String.format(Locale.ROOT, " %,d |", h.getTotalCount()));
            for (double p : new double[] {50, 99, 99.9}) {
                sb.append(' ').append(base == null ? "-"
                        : Report.ratio(h.getValueAtPercentile(p), base.getValueAtPercentile(p))).append(" |");
            }
            sb.append(' ').append(fetch(r, E2eWorker.FETCH_P50)).append(", ").append(fetch(r, E2eWorker.FETCH_P99))
                    .append(", ").append(fetch(r, E2eWorker.FETCH_P999)).append(" |");
            String bytes = r.info().getProperty(E2eWorker.BYTES_PER_REQUEST);
            sb.append(bytes == null ? " -" : String.format(Locale.ROOT, " %,d B", Long.parseLong(bytes))).append(" |");
            sb.append(' ').append(r.info().getProperty("loadBefore", "?")).append(", ")
                    .append(r.info().getProperty("loadAfter", "?")).append(" |\n");
        }
        for (SystemResult r : results) {
            if (r.ok() && !"0".equals(r.info().getProperty("misses", "0"))) {
                sb.append("\n**Warning:** ").append(r.system()).append(" missed ")
                        .append(r.info().getProperty("misses"))
                        .append(" features of loaded entities; its figures are suspect.\n");
            }
        }
    }

    private static String fetch(SystemResult r, String key) {
        String v = r.info().getProperty(key);
        return v == null ? "-" : Report.formatNanos(Long.parseLong(v));
    }

    /** Larder's p99 at least 50× below Redis's, and within 1.2× of scoring from a Java array, per request kind. */
    private static void goals(StringBuilder sb, Map<String, List<SystemResult>> e2e) {
        sb.append("\n### Against the end-to-end goals\n\n| goal | measured | verdict |\n|---|---|---|\n");
        for (Map.Entry<String, List<SystemResult>> kind : e2e.entrySet()) {
            Histogram larder = find(kind.getValue(), FeatureSources.LARDER);
            Histogram redis = find(kind.getValue(), FeatureSources.REDIS);
            Histogram array = find(kind.getValue(), FeatureSources.ARRAY);
            goal(sb, kind.getKey() + ": Redis p99 ≥ 50 × Larder p99", "Redis", redis, larder,
                    (peer, l) -> peer >= 50.0 * l);
            goal(sb, kind.getKey() + ": Larder p99 ≤ 1.2 × array p99", "array", array, larder,
                    (peer, l) -> l <= 1.2 * peer);
        }
    }

    private interface Verdict {
        boolean met(long peer, long larder);
    }

    private static void goal(StringBuilder sb, String goal, String peerName, Histogram peer, Histogram larder,
                             Verdict v) {
        sb.append("| ").append(goal).append(" | ");
        if (peer == null || larder == null) {
            sb.append(peer == null ? peerName : "Larder").append(" not measured | not measured |\n");
            return;
        }
        long pv = peer.getValueAtPercentile(99);
        long lv = larder.getValueAtPercentile(99);
        sb.append(peerName).append(' ').append(Report.formatNanos(pv)).append(", Larder ")
                .append(Report.formatNanos(lv))
                .append(" (").append(Report.ratio(pv, lv)).append(") | ").append(v.met(pv, lv) ? "met" : "**missed**")
                .append(" |\n");
    }

    private static Histogram find(List<SystemResult> results, String source) {
        return results.stream().filter(r -> r.system().equals(source) && r.ok()).map(SystemResult::histogram)
                .findFirst().orElse(null);
    }
}
