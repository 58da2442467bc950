package dev.larder.cli;

import dev.larder.Feature;
import dev.larder.Larder;
import dev.larder.Lineage;
import dev.larder.ReadStatus;
import dev.larder.Reader;
import dev.larder.ServeLog;
import dev.larder.ServeLogStats;
import dev.larder.SkewReport;
import dev.larder.Source;
import dev.larder.Table;
import dev.larder.TableStatus;
import dev.larder.Vector;
import dev.larder.Verification;
import dev.larder.tools.generate.CommitSummary;
import dev.larder.tools.generate.DeltaTableGenerator;
import dev.larder.tools.generate.GenerationSummary;
import dev.larder.tools.generate.GeneratorSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code larder demo}, the main job on bundled defaults: generate a synthetic Delta feature table (Change Data Feed on,
 * as on Databricks feature tables), follow it (bootstrap then tail) through the library's public API, append commits
 * while several threads serve a logged model input vector, and report bootstrap speed, per-commit apply lag, lookup
 * latency percentiles, freshness, lineage, parity with the Delta table and a skew check of the served-feature log.
 */
@Command(name = "demo", description = "Generate a Delta feature table, follow it, append commits while serving a "
        + "logged vector from several threads, and report; ends with a parity check and a skew check of the log.")
final class DemoCommand implements Callable<Integer> {
    private static final String TABLE = "user_features";
    private static final String VECTOR = "ranker";

    @Option(names = "--rows", defaultValue = "1000000", description = "Entities in the generated table (default "
            + "${DEFAULT-VALUE}).")
    long rows;

    @Option(names = "--features", defaultValue = "20", description = "Numeric features, all in the served vector "
            + "(default ${DEFAULT-VALUE}).")
    int features;

    @Option(names = "--commits", defaultValue = "5", description = "Commits appended while serving (default "
            + "${DEFAULT-VALUE}).")
    int commits;

    @Option(names = "--readers", defaultValue = "2", description = "Lookup threads (default ${DEFAULT-VALUE}).")
    int readers;

    @Option(names = "--lookup-rate", defaultValue = "200000",
            description = "Lookups per second across the reader threads, paced like a model server's traffic "
                    + "(default ${DEFAULT-VALUE}).")
    long lookupRate;

    @Option(names = "--log-sample", defaultValue = "0.02", description = "Share of the served vectors written to the "
            + "served-feature log and skew-checked at the end, 0 to 1 (default ${DEFAULT-VALUE}).")
    double logSample;

    @Option(names = "--cdf", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Generate the table with Change Data Feed on, as most Databricks feature tables have it, "
                    + "so each commit is followed from its _change_data files; --no-cdf follows rewritten files "
                    + "instead (default on).")
    boolean cdf;

    @Option(names = "--dir", description = "Working directory for the Delta table, the store and the served-feature "
            + "log (default: a temporary directory, deleted afterwards).")
    Path workDir;

    @Override
    public Integer call() throws Exception {
        OptionChecks.atLeast("--rows", rows, 1);
        OptionChecks.atLeast("--features", features, 1);
        OptionChecks.atLeast("--commits", commits, 0);
        OptionChecks.atLeast("--readers", readers, 1);
        // Each reader paces lookupRate / readers lookups per second, which must not round down to none.
        OptionChecks.atLeast("--lookup-rate", lookupRate, readers);
        OptionChecks.share("--log-sample", logSample);
        Path dir = workDir != null ? workDir : Files.createTempDirectory("larder-demo");
        try {
            return run(dir.resolve("delta"), dir.resolve("store"), dir.resolve("serve-log"));
        } finally {
            if (workDir == null) {
                deleteTree(dir);
            }
        }
    }

