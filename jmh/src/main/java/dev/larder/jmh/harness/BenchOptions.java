package dev.larder.jmh.harness;

import dev.larder.jmh.e2e.FeatureSources;
import dev.larder.jmh.systems.Systems;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What one harness run measures. Start from {@link #of(Mode, Path)} and override with the {@code with...} methods.
 *
 * @param mode            preset the other values came from (printed in the report)
 * @param keys            entities loaded into every system
 * @param rate            reads per second, open loop, summed over the reader threads (same for every system)
 * @param writeRate       updates per second applied by a concurrent writer (0 = read-only)
 * @param readers         reader threads
 * @param warmupSeconds   paced warm-up before measuring, per system
 * @param durationSeconds measurement time, per system
 * @param systems         "larder" first, then the peers ({@link Systems#ALL} names)
 * @param outDir          where the report, .hgrm/.hlog files, plot and child logs go
 * @param scenarios       what to measure: the key-value suite, the end-to-end scoring scenario, or both
 */
public record BenchOptions(Mode mode, int keys, long rate, long writeRate, int readers, int warmupSeconds,
                           int durationSeconds, List<String> systems, Path outDir, List<Scenario> scenarios) {

    /**
     * What a run measures. {@link #KV}: single-key gets of every system under a concurrent writer, plus the ingest
     * figures. {@link #E2E}: a model server's requests (fetch features, score them with an XGBoost model) against
     * Larder, Redis, Chronicle Map and a plain array; not in a mode's default because it adds about two minutes.
     */
    public enum Scenario {
        /** Single-key gets per system under a writer ({@link HarnessWorker}), and the ingest figures. */
        KV,
        /** The end-to-end scoring scenario ({@link E2eWorker}). */
        E2E
    }

    /**
     * Presets: SMOKE proves the pipeline works in seconds (CI), SHORT is the under-two-minutes real run. Each also sets
     * the ingest figures' sizes: {@code upserts} timed for writer throughput, and {@code bootstrapRows} in the Delta
     * snapshot bootstrapped (FULL at the bar's 10M rows; SHORT smaller, to stay within its time), and the end-to-end
     * scenario's request rates: {@code singleRate} one-entity requests/s, then {@code rankingRate} ranking requests/s
     * of 100 candidates (each well below what the slowest source serves, so that the open loop measures latency,
     * not a queue).
     */
    public enum Mode {
        SMOKE(10_000, 2_000, 1_000, 1, 2, 200_000, 20_000, 200, 50),
        SHORT(1_000_000, 10_000, 100_000, 4, 10, 3_000_000, 500_000, 1_000, 200),
        FULL(1_000_000, 10_000, 100_000, 20, 60, 20_000_000, 10_000_000, 1_000, 200);

        final int keys;
        final long rate;
        final long writeRate;
        final int warmupSeconds;
        final int durationSeconds;
        final long upserts;
        final long bootstrapRows;
        final long singleRate;
        final long rankingRate;

        Mode(int keys, long rate, long writeRate, int warmupSeconds, int durationSeconds, long upserts,
             long bootstrapRows, long singleRate, long rankingRate) {
            this.keys = keys;
            this.rate = rate;
            this.writeRate = writeRate;
            this.warmupSeconds = warmupSeconds;
            this.durationSeconds = durationSeconds;
            this.upserts = upserts;
            this.bootstrapRows = bootstrapRows;
            this.singleRate = singleRate;
            this.rankingRate = rankingRate;
        }
    }

    public BenchOptions {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(outDir, "outDir");
        scenarios = List.copyOf(scenarios);
        if (scenarios.isEmpty()) {
            throw new IllegalArgumentException("no scenario to run");
        }
        if (keys < 1 || rate < 1 || writeRate < 0 || readers < 1 || warmupSeconds < 0 || durationSeconds < 1) {
            throw new IllegalArgumentException(
                    "keys, rate, readers and duration must be positive; writeRate and warm-up not negative");
        }
        if (rate < readers) {
            throw new IllegalArgumentException("rate " + rate + "/s is below one read per second per reader");
        }
        systems = List.copyOf(systems);
        if (systems.isEmpty()) {
            throw new IllegalArgumentException("no system to measure");
        }
        for (String s : systems) {
            if (!Systems.ALL.contains(s)) {
                throw new IllegalArgumentException("unknown system '" + s + "'; known: "
                        + String.join(", ", Systems.ALL));
            }
        }
    }

    /** The preset {@code mode} with Larder and every peer, the key-value suite only. */
    public static BenchOptions of(Mode mode, Path outDir) {
        return new BenchOptions(mode, mode.keys, mode.rate, mode.writeRate, 1, mode.warmupSeconds, mode.durationSeconds,
                Systems.ALL, outDir, List.of(Scenario.KV));
    }

    /** "kv", "e2e", or "all" (both), as {@code --scenario} takes them. */
    public static List<Scenario> parseScenarios(String s) {
        return switch (s.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "kv" -> List.of(Scenario.KV);
            case "e2e" -> List.of(Scenario.E2E);
            case "all" -> List.of(Scenario.KV, Scenario.E2E);
            default -> throw new IllegalArgumentException("unknown scenario '" + s.strip() + "'; known: kv, e2e, all");
        };
    }

    /**
     * The end-to-end scenario's sources: Larder, then Redis and Chronicle Map where {@link #systems} has them, then the
     * array baseline (always: every ratio of the scenario's goals is against it or Larder).
     */
    public List<String> e2eSources() {
        List<String> out = new ArrayList<>();
        out.add(FeatureSources.LARDER);
        for (String s : List.of(FeatureSources.REDIS, FeatureSources.CHRONICLE)) {
            if (systems.contains(s)) {
                out.add(s);
            }
        }
        out.add(FeatureSources.ARRAY);
        return out;
    }

    /** One-entity requests per second of the end-to-end scenario. */
    public long singleRate() {
        return mode.singleRate;
    }

    /** Ranking requests (100 candidates each) per second of the end-to-end scenario. */
    public long rankingRate() {
        return mode.rankingRate;
    }

    /**
     * Larder plus the named peers: "all", or a comma-separated list of peer names (e.g. "redis,chronicle"); Larder is
     * always measured because every ratio is against it.
     */
    public static List<String> parsePeers(String peers) {
        if (peers.isBlank() || peers.equals("all")) {
            return Systems.ALL;
        }
        List<String> out = new ArrayList<>();
        out.add(Systems.LARDER);
        for (String p : peers.split(",")) {
            String name = p.strip().toLowerCase(java.util.Locale.ROOT);
            if (!Systems.ALL.contains(name)) {
                throw new IllegalArgumentException("unknown peer '" + p.strip() + "'; known: "
                        + String.join(", ", Systems.ALL.subList(1, Systems.ALL.size())));
            }
            if (!out.contains(name)) {
                out.add(name);
            }
        }
        return out;
    }

    public BenchOptions withKeys(int k) {
        return new BenchOptions(mode, k, rate, writeRate, readers, warmupSeconds, durationSeconds,
                systems, outDir, scenarios);
    }

    public BenchOptions withRate(long r) {
        return new BenchOptions(mode, keys, r, writeRate, readers, warmupSeconds, durationSeconds,
                systems, outDir, scenarios);
    }

    public BenchOptions withWriteRate(long w) {
        return new BenchOptions(mode, keys, rate, w, readers, warmupSeconds, durationSeconds,
                systems, outDir, scenarios);
    }

    public BenchOptions withReaders(int n) {
        return new BenchOptions(mode, keys, rate, writeRate, n, warmupSeconds, durationSeconds,
                systems, outDir, scenarios);
    }

    public BenchOptions withWarmupSeconds(int s) {
        return new BenchOptions(mode, keys, rate, writeRate, readers, s, durationSeconds, systems, outDir, scenarios);
    }

    public BenchOptions withDurationSeconds(int s) {
        return new BenchOptions(mode, keys, rate, writeRate, readers, warmupSeconds, s, systems, outDir, scenarios);
    }

    public BenchOptions withSystems(List<String> s) {
        return new BenchOptions(mode, keys, rate, writeRate, readers, warmupSeconds, durationSeconds,
                s, outDir, scenarios);
    }

    public BenchOptions withScenarios(List<Scenario> s) {
        return new BenchOptions(mode, keys, rate, writeRate, readers, warmupSeconds, durationSeconds,
                systems, outDir, s);
    }

    public BenchOptions withOutDir(Path dir) {
        return new BenchOptions(mode, keys, rate, writeRate, readers, warmupSeconds, durationSeconds,
                systems, dir, scenarios);
    }
}
