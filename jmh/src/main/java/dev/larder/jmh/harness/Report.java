package dev.larder.jmh.harness;

import dev.larder.jmh.Dataset;
import dev.larder.jmh.DeltaBootstrap;
import dev.larder.jmh.systems.Systems;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.HdrHistogram.Histogram;

/**
 * Writes a harness run's artefacts: {@code report.md} (percentiles per system, ratios against Larder, writer throughput
 * and bootstrap rows/s, DESIGN.md's bars), one {@code .hgrm} per measured system (HdrHistogram percentile distribution,
 * values in microseconds) and {@code latency.svg}; the end-to-end scenario's part ({@link E2eReport}); and
 * {@code summary.json}, the percentiles in ns for tools. A system without figures keeps its row, saying "not available"
 * and why.
 */
final class Report {
    static final String REPORT = "report.md";
    static final String PLOT = "latency.svg";
    static final String SUMMARY = "summary.json";
    static final double[] PERCENTILES = {50, 90, 99, 99.9, 99.99};
    static final String[] PERCENTILE_NAMES = {"p50", "p90", "p99", "p99.9", "p99.99"};

    private Report() {
    }

    static Path write(BenchOptions o, List<SystemResult> results, Properties ingest,
                      Map<String, List<SystemResult>> e2e, Path out) throws IOException {
        for (SystemResult r : results) {
            if (r.ok()) {
                try (PrintStream ps = new PrintStream(Files.newOutputStream(out.resolve(r.system() + ".hgrm")),
                        false, "UTF-8")) {
                    r.histogram().outputPercentileDistribution(ps, 5, 1000.0);
                }
            }
        }
        if (!results.isEmpty()) {
            Files.writeString(out.resolve(PLOT), PercentilePlot.svg(results, String.format(Locale.ROOT,
                    "Single-key get latency by percentile: %,d keys, %,d reads/s open loop, %,d writes/s", o.keys(),
                    o.rate(), o.writeRate())));
        }
        E2eReport.writeFiles(o, e2e, out);
        Files.writeString(out.resolve(SUMMARY), summaryJson(results, e2e));
        Path report = out.resolve(REPORT);
        Files.writeString(report, markdown(o, results, ingest, e2e));
        return report;
    }

    /**
     * {@code summary.json}: p50/p99/p99.9 in ns per system, {@code "get"} for the key-value suite and
     * {@code "e2e": {"single": {...}, "ranking": {...}}} for the end-to-end scenario (each present when it ran); a
     * system without figures has {@code {"unavailable": reason}} instead.
     */
    static String summaryJson(List<SystemResult> results, Map<String, List<SystemResult>> e2e) {
        List<String> sections = new ArrayList<>();
        if (!results.isEmpty()) {
            sections.add("  \"get\": " + jsonSystems(results, "  "));
        }
        if (!e2e.isEmpty()) {
            List<String> kinds = new ArrayList<>();
            for (Map.Entry<String, List<SystemResult>> kind : e2e.entrySet()) {
                kinds.add("    \"" + kind.getKey() + "\": " + jsonSystems(kind.getValue(), "    "));
            }
            sections.add("  \"e2e\": {\n" + String.join(",\n", kinds) + "\n  }");
        }
        return "{\n" + String.join(",\n", sections) + "\n}\n";
    }

    private static String jsonSystems(List<SystemResult> results, String indent) {
        List<String> entries = new ArrayList<>();
        for (SystemResult r : results) {
            String figures = r.ok()
                    ? String.format(Locale.ROOT, "{\"p50_ns\": %d, \"p99_ns\": %d, \"p999_ns\": %d}",
                            r.histogram().getValueAtPercentile(50), r.histogram().getValueAtPercentile(99),
                            r.histogram().getValueAtPercentile(99.9))
                    : "{\"unavailable\": " + jsonString(r.reason()) + "}";
            entries.add(indent + "  " + jsonString(r.system()) + ": " + figures);
        }
        return "{\n" + String.join(",\n", entries) + "\n" + indent + "}";
    }