    private int run(Path delta, Path storeDir, Path logDir) throws Exception {
        GeneratorSpec spec = GeneratorSpec.builder().rows(rows).numericFeatures(features)
                .float32Features(Math.min(4, features)).commits(0).rowsPerFile((int) Math.max(10_000, rows / 50))
                .changeDataFeed(cdf).build();
        System.out.printf("1. generating a Delta table: %,d entities x %d numeric + %d string features, "
                + "Change Data Feed %s, at %s%n", rows, features, spec.stringFeatures(), cdf ? "on" : "off", delta);
        GenerationSummary g = DeltaTableGenerator.generate(spec, delta);
        System.out.printf("   wrote version %d: %d parquet files, %.1f MB in %.1f s%n", g.latestVersion(),
                g.liveFiles(), g.bytesWritten() / 1e6, g.elapsedNanos() / 1e9);

        Feature[] vector = new Feature[features];
        for (int f = 0; f < features; f++) {
            vector[f] = Feature.of(TABLE + "." + GeneratorSpec.numericColumn(f));
        }
        System.out.printf("2. following it into the store at %s (bootstrap through the ingest ring, then tail the "
                + "log)%n", storeDir);
        long t0 = System.nanoTime();
        Progress.Bar bar = new Progress.Bar("   bootstrap", rows);
        try (Larder larder = Larder.builder(storeDir)
                .follow(TABLE, Source.delta(delta.toString()).key(GeneratorSpec.KEY_COLUMN)
                        .maxStaleness(Duration.ofSeconds(30)))
                .bootstrapProgress(TABLE, bar)
                .pollInterval(Duration.ofMillis(50))
                .vector(VECTOR, vector)
                .log(VECTOR, ServeLog.to(logDir.toString()).sample(logSample).rollEvery(Duration.ofSeconds(2))
                        .tags("demo", "v1"))
                .open()) {
            Table table = larder.table(TABLE);
            try (bar) {
                awaitVersion(table, 0);
            }
            double bootSec = (System.nanoTime() - t0) / 1e9;
            System.out.printf("   bootstrapped %,d rows in %.2f s: %,.0f rows/s end to end (Delta scan, ring, writer, "
                    + "durable)%n", table.size(), bootSec, table.size() / bootSec);

            Vector ranker = larder.vector(VECTOR);
            System.out.printf("3. serving %,d random lookups/s of vector %s (%d features) from %d threads, logging %s "
                            + "of them, while appending %d commits (updates, deletes, inserts)%n", lookupRate, VECTOR,
                    ranker.size(), readers, percent(logSample), commits);
            Serving serving = new Serving(table, ranker, readers, spec, lookupRate / readers);
            serving.start();
            Thread.sleep(1000);
            for (int c = 0; c < commits; c++) {
                CommitSummary s = DeltaTableGenerator.appendCommit(delta);
                awaitVersion(table, s.version());
                System.out.printf("   commit v%d (%,d updated, %,d deleted, %,d inserted; %s): "
                                + "applied %.0f ms after it landed in the log%n",
                        s.version(), s.updated(), s.deleted(), s.inserted(),
                        cdf ? s.changeFilesAdded() + " change files" : s.filesRemoved() + " files rewritten",
                        (System.nanoTime() - s.landedNanos()) / 1e6);
            }
            Thread.sleep(1000);
            serving.stop();

            Histogram h = serving.latency;
            System.out.printf("4. lookups: %,d vectors served, %,d found; latency p50 %,d ns, p99 %,d ns, p99.9 %,d "
                            + "ns, max %,d ns (per vector of %d features, logging and timer included; "
                            + "HdrHistogram)%n", h.getTotalCount(), serving.found(), h.getValueAtPercentile(50),
                    h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), h.getMaxValue(), ranker.size());
            TableStatus st = table.status();
            Lineage l = st.lineage();
            System.out.printf("5. freshness: watermark v%d committed %s, source latest v%d, lag %d versions, "
                            + "staleness %s -> %s%n", l.version(), Instant.ofEpochMilli(l.commitTimestampMillis()),
                    st.latestSourceVersion(), st.lagVersions(), StatsFile.human(st.staleness()),
                    st.healthy() ? "HEALTHY" : "UNHEALTHY");
            System.out.printf("   lineage: Delta table id %s at %s; last row served came from v%d committed %s%n",
                    l.sourceId(), l.sourcePath(), serving.lastRowVersion,
                    Instant.ofEpochMilli(serving.lastRowCommitTs));
            System.out.printf("   ingest: %s%n", larder.ingestMetrics().snapshot());
            Verification r = larder.verify(TABLE, Source.delta(delta.toString()), 3);
            System.out.printf("6. parity with the Delta table at v%d: %s (%,d rows)%n", r.version(),
                    r.equal() ? "EQUAL" : "DIFFERENT " + r.differences(), r.tableRows());

            ranker.flushLog();
            ServeLogStats ls = ranker.logStats();
            System.out.printf("7. served-feature log: %,d vectors logged (%s sampled), %,d dropped on full buffers, "
                            + "%,d committed in %,d commits to %s%n", ls.logged(), percent(logSample), ls.dropped(),
                    ls.committed(), ls.commits(), logDir);
            long start = System.nanoTime();
            SkewReport skew = ranker.checkLog(20);
            System.out.println("8. skew check: each logged value recomputed from the Delta table at the version it "
                    + "was served from (time travel)");
            SkewCheckCommand.print(skew, System.nanoTime() - start, 20, "   ");
            return r.equal() && skew.clean() ? 0 : 1;
        }
    }

    private static String percent(double share) {
        return String.format("%.4g%%", share * 100).replaceFirst("\\.?0+%$", "%");
    }

    private static void awaitVersion(Table table, long version) throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (table.lineage().version() < version) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("table " + table.name() + " did not reach version " + version
                        + " in 2 minutes");
            }
            Thread.sleep(2);
        }
    }

    /**
     * Reader threads: random keys over the whole key range (10% of them absent), each vector filled (and, sampled,
     * logged) through the thread's own filler and timed into a per-thread histogram; each thread serves its share of
     * the rate in 1 ms slices and sleeps the rest of each slice.
     */
    private static final class Serving {
        final Histogram latency = new Histogram(3_600_000_000_000L, 3);
        private final Thread[] threads;
        private final Histogram[] perThread;
        private final long[] found;
        private final AtomicBoolean stop = new AtomicBoolean();
        volatile long lastRowVersion;
        volatile long lastRowCommitTs;

        Serving(Table table, Vector vector, int n, GeneratorSpec spec, long ratePerThread) {
            threads = new Thread[n];
            perThread = new Histogram[n];
            found = new long[n];
            long keySpace = spec.rows() * 11 / 10;
            for (int i = 0; i < n; i++) {
                int me = i;
                perThread[i] = new Histogram(3_600_000_000_000L, 3);
                threads[i] = new Thread(() -> {
                    Vector.Filler filler = vector.newFiller();
                    // Beside the filler, for the lineage of a row now and then (outside the timed fill).
                    Reader reader = table.newReader();
                    float[] out = new float[vector.size()];
                    SplittableRandom rnd = new SplittableRandom(me);
                    long hits = 0;
                    long perSlice = Math.max(1, ratePerThread / 1000);
                    long slice = System.nanoTime();
                    while (!stop.get()) {
                        for (long done = 0; done < perSlice; done++) {
                            long key = rnd.nextLong(keySpace);
                            long start = System.nanoTime();
                            int fromData = filler.fill(key, out, null);
                            perThread[me].recordValue(System.nanoTime() - start);
                            if (fromData > 0 && (++hits & 1023) == 0 && reader.get(key) == ReadStatus.FOUND) {
                                lastRowVersion = reader.version();
                                lastRowCommitTs = reader.commitTimestampMillis();
                            }
                        }
                        slice += 1_000_000;
                        long sleep = slice - System.nanoTime();
                        if (sleep > 0) {
                            LockSupport.parkNanos(sleep);
                        }
                    }
                    found[me] = hits;
                }, "demo-reader-" + i);
            }
        }

        void start() {
            for (Thread t : threads) {
                t.start();
            }
        }

        void stop() throws InterruptedException {
            stop.set(true);
            for (int i = 0; i < threads.length; i++) {
                threads[i].join();
                latency.add(perThread[i]);
            }
        }

        long found() {
            long sum = 0;
            for (long f : found) {
                sum += f;
            }
            return sum;
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
