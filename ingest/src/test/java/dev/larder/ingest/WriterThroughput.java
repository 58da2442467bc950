package dev.larder.ingest;

import dev.larder.store.ColumnType;
import dev.larder.store.FeatureSchema;
import dev.larder.store.RowBuffer;
import dev.larder.store.TableOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Stateless harness measuring upserts per second through the ring into one table (producers, ring, single writer,
 * mapped table), for JMH benchmarks and a quick check from the command line:
 * {@code java -cp ... dev.larder.ingest.WriterThroughput [keys] [upserts] [producers]}.
 */
public final class WriterThroughput {
    /** Columns after the key: 20 float64 features make a ~200-byte row. */
    public static final int FEATURES = 20;

    private WriterThroughput() {
    }

    /**
     * @param upserts   rows applied in the measured phase
     * @param nanos     from the first publication to the writer having applied the last row
     * @param rowBytes  bytes per stored row
     */
    public record Result(long upserts, long nanos, int producers, int rowBytes, IngestMetricsSnapshot metrics) {
        public double upsertsPerSecond() {
            return upserts * 1e9 / nanos;
        }

        @Override
        public String toString() {
            return String.format("%,d upserts of %d-byte rows by %d producer(s) in %.3f s: %,.0f upserts/s; %s",
                    upserts, rowBytes, producers, nanos / 1e9, upsertsPerSecond(), metrics);
        }
    }

    public static FeatureSchema schema() {
        FeatureSchema.Builder b = FeatureSchema.builder().keyColumn("id", ColumnType.INT64);
        for (int i = 0; i < FEATURES; i++) {
            b.column("f" + i, ColumnType.FLOAT64);
        }
        return b.build();
    }

    /**
     * Loads {@code keys} rows, then times {@code upserts} updates spread over {@code producers} threads, cycling
     * through the keys with a newer version on each pass, so every update replaces a stored row.
     */
    public static Result run(Path storeDir, int keys, long upserts, int producers, IngestOptions options)
            throws InterruptedException {
        try (LarderEngine larder = LarderEngine.open(storeDir, options.withJmx(false))) {
            TableHandle t = larder.createTable("throughput", schema(), TableOptions.DEFAULT.withInitialRows(keys));
            runProducers(larder, t, keys, 0, keys, 1);
            await(larder, t);
            long start = System.nanoTime();
            // The timed updates continue the versions of the load: a version at or below the newest ended one is
            // refused at the call (the producer thread would die at once and the rate would count nothing).
            runProducers(larder, t, keys, keys, upserts, producers);
            await(larder, t);
            long nanos = System.nanoTime() - start;
            return new Result(upserts, nanos, producers, t.table().rowSize(), larder.metrics());
        }
    }

    private static void await(LarderEngine larder, TableHandle t) {
        larder.pipeline().control(IngestEvent.NOOP, t.slot(), null).join();
    }

    private static void runProducers(LarderEngine larder, TableHandle t, int keys, long first, long upserts,
                                     int producers) throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int p = 0; p < producers; p++) {
            long from = first + upserts * p / producers;
            long to = first + upserts * (p + 1) / producers;
            Thread th = new Thread(() -> {
                try {
                    produce(larder, t, keys, from, to);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "throughput-producer-" + p);
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join();
        }
        if (failure.get() != null) {
            // A producer that stopped early would make the rate count work that was never done.
            throw new IllegalStateException("a producer failed: " + failure.get(), failure.get());
        }
    }

    private static void produce(LarderEngine larder, TableHandle t, int keys, long from, long to) {
        RowBuffer row = t.table().newRow();
        for (int f = 1; f <= FEATURES; f++) {
            row.setDouble(f, f * 0.5);
        }
        for (long i = from; i < to; i++) {
            long version = i / keys + 2;
            row.setLong(0, i % keys).setDouble(1, i);
            larder.upsert(t, row, version, version * 1000);
            if ((i + 1) % keys == 0) {
                // A pass over the keys is a version: ending it frees the rows it replaced (all or nothing).
                larder.endVersion(t, version, version * 1000);
            }
        }
    }

    public static void main(String[] args) throws Exception {
        int keys = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        long upserts = args.length > 1 ? Long.parseLong(args[1]) : 20_000_000L;
        int producers = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        Path dir = Files.createTempDirectory("larder-throughput");
        try {
            for (int round = 1; round <= 3; round++) {
                Path d = dir.resolve("run" + round);
                System.out.println("run " + round + ": " + run(d, keys, upserts, producers, IngestOptions.DEFAULT));
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
