package dev.larder.stress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.store.Column;
import dev.larder.store.ColumnType;
import dev.larder.store.FeatureSchema;
import dev.larder.store.FeatureStore;
import dev.larder.store.FeatureTable;
import dev.larder.store.ReadStatus;
import dev.larder.store.RowBuffer;
import dev.larder.store.TableOptions;
import dev.larder.store.TableReader;
import dev.larder.store.TableWriter;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Torn-read suite: the writer applies upserts and delete waves flat out from a tiny initial size (so the rows file grows
 * and the index is rebuilt many times, tombstone purges included) while readers verify, for every row they get, a
 * checksum over the values actually read and that a key's version never goes backwards. Short profile: 5M checked
 * reads; long profile ({@code -Plong}): 10^8.
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
        FeatureSchema.Builder b = FeatureSchema.builder().keyColumn("id", ColumnType.INT64).column("seed", ColumnType.INT64);
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

    @Test
    void noTornOrRegressingRowUnderFullWriteLoad() throws Exception {
        long targetReads = StressProfile.pick(5_000_000, 100_000_000);
        int keys = (int) StressProfile.pick(50_000, 1_000_000);
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.create("t", schema(), TableOptions.DEFAULT.withInitialRows(16));
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
                        for (int i = 0; i < FEATURES; i++) {
                            f[i] = reader.getDouble(2 + i);
                        }
                        long seed = reader.getLong(SEED);
                        boolean ok = reader.getLong(ID) == id && reader.version() == seed
                                && reader.getLong(CHECKSUM) == checksum(id, seed, f, reader.getLength(TAG))
                                && f[0] == feature(seed, 0);
                        if (!ok) {
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
            TableWriter w = t.writer();
            RowBuffer row = t.newRow();
            SplittableRandom rnd = new SplittableRandom(7);
            double[] f = new double[FEATURES];
            long version = 0;
            while (!stop.get()) {
                version++;
                long id = rnd.nextInt(keys);
                // Every ~64k versions delete a wide band of keys so tombstones pile up and force index purges.
                if ((version & 0xFFFF) < 2000) {
                    w.delete(id, version);
                    continue;
                }
                for (int i = 0; i < FEATURES; i++) {
                    f[i] = feature(version, i);
                    row.setDouble(2 + i, f[i]);
                }
                String tag = "v" + (version % 1_000_000);
                row.setLong(ID, id).setLong(SEED, version).setString(TAG, tag)
                        .setLong(CHECKSUM, checksum(id, version, f, tag.length()));
                w.upsert(row, version, version);
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
