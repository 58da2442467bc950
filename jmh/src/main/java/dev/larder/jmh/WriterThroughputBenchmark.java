package dev.larder.jmh;

import dev.larder.ingest.IngestOptions;
import dev.larder.ingest.Larder;
import dev.larder.ingest.SyncPolicy;
import dev.larder.ingest.TableHandle;
import dev.larder.store.FeatureStore;
import dev.larder.store.FeatureTable;
import dev.larder.store.Lineage;
import dev.larder.store.RowBuffer;
import dev.larder.store.TableOptions;
import dev.larder.store.internal.StoreInternals;
import dev.larder.store.internal.TableWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * Upserts per second of {@link Dataset} rows (20 float64 features, a 216-byte stored row) into a table of {@code keys}
 * loaded rows, every upsert replacing a stored row (bar: ≥ 2M/s through the ring).
 *
 * <ul>
 *   <li>{@code ring}: producers ({@code -t N}, default 1) call {@code Larder.upsert}; the ring blocks them when full, so
 *   in steady state they run at the writer's apply rate. Rows still in the ring when an iteration ends are counted but
 *   applied in the (unmeasured) flush after it: at most one ring (16,384 rows) per iteration, under 0.5% at 2M/s x 2 s.
 *   <li>{@code direct}: the calling thread is the table's single writer ({@code TableWriter.upsert}, no ring), the
 *   ceiling the ring is compared with. Single-threaded by construction.
 * </ul>
 * A version ends after every {@code versionRows} upserts (a version is all or nothing: the rows it replaces are kept
 * until it ends, then freed): 1,000 is a typical feature-table commit; 1,000,000 (a commit rewriting every row) is the
 * worst case, where each version needs a second copy of the table and the freed rows are cold when reused. Sync (msync) is left out of both: the ring's sync
 * policy never syncs during the measurement, and each iteration ends with a flush outside the timing.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Threads(1)
public class WriterThroughputBenchmark {
    static final String TABLE = "throughput";
    static final int MAX_PRODUCERS = 64;

    /** A table behind the ingest ring and its writer thread. */
    @State(Scope.Benchmark)
    public static class Ring {
        @Param("1000000")
        public int keys;

        @Param({"1000", "1000000"})
        public int versionRows;

        Larder larder;
        TableHandle table;
        private Path dir;
        /**
         * The version each producer pushes (by thread index; unused slots at Long.MAX_VALUE). The larder refuses a
         * row of a version already ended, so versions end only below every producer's: no producer is left behind.
         */
        final AtomicLongArray pushing = new AtomicLongArray(MAX_PRODUCERS);
        /** The newest version ended; the first producer's alone. */
        private long ended = 1;

        @Setup(Level.Trial)
        public void open() throws IOException {
            dir = Files.createTempDirectory("larder-jmh-ring");
            larder = Larder.open(dir, IngestOptions.DEFAULT.withJmx(false)
                    .withSyncPolicy(new SyncPolicy(Integer.MAX_VALUE, Duration.ofDays(1))));
            table = larder.createTable(TABLE, Dataset.schema(), TableOptions.DEFAULT.withInitialRows(keys));
            RowBuffer row = table.table().newRow();
            for (int k = 0; k < keys; k++) {
                fill(row, k, 1);
                larder.upsert(table, row, 1, 0);
            }
            larder.endVersion(table, 1, 0);
            larder.flush();
            for (int i = 0; i < MAX_PRODUCERS; i++) {
                pushing.set(i, Long.MAX_VALUE);
            }
        }

        /** Ends the versions every producer has moved past. */
        void endBelowEveryProducer() {
            long below = Long.MAX_VALUE;
            for (int i = 0; i < MAX_PRODUCERS; i++) {
                below = Math.min(below, pushing.get(i));
            }
            if (below - 1 > ended) {
                ended = below - 1;
                larder.endVersion(table, ended, ended);
            }
        }

        /** Applies what the ring still holds before the next iteration starts, so iterations do not overlap. */
        @TearDown(Level.Iteration)
        public void drain() {
            larder.flush();
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            larder.close();
            GetFixture.deleteTree(dir);
        }
    }