    static String jsonString(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    static String markdown(BenchOptions o, List<SystemResult> results, Properties ingest,
                           Map<String, List<SystemResult>> e2e) {
        StringBuilder sb = new StringBuilder();
        List<SystemResult> all = new ArrayList<>(results);
        e2e.values().forEach(all::addAll);
        sb.append("# Larder tail-latency report\n\n");
        sb.append(String.format(Locale.ROOT, "- run: %s, mode %s, %d core(s), %s%n",
                ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME),
                o.mode().name().toLowerCase(Locale.ROOT),
                Runtime.getRuntime().availableProcessors(), firstInfo(all, "jvm")));
        if (ingest != null) {
            kvSections(sb, o, results, ingest);
        }
        if (!e2e.isEmpty()) {
            E2eReport.section(sb, o, e2e);
        }
        sb.append("\n## Files\n\n");
        if (ingest != null) {
            sb.append("- `").append(PLOT).append("`: latency by percentile, one line per system (log scales)\n");
            sb.append("- `<system>.hgrm`: HdrHistogram percentile distributions (values in microseconds)\n");
            sb.append("- `<system>.hlog`: the raw histograms (HdrHistogram log, nanoseconds)\n");
            sb.append("- `<system>.log`, `ingest.log`: output of each system's JVM and of the ingest figures' JVM\n");
            sb.append("- `bench-delta-<rows>/`: the generated Delta table bootstrapped from, reused by later runs of "
                    + "the same size\n");
        }
        if (!e2e.isEmpty()) {
            sb.append("- `").append(E2eReport.plot("single")).append("`, `").append(E2eReport.plot("ranking"))
                    .append("`: end-to-end latency by percentile, one line per feature source\n");
            sb.append("- `e2e-<source>-<single|ranking>.hgrm`, `.hlog`, `e2e-<source>.log`: the end-to-end figures,"
                    + " raw histograms and each source's JVM output\n");
        }
        sb.append("- `").append(SUMMARY).append("`: p50, p99 and p99.9 in ns per system, for tools\n");
        return sb.toString();
    }

