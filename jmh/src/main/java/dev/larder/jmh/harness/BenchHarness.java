package dev.larder.jmh.harness;

import dev.larder.jmh.BootstrapBenchmark;
import dev.larder.jmh.ChronicleGetBenchmark;
import dev.larder.jmh.e2e.E2eData;
import dev.larder.jmh.e2e.FeatureSources;
import dev.larder.jmh.systems.Systems;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Fork;

/**
 * The tail-latency harness (not JMH averages): for each system in turn, a child JVM loads the same data, runs a
 * concurrent writer at the configured rate and fixed-rate open-loop readers with coordinated-omission-corrected
 * HdrHistogram recording; one more child measures writer throughput and bootstrap rows/s ({@link IngestWorker}); with
 * the end-to-end scenario, one child per feature source serves scoring requests ({@link E2eWorker}); the
 * parent then writes the report ({@link Report}). Entry points: {@link #run(BenchOptions)}
 * for the CLI, {@link #main} for direct use:
 *
 * <pre>java -cp jmh/target/benchmarks.jar dev.larder.jmh.harness.BenchHarness --mode short --out bench-report</pre>
 */
public final class BenchHarness {
    private BenchHarness() {
    }

    /** Runs every scenario and system of {@code options} and returns the path of the markdown report. */
    public static Path run(BenchOptions options) throws IOException, InterruptedException {
        Path out = options.outDir().toAbsolutePath();
        Files.createDirectories(out);
        List<SystemResult> results = new ArrayList<>();
        boolean kv = options.scenarios().contains(BenchOptions.Scenario.KV);
        for (String system : kv ? options.systems() : List.<String>of()) {
            System.out.printf("[bench] %s: %d keys, %d reads/s, %d writes/s, %d s warm-up + %d s measured%n",
                    system, options.keys(), options.rate(), options.writeRate(), options.warmupSeconds(),
                    options.durationSeconds());
            SystemResult r = runChild(system, options, out);
            System.out.println(r.ok()
                    ? String.format(Locale.ROOT, "[bench] %s: p50 %s, p99 %s, p99.9 %s, max %s", system,
                            Report.formatNanos(r.histogram().getValueAtPercentile(50)),
                            Report.formatNanos(r.histogram().getValueAtPercentile(99)),
                            Report.formatNanos(r.histogram().getValueAtPercentile(99.9)),
                            Report.formatNanos(r.histogram().getMaxValue()))
                    : "[bench] " + system + ": not available: " + r.reason());
            results.add(r);
        }
        Properties ingest = kv ? runIngest(options, out) : null;
        Map<String, List<SystemResult>> e2e = new LinkedHashMap<>();
        if (options.scenarios().contains(BenchOptions.Scenario.E2E)) {
            for (String kind : E2eWorker.KINDS) {
                e2e.put(kind, new ArrayList<>());
            }
            for (String source : options.e2eSources()) {
                System.out.printf(Locale.ROOT, "[bench] e2e %s: %d entities x %d features, %d single/s then"
                                + " %d ranking/s, %d writes/s, %d s warm-up + %d s measured each%n", source,
                        options.keys(), E2eData.FEATURES, options.singleRate(), options.rankingRate(),
                        options.writeRate(), options.warmupSeconds(), options.durationSeconds());
                List<SystemResult> rs = runE2eChild(source, options, out);
                for (int k = 0; k < E2eWorker.KINDS.length; k++) {
                    SystemResult r = rs.get(k);
                    System.out.println(r.ok()
                            ? String.format(Locale.ROOT, "[bench] e2e %s %s: p50 %s, p99 %s, p99.9 %s", source,
                                    E2eWorker.KINDS[k], Report.formatNanos(r.histogram().getValueAtPercentile(50)),
                                    Report.formatNanos(r.histogram().getValueAtPercentile(99)),
                                    Report.formatNanos(r.histogram().getValueAtPercentile(99.9)))
                            : "[bench] e2e " + source + " " + E2eWorker.KINDS[k] + ": not available: " + r.reason());
                    e2e.get(E2eWorker.KINDS[k]).add(r);
                }
            }
        }
        return Report.write(options, results, ingest, e2e, out);
    }