    /** A table written by the benchmark thread itself. */
    @State(Scope.Benchmark)
    public static class Direct {
        @Param("1000000")
        public int keys;

        @Param({"1000", "1000000"})
        public int versionRows;

        private FeatureStore store;
        FeatureTable table;
        TableWriter writer;
        private Path dir;

        @Setup(Level.Trial)
        public void open(BenchmarkParams params) throws IOException {
            if (params.getThreads() != 1) {
                throw new IllegalArgumentException("direct upserts have a single writer: run them with -t 1");
            }
            dir = Files.createTempDirectory("larder-jmh-direct");
            store = FeatureStore.open(dir);
            table = store.create(TABLE, Dataset.schema(), TableOptions.DEFAULT.withInitialRows(keys));
            writer = StoreInternals.writer(table);
            RowBuffer row = table.newRow();
            for (int k = 0; k < keys; k++) {
                fill(row, k, 1);
                writer.upsert(row, 1, 0);
            }
            writer.publish(new Lineage("", "", 1, 0));
            writer.sync();
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            store.close();
            GetFixture.deleteTree(dir);
        }
    }

    /**
     * One producer's cursor: thread {@code i} of {@code n} cycles through keys {@code i, i+n, i+2n, ...}, with a newer
     * version on each pass, so every upsert replaces a row (none is ignored as older) and producers never race on a key.
     */
    abstract static class Cursor {
        RowBuffer row;
        private long key;
        private long stride;
        long first;
        private long keys;
        private long versionRows;
        private long inVersion;
        private long version = 2;

        void start(ThreadParams thread, FeatureTable table, int keyCount, int rowsPerVersion) {
            versionRows = rowsPerVersion;
            row = table.newRow();
            first = thread.getThreadIndex();
            stride = thread.getThreadCount();
            key = first;
            keys = keyCount;
            fill(row, 0, version);
        }

        /** The version just completed (every {@code versionRows} upserts), or -1. */
        long ended = -1;

        long version() {
            return version;
        }

        /** Sets the next key and a changing feature into the row; returns the row's version. */
        long next() {
            ended = -1;
            if (++inVersion > versionRows) {
                inVersion = 1;
                ended = version++;
            }
            if (key >= keys) {
                key = first;
            }
            row.setLong(0, key).setDouble(Dataset.FIRST_FEATURE_COLUMN, Dataset.feature(key, version, 0));
            key += stride;
            return version;
        }
    }

    @State(Scope.Thread)
    public static class RingProducer extends Cursor {
        @Setup(Level.Trial)
        public void init(ThreadParams thread, Ring ring) {
            if (thread.getThreadCount() > MAX_PRODUCERS) {
                throw new IllegalArgumentException("at most " + MAX_PRODUCERS + " producers");
            }
            start(thread, ring.table.table(), ring.keys, ring.versionRows);
            ring.pushing.set(thread.getThreadIndex(), version());
        }
    }

    @State(Scope.Thread)
    public static class DirectProducer extends Cursor {
        @Setup(Level.Trial)
        public void init(ThreadParams thread, Direct direct) {
            start(thread, direct.table, direct.keys, direct.versionRows);
        }
    }

    @Benchmark
    public void ring(Ring ring, RingProducer p) {
        long version = p.next();
        if (p.ended >= 0) {
            ring.pushing.set((int) p.first, version);
            if (p.first == 0) {
                ring.endBelowEveryProducer();
            }
        }
        ring.larder.upsert(ring.table, p.row, version, version);
    }

    @Benchmark
    public TableWriter.Outcome direct(Direct direct, DirectProducer p) {
        long version = p.next();
        if (p.ended >= 0) {
            direct.writer.publish(new Lineage("", "", p.ended, p.ended));
        }
        return direct.writer.upsert(p.row, version, version);
    }

    static void fill(RowBuffer row, long key, long version) {
        row.setLong(0, key);
        for (int i = 0; i < Dataset.FEATURES; i++) {
            row.setDouble(Dataset.FIRST_FEATURE_COLUMN + i, Dataset.feature(key, version, i));
        }
    }
}
