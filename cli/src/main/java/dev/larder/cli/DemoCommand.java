package dev.larder.cli;

import dev.larder.store.Column;
import dev.larder.store.ColumnType;
import dev.larder.store.FeatureSchema;
import dev.larder.store.FeatureStore;
import dev.larder.store.FeatureTable;
import dev.larder.store.Lineage;
import dev.larder.store.ReadStatus;
import dev.larder.store.RowBuffer;
import dev.larder.store.TableOptions;
import dev.larder.store.TableReader;
import dev.larder.store.TableWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code larder demo}: creates a table, writes rows, serves lookups from several threads while writing, prints timings. */
@Command(name = "demo", description = "Create a feature table, load it, and serve lookups while it is updated; print timings.")
final class DemoCommand implements Callable<Integer> {
    static final int FEATURES = 20;

    @Option(names = "--rows", defaultValue = "1000000", description = "Entities to load (default ${DEFAULT-VALUE}).")
    long rows;

    @Option(names = "--seconds", defaultValue = "5", description = "How long to serve lookups (default ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--readers", defaultValue = "2", description = "Reader threads (default ${DEFAULT-VALUE}).")
    int readers;

    @Option(names = "--store", description = "Store directory (default: a temporary directory, deleted afterwards).")
    Path storeDir;

    @Override
    public Integer call() throws Exception {
        Path dir = storeDir != null ? storeDir : Files.createTempDirectory("larder-demo");
        try {
            return run(dir);
        } finally {
            if (storeDir == null) {
                deleteTree(dir);
            }
        }
    }

    private int run(Path dir) throws InterruptedException {
        FeatureSchema.Builder b = FeatureSchema.builder().keyColumn("user_id", ColumnType.INT64);
        for (int i = 0; i < FEATURES; i++) {
            b.column("f" + i, ColumnType.FLOAT64);
        }
        FeatureSchema schema = b.add(Column.variable("country", ColumnType.STRING, true, 8)).build();
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable table = store.create("user_features", schema, TableOptions.DEFAULT.withInitialRows(rows));
            System.out.printf("store %s, table user_features: %d features, %d-byte rows%n", dir, FEATURES + 1, table.layout().rowSize());
            TableWriter w = table.writer();
            RowBuffer row = table.newRow();
            long t0 = System.nanoTime();
            for (long id = 0; id < rows; id++) {
                fill(row, id, 0);
                w.upsert(row, 0, System.currentTimeMillis());
                if ((id + 1) % (rows / 10 == 0 ? 1 : rows / 10) == 0) {
                    System.out.printf("\rloading %3d%%", (id + 1) * 100 / rows);
                }
            }
            w.publish(new Lineage("demo", dir.toString(), 0, System.currentTimeMillis()));
            w.sync();
            double loadSec = (System.nanoTime() - t0) / 1e9;
            System.out.printf("\rloaded %,d rows in %.2f s (%,.0f rows/s, durable)%n", rows, loadSec, rows / loadSec);

            AtomicBoolean stop = new AtomicBoolean();
            Histogram[] hist = new Histogram[readers];
            long[] served = new long[readers];
            Thread[] threads = new Thread[readers];
            for (int r = 0; r < readers; r++) {
                int me = r;
                hist[r] = new Histogram(3_600_000_000_000L, 3);
                threads[r] = new Thread(() -> {
                    TableReader reader = table.newReader();
                    SplittableRandom rnd = new SplittableRandom(me);
                    double sink = 0;
                    while (!stop.get()) {
                        long key = rnd.nextLong(rows);
                        long s = System.nanoTime();
                        if (reader.get(key) == ReadStatus.FOUND) {
                            sink += reader.getDouble(1);
                        }
                        hist[me].recordValue(System.nanoTime() - s);
                        served[me]++;
                    }
                    if (sink == 42) {
                        System.out.print("");
                    }
                }, "reader-" + r);
                threads[r].start();
            }
            long updates = 0;
            SplittableRandom rnd = new SplittableRandom(7);
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            long version = 1;
            long next = System.nanoTime();
            while (System.nanoTime() < end) {
                for (int i = 0; i < 1000; i++) {
                    fill(row, rnd.nextLong(rows), version);
                    w.upsert(row, version, System.currentTimeMillis());
                    updates++;
                }
                w.publish(new Lineage("demo", dir.toString(), version, System.currentTimeMillis()));
                version++;
                next += 10_000_000L;
                long sleep = next - System.nanoTime();
                if (sleep > 0) {
                    Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                }
            }
            stop.set(true);
            Histogram all = new Histogram(3_600_000_000_000L, 3);
            long total = 0;
            for (int r = 0; r < readers; r++) {
                threads[r].join();
                all.add(hist[r]);
                total += served[r];
            }
            System.out.printf("served %,d lookups from %d threads in %d s while applying %,d updates (%,.0f/s)%n",
                    total, readers, seconds, updates, updates / (double) seconds);
            System.out.printf("lookup latency (incl. ~20 ns of timer): p50 %d ns, p99 %d ns, p99.9 %d ns, max %d ns%n",
                    all.getValueAtPercentile(50), all.getValueAtPercentile(99), all.getValueAtPercentile(99.9), all.getMaxValue());
            Lineage l = table.lineage();
            System.out.printf("table lineage: source %s, watermark version %d, committed %s%n", l.sourceId(), l.version(),
                    java.time.Instant.ofEpochMilli(l.commitTimestampMillis()));
        }
        long r0 = System.nanoTime();
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.table("user_features");
            System.out.printf("reopened %,d rows in %.1f ms (no rebuild)%n", t.size(), (System.nanoTime() - r0) / 1e6);
        }
        return 0;
    }

    private static void fill(RowBuffer row, long id, long version) {
        row.clear().setLong(0, id);
        for (int i = 0; i < FEATURES; i++) {
            row.setDouble(1 + i, (id % 1000) * 0.001 + i + version);
        }
        row.setString(FEATURES + 1, (id & 1) == 0 ? "NL" : "US");
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
