package dev.larder.stress;

import dev.larder.ingest.ChangeSink;
import dev.larder.ingest.ChangeSource;
import dev.larder.ingest.FollowOptions;
import dev.larder.ingest.Follower;
import dev.larder.ingest.HistoryUnavailableException;
import dev.larder.ingest.IngestOptions;
import dev.larder.ingest.LarderEngine;
import dev.larder.ingest.LiveReader;
import dev.larder.ingest.TableHandle;
import dev.larder.store.Column;
import dev.larder.store.ColumnType;
import dev.larder.store.FeatureSchema;
import dev.larder.store.FeatureStore;
import dev.larder.store.FeatureTable;
import dev.larder.store.ReadStatus;
import dev.larder.store.RowBuffer;
import dev.larder.store.TableOptions;
import dev.larder.store.TableReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Torn-read suite: the writer applies upserts and delete waves flat out from a tiny initial size (so the rows file
 * grows and the index is rebuilt many times, tombstone purges included) while readers verify, for every row they get, a
 * checksum over the values actually read and that a key's version never goes backwards. Short profile: 5M checked
 * reads; long profile ({@code -Plong}): 10^8. A second test reads through ingest {@link LiveReader}s while a follower
 * swaps in re-bootstrapped generations.
 */
class TornReadSuiteTest {
    static final int FEATURES = 20;
    static final int ID = 0;
    static final int SEED = 1;
    static final int TAG = FEATURES + 2;
    static final int CHECKSUM = FEATURES + 3;

    @TempDir
    Path dir;

    static FeatureSchema schema() {
        FeatureSchema.Builder b = FeatureSchema.builder().keyColumn("id", ColumnType.INT64)
                .column("seed", ColumnType.INT64);
        for (int i = 0; i < FEATURES; i++) {
            b.column("f" + i, ColumnType.FLOAT64);
        }
        return b.add(Column.variable("tag", ColumnType.STRING, true, 24)).column("checksum", ColumnType.INT64).build();
    }

    static double feature(long seed, int i) {
        long x = (seed + 1) * 0x9E3779B97F4A7C15L + i * 0xBF58476D1CE4E5B9L;
        return (x >>> 11) * 0x1.0p-53;
    }

    /** Checksum over the raw bits of every value, so any mix of two row versions is caught. */
    static long checksum(long id, long seed, double[] f, int tagLength) {
        long h = id * 31 + seed;
        for (double v : f) {
            h = Long.rotateLeft(h ^ Double.doubleToRawLongBits(v), 17) * 0x94D049BB133111EBL;
        }
        return h ^ tagLength;
    }

    /** Fills {@code row} with the checksummed image of key {@code id} written at {@code version}. */
    static RowBuffer fill(RowBuffer row, long id, long version, double[] f) {
        for (int i = 0; i < FEATURES; i++) {
            f[i] = feature(version, i);
            row.setDouble(2 + i, f[i]);
        }
        String tag = "v" + (version % 1_000_000);
        return row.setLong(ID, id).setLong(SEED, version).setString(TAG, tag)
                .setLong(CHECKSUM, checksum(id, version, f, tag.length()));
    }

    /** Whether the row a reader just got is one whole image as {@link #fill} wrote it for {@code id}. */
    static boolean intact(TableReader reader, long id, double[] f) {
        for (int i = 0; i < FEATURES; i++) {
            f[i] = reader.getDouble(2 + i);
        }
        long seed = reader.getLong(SEED);
        return reader.getLong(ID) == id && reader.version() == seed
                && reader.getLong(CHECKSUM) == checksum(id, seed, f, reader.getLength(TAG)) && f[0] == feature(seed, 0);
    }

    /**
     * A source whose every poll finds a new version; every {@code swapEvery}-th version reports its history gone, so
     * the follower re-bootstraps (all keys) into a new generation and swaps it in under the readers.
     */
    static final class SwappingSource implements ChangeSource {
        private final int keys;
        private final int swapEvery;
        private final SplittableRandom rnd = new SplittableRandom(11);
        private final double[] f = new double[FEATURES];
        private long latest;
        private long lastRefused = -1;