    /** The key-value suite: single-key gets per system, ingest, the bars, the systems. */
    private static void kvSections(StringBuilder sb, BenchOptions o, List<SystemResult> results, Properties ingest) {
        SystemResult larder = results.stream().filter(r -> r.system().equals(Systems.LARDER)).findFirst().orElse(null);
        Histogram base = larder != null && larder.ok() ? larder.histogram() : null;
        sb.append(String.format(Locale.ROOT,
                "- data: %,d keys × %d float64 features (a typed row in Larder; the same %d value bytes under an "
                        + "8-byte key in the peers)%n",
                o.keys(), Dataset.FEATURES, Dataset.VALUE_BYTES));
        sb.append(String.format(Locale.ROOT,
                "- load: %d reader thread(s), open loop at %,d reads/s in total, random keys; "
                        + "a concurrent writer at %,d updates/s%n",
                o.readers(), o.rate(), o.writeRate()));
        sb.append(String.format(Locale.ROOT,
                "- timing: %d s warm-up, %d s measured per system, each system in its own JVM; "
                        + "latency measured from each request's intended start (coordinated-omission corrected)%n%n",
                o.warmupSeconds(), o.durationSeconds()));

        sb.append("## Single-key get latency\n\n| system |");
        for (String n : PERCENTILE_NAMES) {
            sb.append(' ').append(n).append(" |");
        }
        sb.append(" max | reads | writes/s achieved | p50 ÷ Larder | p99 ÷ Larder | p99.9 ÷ Larder |\n|---|");
        sb.append("---:|".repeat(PERCENTILES.length + 6)).append('\n');
        for (SystemResult r : results) {
            sb.append("| ").append(r.system()).append(" |");
            if (!r.ok()) {
                sb.append(" not available: ").append(r.reason().replace('|', '/').replace('\n', ' ')).append(" |");
                sb.append(" |".repeat(PERCENTILES.length + 5)).append('\n');
                continue;
            }
            Histogram h = r.histogram();
            for (double p : PERCENTILES) {
                sb.append(' ').append(formatNanos(h.getValueAtPercentile(p))).append(" |");
            }
            sb.append(' ').append(formatNanos(h.getMaxValue())).append(" |");
            sb.append(String.format(Locale.ROOT, " %,d |", h.getTotalCount()));
            String writes = r.info().getProperty("writesPerSecond");
            sb.append(' ').append(writes == null ? "-" : String.format(Locale.ROOT, "%,d", Long.parseLong(writes)))
                    .append(" |");
            for (double p : new double[] {50, 99, 99.9}) {
                sb.append(' ').append(base == null ? "-"
                        : ratio(h.getValueAtPercentile(p), base.getValueAtPercentile(p))).append(" |");
            }
            sb.append('\n');
        }
        sb.append("\nRatios are the system's latency divided by Larder's at the same percentile "
                + "(above 1: Larder is faster).\n");
        sb.append("A machine load average above the core count during a measurement means other work "
                + "competed with it.\n");
        for (SystemResult r : results) {
            if (r.ok() && !"0".equals(r.info().getProperty("misses", "0"))) {
                sb.append("\n**Warning:** ").append(r.system()).append(" missed ")
                        .append(r.info().getProperty("misses"))
                        .append(" lookups of loaded keys; its figures are suspect.\n");
            }
        }

        ingestSection(sb, ingest);

        sb.append("\n## Against DESIGN.md's bars\n\n");
        if (o.keys() != 1_000_000 || o.writeRate() != 100_000) {
            sb.append(String.format(Locale.ROOT,
                    "The bars are set for 1,000,000 keys and 100,000 updates/s; "
                            + "this run used %,d keys and %,d updates/s.%n%n",
                    o.keys(), o.writeRate()));
        }
        sb.append("| bar | measured | verdict |\n|---|---|---|\n");
        if (base == null) {
            sb.append("| all | Larder has no figures: ").append(larder == null ? "not requested" : larder.reason())
                    .append(" | not measured |\n");
        } else {
            absoluteBar(sb, "Larder p50 ≤ 150 ns", base.getValueAtPercentile(50), 150);
            absoluteBar(sb, "Larder p99 ≤ 500 ns", base.getValueAtPercentile(99), 500);
            absoluteBar(sb, "Larder p99.9 ≤ 2 µs", base.getValueAtPercentile(99.9), 2_000);
            SystemResult chronicle = find(results, Systems.CHRONICLE);
            SystemResult redis = find(results, Systems.REDIS);
            peerBar(sb, "Larder p50 ≤ 0.5 × Chronicle Map p50", chronicle, base, 50, 2, "Chronicle Map");
            peerBar(sb, "Larder p99.9 ≤ 0.5 × Chronicle Map p99.9", chronicle, base, 99.9, 2, "Chronicle Map");
            peerBar(sb, "Redis p50 ≥ 100 × Larder p50", redis, base, 50, 100, "Redis");
            peerBar(sb, "Redis p99 ≥ 100 × Larder p99", redis, base, 99, 100, "Redis");
            SystemResult floor = find(results, Systems.FLOOR);
            if (floor != null && floor.ok()) {
                sb.append("| (context) one random memory access, no index: no lookup beats it | floor p50 ")
                        .append(formatNanos(floor.histogram().getValueAtPercentile(50))).append(", p99 ")
                        .append(formatNanos(floor.histogram().getValueAtPercentile(99))).append(" | - |\n");
            }
        }
        ingestBars(sb, ingest);

        sb.append("\n## Systems\n\n");
        for (SystemResult r : results) {
            sb.append("- ").append(r.system()).append(": ").append(Systems.describe(r.system()));
            String detail = r.info().getProperty("detail", "");
            if (!detail.isEmpty()) {
                sb.append(" (").append(detail).append(')');
            }
            if (r.info().getProperty("loadSeconds") != null) {
                sb.append("; loaded in ").append(r.info().getProperty("loadSeconds")).append(" s");
            }
            if (r.info().getProperty("loadBefore") != null) {
                sb.append("; machine load average ").append(r.info().getProperty("loadBefore")).append(" before, ")
                        .append(r.info().getProperty("loadAfter")).append(" after");
            }
            sb.append('\n');
        }
    }

    /** Writer throughput and bootstrap, each through the ring and, as the comparison in the same run, without it. */
    private static void ingestSection(StringBuilder sb, Properties in) {
        sb.append("\n## Ingest\n\n");
        if (!"ok".equals(in.getProperty("status"))) {
            sb.append("Not available: ").append(in.getProperty("reason", "not run")).append("\n");
            return;
        }
        sb.append(String.format(Locale.ROOT,
                "Measured once each in one JVM: %,d upserts (1 producer) over %,d loaded keys of %d float64 features, "
                        + "each replacing a stored row; bootstrap of a generated Delta snapshot of %,d rows × %d "
                        + "float64 features "
                        + "into a new table; machine load average %s before, %s after.%n%n",
                Long.parseLong(in.getProperty("upserts")), Long.parseLong(in.getProperty("keys")), Dataset.FEATURES,
                Long.parseLong(in.getProperty("bootstrapRows")), DeltaBootstrap.FEATURES, in.getProperty("loadBefore"),
                in.getProperty("loadAfter")));
        sb.append("| what | rate |\n|---|---:|\n");
        ingestRow(sb, in, "writer throughput through the ring (upserts/s)", "ringUpsertsPerSecond");
        ingestRow(sb, in, "bootstrap, `Larder.follow` until the watermark (rows/s)", "bootstrapRingRowsPerSecond");
        ingestRow(sb, in, "bootstrap, `Larder.load` as `larder load` does (rows/s)", "bootstrapLoadRowsPerSecond");
    }

