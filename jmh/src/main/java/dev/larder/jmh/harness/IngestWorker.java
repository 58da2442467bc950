package dev.larder.jmh.harness;

import dev.larder.ingest.IngestOptions;
import dev.larder.ingest.Larder;
import dev.larder.ingest.WriterThroughput;
import dev.larder.jmh.Dataset;
import dev.larder.jmh.DeltaBootstrap;
import dev.larder.store.FeatureStore;
import dev.larder.store.FeatureTable;
import dev.larder.store.Lineage;
import dev.larder.store.RowBuffer;
import dev.larder.store.TableOptions;
import dev.larder.store.internal.StoreInternals;
import dev.larder.store.internal.TableWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Properties;

/**
 * Child-JVM side of the harness's ingest figures: writer throughput (through the ring, and straight into the table's
 * writer) and bootstrap rows/s from a generated Delta snapshot (direct and through the ring), each measured once.
 * Writes {@code ingest.result} to the output directory, with the reason instead of figures when it fails. The Delta
 * table is generated into the output directory on first use and reused by later runs with the same size.
 */
public final class IngestWorker {
    static final String RESULT = "ingest.result";

    private IngestWorker() {
    }

    /** Arguments: keys upserts bootstrapRows outDir. */
    public static void main(String[] args) throws IOException {
        if (args.length != 4) {
            throw new IllegalArgumentException("usage: IngestWorker keys upserts bootstrapRows outDir");
        }
        int keys = Integer.parseInt(args[0]);
        long upserts = Long.parseLong(args[1]);
        long rows = Long.parseLong(args[2]);
        Path out = Path.of(args[3]);
        Properties result = new Properties();
        result.setProperty("keys", Integer.toString(keys));
        result.setProperty("upserts", Long.toString(upserts));
        result.setProperty("bootstrapRows", Long.toString(rows));
        Path work = Files.createTempDirectory("larder-bench-ingest");
        try {
            result.setProperty("loadBefore", HarnessWorker.loadAverage());
            result.setProperty("ringUpsertsPerSecond", rate(WriterThroughput.run(work.resolve("ring"), keys, upserts, 1,
                    IngestOptions.DEFAULT.withJmx(false)).upsertsPerSecond()));
            result.setProperty("directUpsertsPerSecond", rate(directUpsertsPerSecond(work.resolve("direct"), keys, upserts)));
            DeltaBootstrap delta = DeltaBootstrap.open(out, rows);
            try (FeatureStore store = FeatureStore.open(work.resolve("bootstrap-direct"))) {
                long t0 = System.nanoTime();
                delta.direct(store);
                result.setProperty("bootstrapDirectRowsPerSecond", rate(rows * 1e9 / (System.nanoTime() - t0)));
            }
            try (FeatureStore store = FeatureStore.open(work.resolve("bootstrap-ring"));
                 Larder larder = Larder.open(store, IngestOptions.DEFAULT.withJmx(false))) {
                long t0 = System.nanoTime();
                delta.ring(larder);
                result.setProperty("bootstrapRingRowsPerSecond", rate(rows * 1e9 / (System.nanoTime() - t0)));
            }
            result.setProperty("loadAfter", HarnessWorker.loadAverage());
            result.setProperty("status", "ok");
        } catch (Throwable t) {
            result.setProperty("status", "failed");
            result.setProperty("reason", t.toString());
            t.printStackTrace();
        } finally {
            HarnessWorker.deleteTree(work);
        }
        Path tmp = out.resolve(RESULT + ".tmp");
        try (OutputStream os = Files.newOutputStream(tmp)) {
            result.store(os, "larder bench ingest result");
        }
        Files.move(tmp, out.resolve(RESULT), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        System.exit(0);
    }

    /**
     * Loads {@code keys} rows, then times {@code upserts} updates on the calling thread as the table's single writer,
     * cycling through the keys with a newer version on each pass (the same work as {@link WriterThroughput}, no ring).
     */
    static double directUpsertsPerSecond(Path dir, int keys, long upserts) {
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.create("throughput", Dataset.schema(), TableOptions.DEFAULT.withInitialRows(keys));
            TableWriter w = StoreInternals.writer(t);
            RowBuffer row = t.newRow();
            for (int f = 0; f < Dataset.FEATURES; f++) {
                row.setDouble(Dataset.FIRST_FEATURE_COLUMN + f, f * 0.5);
            }
            for (int k = 0; k < keys; k++) {
                w.upsert(row.setLong(0, k), 1, 0);
            }
            w.publish(new Lineage("", "", 1, 0));
            long start = System.nanoTime();
            for (long i = 0; i < upserts; i++) {
                long version = i / keys + 2;
                w.upsert(row.setLong(0, i % keys).setDouble(Dataset.FIRST_FEATURE_COLUMN, i), version, version);
                if ((i + 1) % keys == 0) {
                    // A pass over the keys is a version; ending it frees the rows it replaced.
                    w.publish(new Lineage("", "", version, version));
                }
            }
            return upserts * 1e9 / (System.nanoTime() - start);
        }
    }

    private static String rate(double perSecond) {
        return String.format(Locale.ROOT, "%.0f", perSecond);
    }
}