        SwappingSource(int keys, int swapEvery) {
            this.keys = keys;
            this.swapEvery = swapEvery;
        }

        @Override
        public String id() {
            return "swapping";
        }

        @Override
        public String path() {
            return "memory:swapping";
        }

        @Override
        public FeatureSchema schema() {
            return TornReadSuiteTest.schema();
        }

        @Override
        public synchronized long latestVersion() {
            return ++latest;
        }

        @Override
        public void bootstrap(long version, ChangeSink sink) {
            sink.begin(version, version);
            for (int id = 0; id < keys; id++) {
                sink.upsert(fill(sink.row(), id, version, f));
            }
            sink.end();
        }

        @Override
        public void changes(long afterVersion, long upToVersion, ChangeSink sink) {
            for (long v = afterVersion + 1; v <= upToVersion; v++) {
                if (v % swapEvery == 0 && v != lastRefused) {
                    lastRefused = v;
                    throw new HistoryUnavailableException("version " + v + " refused to force a re-bootstrap");
                }
                sink.begin(v, v);
                for (int i = 0; i < 200; i++) {
                    sink.upsert(fill(sink.row(), rnd.nextInt(keys), v, f));
                }
                sink.end();
            }
        }
    }

    /**
     * Readers go through an ingest {@link LiveReader} while the follower tails a source and keeps re-bootstrapping it
     * into new generations that are swapped in (and the old ones closed and deleted) under them: every row stays whole,
     * no key's version goes backwards across a swap, and no key goes missing (every generation holds every key).
     */
    @Test
    void liveReadersStayWholeAcrossGenerationSwaps() throws Exception {
        long targetReads = StressProfile.pick(2_000_000, 20_000_000);
        long targetSwaps = StressProfile.pick(5, 40);
        int keys = 5_000;
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong checked = new AtomicLong();
        AtomicLong torn = new AtomicLong();
        AtomicLong regressions = new AtomicLong();
        AtomicLong missing = new AtomicLong();
        AtomicLong swapsSeen = new AtomicLong();
        try (LarderEngine larder = LarderEngine.open(dir, IngestOptions.DEFAULT.withJmx(false))) {
            Follower follower = larder.follow("t", new SwappingSource(keys, 40),
                    FollowOptions.DEFAULT.withPollInterval(Duration.ZERO)
                            .withTableOptions(TableOptions.DEFAULT.withInitialRows(16)));
            while (follower.handle().lineage().version() < 0) {
                Thread.sleep(1);
            }
            Thread reader = new Thread(() -> {
                LiveReader live = new LiveReader(follower.handle());
                SplittableRandom rnd = new SplittableRandom();
                long[] lastVersion = new long[keys];
                double[] f = new double[FEATURES];
                FeatureTable generation = live.refresh().table();
                long mine = 0;
                while (!stop.get()) {
                    int id = rnd.nextInt(keys);
                    if (live.get(id) != ReadStatus.FOUND) {
                        missing.incrementAndGet();
                        continue;
                    }
                    TableReader r = live.row();
                    if (r.table() != generation) {
                        generation = r.table();
                        swapsSeen.incrementAndGet();
                    }
                    if (!intact(r, id, f)) {
                        torn.incrementAndGet();
                    }
                    if (r.version() < lastVersion[id]) {
                        regressions.incrementAndGet();
                    }
                    lastVersion[id] = r.version();
                    if (++mine % 100_000 == 0) {
                        checked.set(mine);
                        if (mine >= targetReads && swapsSeen.get() >= targetSwaps) {
                            stop.set(true);
                        }
                    }
                }
                checked.set(mine);
            }, "live-reader");
            reader.start();
            reader.join(TimeUnit.MINUTES.toMillis(StressProfile.pick(2, 10)));
            stop.set(true);
            reader.join();
            System.out.printf("torn-read suite, live readers across generation swaps (%s): %,d rows checked, "
                            + "%d swaps seen, %d torn, %d regressions, %d missing, watermark %d%n",
                    StressProfile.LONG ? "long" : "short", checked.get(), swapsSeen.get(), torn.get(),
                    regressions.get(), missing.get(), follower.handle().lineage().version());
            assertEquals(0, torn.get(), "torn rows");
            assertEquals(0, regressions.get(), "versions going backwards");
            assertEquals(0, missing.get(), "keys missing while every generation holds them all");
            assertTrue(checked.get() >= targetReads && swapsSeen.get() >= targetSwaps,
                    "too few reads or swaps before the time limit: " + checked.get() + " reads, " + swapsSeen.get()
                    + " swaps");
        }
    }

