package dev.larder.jmh.harness;

import dev.larder.ingest.IngestOptions;
import dev.larder.ingest.LarderEngine;
import dev.larder.ingest.WriterThroughput;
import dev.larder.jmh.DeltaBootstrap;
import dev.larder.store.FeatureStore;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Properties;

/**
 * Child-JVM side of the harness's ingest figures: writer throughput through the ring, and bootstrap rows/s from a
 * generated Delta snapshot ({@code Larder.load}, as {@code larder load} does, and {@code Larder.follow}), each
 * measured once.
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
            DeltaBootstrap delta = DeltaBootstrap.open(out, rows);
            try (FeatureStore store = FeatureStore.open(work.resolve("bootstrap-load"))) {
                long t0 = System.nanoTime();
                delta.load(store);
                result.setProperty("bootstrapLoadRowsPerSecond", rate(rows * 1e9 / (System.nanoTime() - t0)));
            }
            try (FeatureStore store = FeatureStore.open(work.resolve("bootstrap-ring"));
                 LarderEngine larder = LarderEngine.open(store, IngestOptions.DEFAULT.withJmx(false))) {
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

    private static String rate(double perSecond) {
        return String.format(Locale.ROOT, "%.0f", perSecond);
    }
}