    private static void ingestRow(StringBuilder sb, Properties in, String what, String key) {
        sb.append(String.format(Locale.ROOT, "| %s | %,d |%n", what, Long.parseLong(in.getProperty(key))));
    }

    private static void ingestBars(StringBuilder sb, Properties in) {
        if (!"ok".equals(in.getProperty("status"))) {
            sb.append("| writer throughput, bootstrap | not available: ")
                    .append(in.getProperty("reason", "not run").replace('|', '/'))
                    .append(" | not measured |\n");
            return;
        }
        long ring = Long.parseLong(in.getProperty("ringUpsertsPerSecond"));
        sb.append(String.format(Locale.ROOT,
                "| writer throughput through the ring ≥ 2M upserts/s | %,d upserts/s | %s |%n",
                ring, ring >= 2_000_000 ? "met" : "**missed**"));
        long rows = Long.parseLong(in.getProperty("bootstrapRows"));
        String size = rows == 10_000_000 ? "" : String.format(Locale.ROOT, " (set at 10M rows; this run: %,d)", rows);
        for (String path : new String[] {"Ring", "Load"}) {
            long r = Long.parseLong(in.getProperty("bootstrap" + path + "RowsPerSecond"));
            sb.append(String.format(Locale.ROOT, "| bootstrap ≥ 1M rows/s end to end%s, %s | %,d rows/s | %s |%n", size,
                    path.equals("Ring") ? "follow" : "load", r, r >= 1_000_000 ? "met" : "**missed**"));
        }
    }

    private static SystemResult find(List<SystemResult> results, String system) {
        return results.stream().filter(r -> r.system().equals(system)).findFirst().orElse(null);
    }

    private static String firstInfo(List<SystemResult> results, String key) {
        return results.stream().map(r -> r.info().getProperty(key)).filter(v -> v != null).findFirst()
                .orElse(System.getProperty("java.vm.name") + " " + Runtime.version());
    }

    private static void absoluteBar(StringBuilder sb, String bar, long value, long limit) {
        sb.append("| ").append(bar).append(" | ").append(formatNanos(value)).append(" | ")
                .append(value <= limit ? "met" : "**missed**").append(" |\n");
    }

    /** A bar "peer ≥ factor × Larder" at one percentile. */
    private static void peerBar(StringBuilder sb, String bar, SystemResult peer, Histogram base, double p,
            double factor, String peerName) {
        sb.append("| ").append(bar).append(" | ");
        if (peer == null) {
            sb.append(peerName).append(" not requested | not measured |\n");
            return;
        }
        if (!peer.ok()) {
            sb.append(peerName).append(" not available: ").append(peer.reason().replace('|', '/'))
                    .append(" | not measured |\n");
            return;
        }
        long pv = peer.histogram().getValueAtPercentile(p);
        long lv = base.getValueAtPercentile(p);
        sb.append(peerName).append(' ').append(formatNanos(pv)).append(", Larder ").append(formatNanos(lv))
                .append(" (").append(ratio(pv, lv)).append(") | ").append(pv >= factor * lv ? "met" : "**missed**")
                .append(" |\n");
    }

    static String ratio(long value, long base) {
        if (base <= 0) {
            return "-";
        }
        double r = (double) value / base;
        return String.format(Locale.ROOT, r >= 100 ? "%.0f×" : r >= 10 ? "%.1f×" : "%.2f×", r);
    }

    static String formatNanos(long ns) {
        if (ns < 1_000) {
            return ns + " ns";
        }
        if (ns < 1_000_000) {
            return String.format(Locale.ROOT, ns < 10_000 ? "%.2f µs" : "%.1f µs", ns / 1e3);
        }
        if (ns < 1_000_000_000) {
            return String.format(Locale.ROOT, ns < 10_000_000 ? "%.2f ms" : "%.1f ms", ns / 1e6);
        }
        return String.format(Locale.ROOT, "%.2f s", ns / 1e9);
    }
}
