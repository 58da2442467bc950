package dev.larder.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.larder.ingest.IngestOptions;
import dev.larder.ingest.LarderEngine;
import dev.larder.snapshot.DeltaChangeSource;
import dev.larder.snapshot.DeltaFeed;
import dev.larder.snapshot.DeltaSource;
import dev.larder.snapshot.ScanProgress;
import dev.larder.store.FeatureSchema;
import dev.larder.store.FeatureStore;
import dev.larder.store.FeatureTable;
import dev.larder.store.Lineage;
import dev.larder.store.TableOptions;
import dev.larder.tools.generate.DeltaTableGenerator;
import dev.larder.tools.generate.GeneratorSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * A benchmark, not a test (it asserts no time): {@code larder load}'s bootstrap of a generated table (1M rows x 20
 * float64 features, files of 250k rows) through s3a from S3Proxy on loopback against the same from the local path;
 * prints rows/s of each round and the median ratio (goal: s3a at least 0.7x local), and the CPU time per round of this
 * JVM (the reader) and of S3Proxy: on loopback the server competes with the reader for the same cores, which a
 * remote S3 does not. Run with
 * {@code ./mvnw -B -pl cloud -am -Dtest=S3BootstrapBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * -Dlarder.bench.s3=true test}
 * ({@code -Dlarder.bench.rows=N}, {@code -Dlarder.bench.rounds=N} change the size and rounds;
 * {@code -Dlarder.bench.conf=KEY=VALUE,...} adds s3a settings, e.g. {@code fs.s3a.input.stream.type=classic}).
 */
@EnabledIfSystemProperty(named = "larder.bench.s3", matches = "true")
class S3BootstrapBenchmark {
    @TempDir
    Path dir;

    static long bootstrap(DeltaSource src, Path storeDir) {
        DeltaChangeSource changes = new DeltaChangeSource(src, List.of(GeneratorSpec.KEY_COLUMN), 32,
                ScanProgress.NONE);
        FeatureSchema schema = changes.schema();
        try (FeatureStore store = FeatureStore.open(storeDir)) {
            FeatureTable t = store.create("bench", schema, TableOptions.DEFAULT);
            DeltaFeed feed = new DeltaFeed(src, schema);
            try (LarderEngine larder = LarderEngine.open(store, IngestOptions.DEFAULT.withJmx(false))) {
                return larder.load(t, new Lineage(changes.id(), changes.path(), -1, 0),
                        sink -> feed.bootstrap(src.latestVersion(), sink, ScanProgress.NONE));
            }
        }
    }

    static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(null);
        return s.get(s.size() / 2);
    }

    @Test
    void bootstrapThroughS3aAgainstLocal() throws Exception {
        long rows = Long.getLong("larder.bench.rows", 1_000_000);
        int rounds = Integer.getInteger("larder.bench.rounds", 3);
        Path local = dir.resolve("delta");
        System.out.println("generating: "
                + DeltaTableGenerator.generate(GeneratorSpec.builder().rows(rows).numericFeatures(20)
                .float32Features(0).stringFeatures(0).commits(0).rowsPerFile(250_000).build(), local));
        try (LocalS3 s3 = LocalS3.start(dir.resolve("s3"))) {
            s3.createBucket("bench");
            s3.uploadTable(local, "bench", "t", Set.of());
            Map<String, String> settings = new HashMap<>(s3.hadoopSettings());
            for (String kv : System.getProperty("larder.bench.conf", "").split(",")) {
                if (!kv.isBlank()) {
                    settings.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
                }
            }
            System.out.println("s3a settings: " + settings);
            DeltaSource remote = DeltaSource.open("s3a://bench/t", CloudSettings.hadoopSettings(settings));
            DeltaSource disk = DeltaSource.open(local.toString());
            bootstrap(disk, dir.resolve("warm-local"));
            bootstrap(remote, dir.resolve("warm-s3"));
            List<Double> localRate = new ArrayList<>();
            List<Double> s3Rate = new ArrayList<>();
            com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            for (int r = 0; r < rounds; r++) {
                for (boolean viaS3 : new boolean[] {false, true}) {
                    Path storeDir = dir.resolve("store-" + r + (viaS3 ? "-s3" : "-local"));
                    long cpu = os.getProcessCpuTime();
                    long serverCpu = s3.serverCpuNanos();
                    long start = System.nanoTime();
                    assertEquals(rows, bootstrap(viaS3 ? remote : disk, storeDir));
                    double rate = rows * 1e9 / (System.nanoTime() - start);
                    (viaS3 ? s3Rate : localRate).add(rate);
                    System.out.printf("round %d %-5s %,12.0f rows/s, reader cpu %.2f s, S3Proxy cpu %.2f s%n", r,
                            viaS3 ? "s3a" : "local",
                            rate, (os.getProcessCpuTime() - cpu) / 1e9, (s3.serverCpuNanos() - serverCpu) / 1e9);
                    try (var files = Files.walk(storeDir)) {
                        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                    }
                }
            }
            System.out.printf("median: local %,.0f rows/s, s3a %,.0f rows/s, s3a/local %.2fx%n", median(localRate),
                    median(s3Rate),
                    median(s3Rate) / median(localRate));
        }
    }
}
