package dev.larder.jmh;

import dev.larder.ingest.IngestOptions;
import dev.larder.ingest.LarderEngine;
import dev.larder.ingest.SyncPolicy;
import dev.larder.ingest.TableHandle;
import dev.larder.store.RowBuffer;
import dev.larder.store.TableOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Upserts per second APPLIED by the ingest writer, through the ring, of {@link Dataset} rows (20 float64 features, a
 * 216-byte stored row) into a table of {@code keys} loaded rows, every upsert replacing a stored row (bar: ≥ 2M/s with
 * 1,000-row versions, ≥ 1.5M/s with 1M-row versions).
 *
 * <p>One invocation pushes {@link #UPSERTS} upserts with {@code Larder.upsert} (the ring blocks the producer when
 * full), ends a version after every {@code versionRows} of them ({@code Larder.endVersion}), and returns only once the
 * writer has applied and published the last version (the table's watermark reaches it): so the score counts rows
 * applied, not rows enqueued. A version is all or nothing, so the rows it replaces are kept until it ends, then reused:
 * 1,000 rows is a typical feature-table commit (1,000 versions per invocation); 1,000,000 (a commit rewriting every
 * row) is the worst case, where a version needs a second copy of the table (one version per invocation). Sync (msync)
 * is left out: the sync policy never syncs during the measurement, and each iteration ends with a flush outside the
 * timing. One producer thread: the producer is not what is measured.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Threads(1)
public class WriterThroughputBenchmark {
    /** Upserts per invocation: a whole number of versions of either size. */
    public static final int UPSERTS = 1_000_000;
    static final String TABLE = "throughput";
    /** Bounds the wait for the writer, so a writer that failed ends the run instead of hanging it. */
    private static final long APPLY_TIMEOUT_NANOS = TimeUnit.MINUTES.toNanos(5);

    /** A table behind the ingest ring and its writer thread, and the producer's cursor over its keys. */
    @State(Scope.Benchmark)
    public static class Ring {
        @Param("1000000")
        public int keys;

        @Param({"1000", "1000000"})
        public int versionRows;

        LarderEngine larder;
        TableHandle table;
        RowBuffer row;
        private Path dir;
        private long key;
        private long version = 2;

        @Setup(Level.Trial)
        public void open(BenchmarkParams params) throws IOException {
            if (params.getThreads() != 1) {
                throw new IllegalArgumentException("one producer: run with -t 1");
            }
            if (versionRows <= 0 || UPSERTS % versionRows != 0) {
                throw new IllegalArgumentException("versionRows must divide " + UPSERTS + ", got " + versionRows);
            }
            dir = Files.createTempDirectory("larder-jmh-ring");
            larder = LarderEngine.open(dir, IngestOptions.DEFAULT.withJmx(false)
                    .withSyncPolicy(new SyncPolicy(Integer.MAX_VALUE, Duration.ofDays(1))));
            table = larder.createTable(TABLE, Dataset.schema(), TableOptions.DEFAULT.withInitialRows(keys));
            row = table.table().newRow();
            for (int k = 0; k < keys; k++) {
                fill(row, k, 1);
                larder.upsert(table, row, 1, 0);
            }
            larder.endVersion(table, 1, 0);
            larder.flush();
            fill(row, 0, version);
        }

        /** Pushes {@link #UPSERTS} upserts in versions of {@code versionRows}, ending each; returns the last one. */
        long push() {
            long last = -1;
            for (int done = 0; done < UPSERTS; done += versionRows) {
                for (int i = 0; i < versionRows; i++) {
                    if (key >= keys) {
                        key = 0;
                    }
                    row.setLong(0, key).setDouble(Dataset.FIRST_FEATURE_COLUMN, Dataset.feature(key, version, 0));
                    key++;
                    larder.upsert(table, row, version, version);
                }
                larder.endVersion(table, version, version);
                last = version++;
            }
            return last;
        }

        /** Waits until the writer has applied and published {@code v}; parks between looks, leaving the core to it. */
        void awaitApplied(long v) {
            long deadline = System.nanoTime() + APPLY_TIMEOUT_NANOS;
            while (table.lineage().version() < v) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the writer did not apply version " + v + " in time; watermark "
                            + table.lineage().version());
                }
                LockSupport.parkNanos(20_000);
            }
        }

        /** Makes the iteration's versions durable outside the timing. */
        @TearDown(Level.Iteration)
        public void sync() {
            larder.flush();
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            larder.close();
            GetFixture.deleteTree(dir);
        }
    }

    /** One invocation: {@link #UPSERTS} upserts pushed, their versions ended, all applied before it returns. */
    @Benchmark
    @OperationsPerInvocation(UPSERTS)
    public long ring(Ring ring) {
        long last = ring.push();
        ring.awaitApplied(last);
        return last;
    }

    static void fill(RowBuffer row, long key, long version) {
        row.setLong(0, key);
        for (int i = 0; i < Dataset.FEATURES; i++) {
            row.setDouble(Dataset.FIRST_FEATURE_COLUMN + i, Dataset.feature(key, version, i));
        }
    }
}
