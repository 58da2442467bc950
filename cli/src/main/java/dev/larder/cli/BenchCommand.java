package dev.larder.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code larder bench}: runs the tail-latency harness of jmh/ (Larder against Redis, Chronicle Map, ConcurrentHashMap,
 * Caffeine; with {@code --scenario e2e} a model server's requests, features fetched and scored) in its own JVM, from
 * the benchmarks jar the {@code larder} launcher builds, so benchmark-only dependencies
 * and Chronicle Map's JVM flags stay out of this command's process.
 */
@Command(name = "bench", description = "Run the tail-latency benchmark against Redis, Chronicle Map and on-heap maps;"
        + " write a report with percentiles, plots and summary.json.")
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--mode", defaultValue = "short",
            description = "smoke (seconds), short (under two minutes) or full (default ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = "--keys", description = "Entities in each system (default per mode).")
    Long keys;

    @Option(names = "--rate", description = "Lookups per second offered to each system (default per mode).")
    Long rate;

    @Option(names = "--write-rate", description = "Upserts per second applied while reading (default per mode).")
    Long writeRate;

    @Option(names = "--peers", defaultValue = "all",
            description = "all, or a comma-separated list of redis,chronicle,chm,caffeine,floor "
            + "(default ${DEFAULT-VALUE}).")
    String peers;

    @Option(names = "--scenario", defaultValue = "kv", description = "kv (single-key gets under a writer, ingest"
            + " figures), e2e (a model server's requests: fetch 40 features of one entity or of 100 candidates, score"
            + " them with an XGBoost model; Larder, Redis, Chronicle Map and a plain array) or all"
            + " (default ${DEFAULT-VALUE}).")
    String scenario;

    @Option(names = "--out", defaultValue = "larder-bench",
            description = "Report directory (default ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (keys != null) {
            OptionChecks.atLeast("--keys", keys, 1);
        }
        if (rate != null) {
            OptionChecks.atLeast("--rate", rate, 1);
        }
        if (writeRate != null) {
            OptionChecks.atLeast("--write-rate", writeRate, 0);
        }
        if (!List.of("kv", "e2e", "all").contains(scenario)) {
            throw new IllegalArgumentException("--scenario must be kv, e2e or all, got " + scenario);
        }
        String home = System.getProperty("larder.home");
        if (home == null) {
            throw new IllegalStateException("run bench through the ./larder launcher, which builds the benchmarks jar");
        }
        Path jar = Path.of(home, "jmh", "target", "benchmarks.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("benchmarks jar missing at " + jar
                    + "; build it with ./mvnw -q -DskipTests -pl jmh -am package");
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", jar.toString(), "dev.larder.jmh.harness.BenchHarness", "--mode", mode, "--peers", peers,
                "--scenario", scenario, "--out", out.toString()));
        if (keys != null) {
            cmd.addAll(List.of("--keys", keys.toString()));
        }
        if (rate != null) {
            cmd.addAll(List.of("--rate", rate.toString()));
        }
        if (writeRate != null) {
            cmd.addAll(List.of("--write-rate", writeRate.toString()));
        }
        return new ProcessBuilder(cmd).inheritIO().start().waitFor();
    }
}