    @Test
    void noTornOrRegressingRowUnderFullWriteLoad() throws Exception {
        long targetReads = StressProfile.pick(5_000_000, 100_000_000);
        int keys = (int) StressProfile.pick(50_000, 1_000_000);
        try (FeatureStore store = FeatureStore.open(dir);
             LarderEngine larder = LarderEngine.open(store, IngestOptions.DEFAULT.withJmx(false))) {
            FeatureTable t = store.create("t", schema(), TableOptions.DEFAULT.withInitialRows(16));
            TableHandle handle = larder.table("t");
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong checked = new AtomicLong();
            AtomicLong torn = new AtomicLong();
            AtomicLong regressions = new AtomicLong();
            int readerCount = 2;
            Thread[] readers = new Thread[readerCount];
            for (int r = 0; r < readerCount; r++) {
                readers[r] = new Thread(() -> {
                    TableReader reader = t.newReader();
                    SplittableRandom rnd = new SplittableRandom();
                    long[] lastVersion = new long[keys];
                    double[] f = new double[FEATURES];
                    long mine = 0;
                    while (!stop.get()) {
                        int id = rnd.nextInt(keys);
                        if (reader.get(id) != ReadStatus.FOUND) {
                            continue;
                        }
                        if (!intact(reader, id, f)) {
                            torn.incrementAndGet();
                        }
                        if (reader.version() < lastVersion[id]) {
                            regressions.incrementAndGet();
                        }
                        lastVersion[id] = reader.version();
                        if ((++mine & 0xFFFF) == 0 && checked.addAndGet(0x10000) >= targetReads) {
                            stop.set(true);
                        }
                    }
                });
                readers[r].start();
            }
            // Every change goes through the ring: the engine's writer thread races the readers.
            RowBuffer row = t.newRow();
            RowBuffer keyRow = t.newRow();
            SplittableRandom rnd = new SplittableRandom(7);
            double[] f = new double[FEATURES];
            long version = 0;
            while (!stop.get()) {
                version++;
                if ((version & 0xFF) == 0) {
                    // Replaced rows are freed when their version is published: publishing often makes the writer reuse
                    // slots, the race the readers' seqlock check is there for.
                    larder.endVersion(handle, version - 1, version - 1);
                }
                long id = rnd.nextInt(keys);
                // Every ~64k versions delete a wide band of keys so tombstones pile up and force index purges.
                if ((version & 0xFFFF) < 2000) {
                    larder.delete(handle, keyRow.clear().setLong(0, id), version);
                    continue;
                }
                larder.upsert(handle, fill(row, id, version, f), version, version);
            }
            for (Thread th : readers) {
                th.join();
            }
            System.out.printf("torn-read suite (%s): %,d rows checked, %,d writes, %d torn, %d regressions%n",
                    StressProfile.LONG ? "long" : "short", checked.get(), version, torn.get(), regressions.get());
            assertTrue(checked.get() >= targetReads);
            assertEquals(0, torn.get(), "torn rows");
            assertEquals(0, regressions.get(), "versions going backwards");
        }
    }
}
