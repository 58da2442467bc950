package dev.larder.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.store.engine.KeyCodec;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One writer rewrites, deletes and re-inserts rows flat out (growing the table and rebuilding its index on the way)
 * while reader threads check that every row they see is internally consistent: all features derive from one seed
 * stored in the row, and a per-row checksum covers them.
 */
class TornReadTest {
    static final int FEATURES = 20;

    @TempDir
    Path dir;

    static FeatureSchema schema() {
        FeatureSchema.Builder b = FeatureSchema.builder().keyColumn("id", ColumnType.INT64)
                .column("seed", ColumnType.INT64);
        for (int i = 0; i < FEATURES; i++) {
            b.column("f" + i, ColumnType.FLOAT64);
        }
        // The default inline capacity: a third of the tags live in the heap, which grows while readers read.
        b.column("tag", ColumnType.STRING);
        return b.column("checksum", ColumnType.INT64).build();
    }

    static double feature(long seed, int i) {
        return (double) (seed * 31 + i);
    }

    static String tag(long seed) {
        return seed % 3 == 0 ? "s" + seed + " stored out of line, in heap.dat" : "s" + seed;
    }

    static long checksum(long id, long seed) {
        return KeyCodec.fmix64(id * 0x9E3779B97F4A7C15L ^ seed);
    }

    /**
     * Reads the seed, every feature and the checksum through a projection (in place, not a copy of the row): they
     * must all come from one state of the row, and its version must be that state's.
     */
    private static void projectedReader(FeatureTable t, int keys, AtomicBoolean stop, AtomicLong found,
                                        AtomicLong torn) {
        TableReader reader = t.newReader();
        int[] columns = new int[FEATURES + 2];
        columns[0] = 1;
        for (int i = 0; i < FEATURES; i++) {
            columns[1 + i] = 2 + i;
        }
        columns[FEATURES + 1] = FEATURES + 3;
        Projection p = Projection.of(t.schema(), Double.NaN, columns);
        double[] out = new double[columns.length];
        SplittableRandom rnd = new SplittableRandom(7);
        long f = 0;
        long bad = 0;
        while (!stop.get()) {
            int id = rnd.nextInt(keys);
            if (reader.get(id, p, out, null) != ReadStatus.FOUND) {
                continue;
            }
            f++;
            long seed = (long) out[0];
            boolean ok = reader.projectedVersion() == seed && out[FEATURES + 1] == (double) checksum(id, seed)
                    && reader.projectedValues() == columns.length;
            for (int i = 0; ok && i < FEATURES; i++) {
                ok = out[1 + i] == feature(seed, i);
            }
            if (!ok) {
                bad++;
            }
        }
        found.addAndGet(f);
        torn.addAndGet(bad);
    }

    @Test
    void readersNeverSeeATornRow() throws Exception {
        FeatureSchema schema = schema();
        int keys = 20_000;
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.create("t", schema, TableOptions.DEFAULT.withInitialRows(64));
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong reads = new AtomicLong();
            AtomicLong found = new AtomicLong();
            AtomicLong torn = new AtomicLong();
            AtomicLong projectedFound = new AtomicLong();
            Thread[] readers = new Thread[3];
            readers[2] = new Thread(() -> projectedReader(t, keys, stop, projectedFound, torn));
            readers[2].start();
            for (int r = 0; r < 2; r++) {
                readers[r] = new Thread(() -> {
                    TableReader reader = t.newReader();
                    SplittableRandom rnd = new SplittableRandom();
                    long n = 0;
                    long f = 0;
                    long bad = 0;
                    long[] lastVersion = new long[keys];
                    while (!stop.get()) {
                        int id = rnd.nextInt(keys);
                        n++;
                        if (reader.get(id) != ReadStatus.FOUND) {
                            continue;
                        }
                        f++;
                        long seed = reader.getLong(1);
                        boolean ok = reader.getLong(0) == id && reader.getLong(FEATURES + 3) == checksum(id, seed)
                                && reader.getString(FEATURES + 2).equals(tag(seed)) && reader.version() == seed
                                && reader.version() >= lastVersion[id];
                        for (int i = 0; ok && i < FEATURES; i++) {
                            ok = reader.getDouble(2 + i) == feature(seed, i);
                        }
                        lastVersion[id] = reader.version();
                        if (!ok) {
                            bad++;
                        }
                    }
                    reads.addAndGet(n);
                    found.addAndGet(f);
                    torn.addAndGet(bad);
                });
                readers[r].start();
            }
            MappedTableWriter w = t.writer();
            RowBuffer row = t.newRow();
            SplittableRandom rnd = new SplittableRandom(1);
            long deadline = System.nanoTime() + 3_000_000_000L;
            long version = 0;
            while (System.nanoTime() < deadline) {
                version++;
                long id = rnd.nextInt(keys);
                if (rnd.nextInt(10) == 0) {
                    w.delete(id, version);
                    continue;
                }
                row.clear().setLong(0, id).setLong(1, version);
                for (int i = 0; i < FEATURES; i++) {
                    row.setDouble(2 + i, feature(version, i));
                }
                row.setString(FEATURES + 2, tag(version)).setLong(FEATURES + 3, checksum(id, version));
                w.upsert(row, version, version);
            }
            stop.set(true);
            for (Thread th : readers) {
                th.join();
            }
            assertTrue(found.get() > 100_000, "readers checked enough rows: " + found.get());
            assertTrue(projectedFound.get() > 50_000, "projected reads checked enough rows: " + projectedFound.get());
            assertEquals(0, torn.get(),
                    "torn or regressing rows among " + found.get() + " rows read (" + reads.get() + " lookups, "
                    + version + " writes)");
        }
    }
}