    private static Properties runIngest(BenchOptions options, Path out) throws IOException, InterruptedException {
        System.out.printf("[bench] ingest: %,d upserts over %,d keys; bootstrap of %,d Delta rows%n",
                options.mode().upserts, options.keys(), options.mode().bootstrapRows);
        Properties ingest = runIngestChild(options, out);
        System.out.println("[bench] ingest: " + ("ok".equals(ingest.getProperty("status")) ? "done"
                : "not available: " + ingest.getProperty("reason")));
        return ingest;
    }

    /**
     * Writer throughput and bootstrap figures from their own JVM (fresh JIT and heap); a failure is a reason, not an
     * exception.
     */
    private static Properties runIngestChild(BenchOptions o, Path out) throws IOException, InterruptedException {
        Path resultFile = out.resolve(IngestWorker.RESULT);
        Files.deleteIfExists(resultFile);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(BootstrapBenchmark.class.getAnnotation(Fork.class).jvmArgsAppend()));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(IngestWorker.class.getName());
        cmd.addAll(List.of(Integer.toString(o.keys()), Long.toString(o.mode().upserts),
                Long.toString(o.mode().bootstrapRows), out.toString()));
        Path log = out.resolve("ingest.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        // Generous: ~0.5M upserts/s and ~0.1M rows/s (generation on first use plus two bootstraps) on a loaded machine.
        long timeoutSeconds = 60 + o.mode().upserts / 250_000 + o.mode().bootstrapRows / 50_000;
        Properties result = new Properties();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            result.setProperty("reason", "timed out after " + timeoutSeconds + " s (see " + log.getFileName() + ")");
            return result;
        }
        if (!Files.exists(resultFile)) {
            result.setProperty("reason", "child JVM exited with " + p.exitValue() + ": " + lastLines(log, 3));
            return result;
        }
        try (InputStream in = Files.newInputStream(resultFile)) {
            result.load(in);
        }
        return result;
    }

    private static SystemResult runChild(String system, BenchOptions o, Path out)
            throws IOException, InterruptedException {
        Files.deleteIfExists(out.resolve(system + HarnessWorker.RESULT_SUFFIX));
        Files.deleteIfExists(out.resolve(system + HarnessWorker.HLOG_SUFFIX));
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // Same heap for every system, sized for the on-heap peers (~600 B per entry with boxing and node overhead).
        long heapMb = 256 + o.keys() * 600L / 1_000_000;
        cmd.add("-Xms" + heapMb + "m");
        cmd.add("-Xmx" + heapMb + "m");
        cmd.add("-XX:+AlwaysPreTouch");
        if (system.equals(Systems.CHRONICLE)) {
            cmd.addAll(List.of(chronicleJvmArgs()));
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(HarnessWorker.class.getName());
        cmd.addAll(List.of(system, Integer.toString(o.keys()), Long.toString(o.rate()), Long.toString(o.writeRate()),
                Integer.toString(o.readers()), Integer.toString(o.warmupSeconds()),
                Integer.toString(o.durationSeconds()), out.toString()));
        Path log = out.resolve(system + ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        // Loading dominates the slack: ~1M keys/s for the slowest system (Redis), plus JVM start and heap pre-touch.
        long timeoutSeconds = o.warmupSeconds() + o.durationSeconds() + o.keys() / 50_000 + 60;
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            return SystemResult.unavailable(system, "failed: timed out after " + timeoutSeconds + " s (see "
                    + log.getFileName() + ")");
        }
        return SystemResult.read(system, out, "failed: child JVM exited with " + p.exitValue() + ": "
                + lastLines(log, 3));
    }

    /**
     * One end-to-end source in its own JVM: its figures per request kind, named by source ({@code system} is the
     * source), or the reason there are none.
     */
    private static List<SystemResult> runE2eChild(String source, BenchOptions o, Path out)
            throws IOException, InterruptedException {
        for (String kind : E2eWorker.KINDS) {
            Files.deleteIfExists(out.resolve(E2eWorker.stem(source, kind) + HarnessWorker.RESULT_SUFFIX));
            Files.deleteIfExists(out.resolve(E2eWorker.stem(source, kind) + HarnessWorker.HLOG_SUFFIX));
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // Same heap for every source, sized for the array baseline (160 B per entity) and the model's training set.
        long heapMb = 256 + o.keys() * 200L / 1_000_000;
        cmd.add("-Xms" + heapMb + "m");
        cmd.add("-Xmx" + heapMb + "m");
        cmd.add("-XX:+AlwaysPreTouch");
        cmd.add("--enable-native-access=ALL-UNNAMED");
        if (source.equals(FeatureSources.CHRONICLE)) {
            cmd.addAll(List.of(chronicleJvmArgs()));
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(E2eWorker.class.getName());
        cmd.addAll(List.of(source, Integer.toString(o.keys()), Long.toString(o.singleRate()),
                Long.toString(o.rankingRate()), Long.toString(o.writeRate()), Integer.toString(o.warmupSeconds()),
                Integer.toString(o.durationSeconds()), out.toString()));
        Path log = out.resolve("e2e-" + source + ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        // Two timed phases, three values per entity to load (Redis, the slowest, at ~150k/s on a loaded machine),
        // JVM start, heap pre-touch and training.
        long timeoutSeconds = 2L * (o.warmupSeconds() + o.durationSeconds()) + o.keys() / 50_000 + 90;
        String timedOut = null;
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            timedOut = "failed: timed out after " + timeoutSeconds + " s (see " + log.getFileName() + ")";
        }
        List<SystemResult> rs = new ArrayList<>();
        for (String kind : E2eWorker.KINDS) {
            SystemResult r = timedOut != null ? SystemResult.unavailable(source, timedOut)
                    : SystemResult.read(E2eWorker.stem(source, kind), out,
                            "failed: child JVM exited with " + p.exitValue() + ": " + lastLines(log, 3));
            rs.add(new SystemResult(source, r.histogram(), r.reason(), r.info()));
        }
        return rs;
    }

    /** Chronicle's flags, from the one place they are declared: its JMH benchmark's fork. */
    static String[] chronicleJvmArgs() {
        return ChronicleGetBenchmark.class.getAnnotation(Fork.class).jvmArgsAppend();
    }

    private static String lastLines(Path log, int n) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join(" | ", lines.subList(Math.max(0, lines.size() - n), lines.size())).strip();
    }

    /**
     * Options: {@code --mode smoke|short|full} (default short), {@code --keys N}, {@code --rate R} (reads/s),
     * {@code --write-rate W} (updates/s), {@code --readers N}, {@code --warmup S}, {@code --duration S},
     * {@code --peers all|chm,caffeine,chronicle,redis}, {@code --scenario kv|e2e|all} (default kv),
     * {@code --out DIR} (default bench-report).
     */
    public static void main(String[] args) throws Exception {
        BenchOptions.Mode mode = BenchOptions.Mode.SHORT;
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--mode")) {
                mode = BenchOptions.Mode.valueOf(args[i + 1].toUpperCase(Locale.ROOT));
            }
        }
        BenchOptions o = BenchOptions.of(mode, Path.of("bench-report"));
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + args[i] + " needs a value");
            }
            String v = args[i + 1];
            o = switch (args[i]) {
                case "--mode" -> o;
                case "--keys" -> o.withKeys(Integer.parseInt(v));
                case "--rate" -> o.withRate(Long.parseLong(v));
                case "--write-rate" -> o.withWriteRate(Long.parseLong(v));
                case "--readers" -> o.withReaders(Integer.parseInt(v));
                case "--warmup" -> o.withWarmupSeconds(Integer.parseInt(v));
                case "--duration" -> o.withDurationSeconds(Integer.parseInt(v));
                case "--peers" -> o.withSystems(BenchOptions.parsePeers(v));
                case "--scenario" -> o.withScenarios(BenchOptions.parseScenarios(v));
                case "--out" -> o.withOutDir(Path.of(v));
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            };
        }
        Path report = run(o);
        System.out.println("[bench] report: " + report);
        System.out.print(Files.readString(report));
    }
}
