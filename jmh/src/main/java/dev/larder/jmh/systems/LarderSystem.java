package dev.larder.jmh.systems;

import dev.larder.ingest.IngestOptions;
import dev.larder.ingest.LarderEngine;
import dev.larder.ingest.SyncPolicy;
import dev.larder.ingest.TableHandle;
import dev.larder.ingest.testkit.TestWriter;
import dev.larder.jmh.Dataset;
import dev.larder.store.FeatureStore;
import dev.larder.store.FeatureTable;
import dev.larder.store.Projection;
import dev.larder.store.ReadStatus;
import dev.larder.store.RowBuffer;
import dev.larder.store.TableOptions;
import dev.larder.store.TableReader;
import java.nio.file.Path;
import java.time.Duration;

/** Larder's table engine with the dataset as typed columns: id int64 key, f0..f19 float64. */
public final class LarderSystem implements KvSystem {
    public static final String TABLE = "features";

    private final Path dir;
    private FeatureStore store;
    private FeatureTable table;
    /** The engine the updater pushes through; opened with the first updater. */
    private LarderEngine larder;

    LarderSystem(Path dir) {
        this.dir = dir;
    }

    @Override
    public String name() {
        return Systems.LARDER;
    }

    @Override
    public void load(int keys) {
        store = FeatureStore.open(dir);
        table = store.create(TABLE, Dataset.schema(), TableOptions.DEFAULT.withInitialRows(keys));
        load(store, table, keys);
    }

    /** Writes entities {@code 0..keys-1} at version 1 through the ingest ring (the test kit), durable on return. */
    public static void load(FeatureStore store, FeatureTable table, int keys) {
        TestWriter.write(store, table, 1, 0, sink -> {
            for (int k = 0; k < keys; k++) {
                RowBuffer row = sink.row();
                fill(row, k, 1);
                sink.upsert(row);
            }
        });
    }

    static void fill(RowBuffer row, long key, long version) {
        row.setLong(0, key);
        for (int i = 0; i < Dataset.FEATURES; i++) {
            row.setDouble(Dataset.FIRST_FEATURE_COLUMN + i, Dataset.feature(key, version, i));
        }
    }

    public FeatureTable table() {
        return table;
    }

    /** Reads the one feature asked for: a projected read, which touches the row's header and that feature only. */
    @Override
    public Reader newReader() {
        return projected(table.newReader());
    }

    /** A reader counted by status with one lookup in {@code sampleEvery} timed, as the facade's readers are. */
    public Reader newCountedReader(int sampleEvery) {
        return projected(table.newReader(sampleEvery));
    }

    private Reader projected(TableReader r) {
        Projection p = Projection.of(table.schema(), Double.NaN, Dataset.FIRST_FEATURE_COLUMN);
        double[] out = new double[1];
        return key -> {
            r.get(key, p, out, null);
            return out[0];
        };
    }

    /** A reader that copies the whole row at each get and then reads the feature from the copy. */
    public Reader newRowReader() {
        TableReader r = table.newReader();
        return key -> r.get(key) == ReadStatus.FOUND ? r.getDouble(Dataset.FIRST_FEATURE_COLUMN) : Double.NaN;
    }

    /** A reader that checks each row it finds against its CRC32C ({@code FeatureTable.newCheckedReader()}). */
    public Reader newCheckedReader() {
        TableReader r = table.newCheckedReader();
        return key -> r.get(key) == ReadStatus.FOUND ? r.getDouble(Dataset.FIRST_FEATURE_COLUMN) : Double.NaN;
    }

    /**
     * The engine's settings while a benchmark measures: no sync (msync, fsync) during the run, as none of the peers
     * has one (Redis without persistence, Chronicle Map's file left to the page cache). With the default policy, a
     * sync every 100 ms of the pages 100k random updates/s dirtied held the writer to about 20k of them and put the
     * writeback's faults on the readers (`larder bench --mode short`: Larder p99 5.48 ms against 4.19 µs unsynced).
     */
    public static final IngestOptions UNSYNCED = IngestOptions.DEFAULT.withJmx(false)
            .withSyncPolicy(SyncPolicy.coalesced(Integer.MAX_VALUE, Duration.ofDays(365)));

    /**
     * Pushes each update through the ingest ring, as an application does; the engine's writer thread applies it. A
     * version ends every 1,024 updates and at each {@code flush()}, as a feed's commits do: that is when the rows they
     * replaced are freed. Versions continue above the table's watermark, so a later updater's rows are not stale.
     */
    @Override
    public synchronized Updater newUpdater() {
        if (larder == null) {
            larder = LarderEngine.open(store, UNSYNCED);
        }
        LarderEngine engine = larder;
        engine.flush();
        TableHandle handle = engine.table(TABLE);
        long base = handle.lineage().version();
        RowBuffer row = table.newRow();
        long[] pushed = new long[2];
        return new Updater() {
            @Override
            public void update(long key, long version) {
                fill(row, key, version);
                engine.upsert(handle, row, base + version, 0);
                pushed[1] = base + version;
                if ((++pushed[0] & 1023) == 0) {
                    flush();
                }
            }

            @Override
            public void flush() {
                if (pushed[1] > base) {
                    engine.endVersion(handle, pushed[1], 0);
                }
            }
        };
    }

    @Override
    public void close() {
        if (larder != null) {
            larder.close();
        }
        if (store != null) {
            store.close();
        }
    }
}
