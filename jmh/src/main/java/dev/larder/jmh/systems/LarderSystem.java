package dev.larder.jmh.systems;

import dev.larder.jmh.Dataset;
import dev.larder.store.FeatureStore;
import dev.larder.store.FeatureTable;
import dev.larder.store.Lineage;
import dev.larder.store.Projection;
import dev.larder.store.ReadStatus;
import dev.larder.store.RowBuffer;
import dev.larder.store.TableOptions;
import dev.larder.store.TableReader;
import dev.larder.store.internal.StoreInternals;
import dev.larder.store.internal.TableWriter;
import java.nio.file.Path;

/** Larder's table engine with the dataset as typed columns: id int64 key, f0..f19 float64. */
public final class LarderSystem implements KvSystem {
    public static final String TABLE = "features";

    private final Path dir;
    private FeatureStore store;
    private FeatureTable table;

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
        load(table, keys);
    }

    /** Writes entities {@code 0..keys-1} at version 1 through the table's writer. */
    public static void load(FeatureTable table, int keys) {
        RowBuffer row = table.newRow();
        TableWriter w = StoreInternals.writer(table);
        for (int k = 0; k < keys; k++) {
            fill(row, k, 1);
            w.upsert(row, 1, 0);
        }
        w.publish(new Lineage("", "", 1, 0));
        w.sync();
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

    @Override
    public Updater newUpdater() {
        RowBuffer row = table.newRow();
        TableWriter w = StoreInternals.writer(table);
        long[] applied = new long[1];
        return (key, version) -> {
            if (applied[0] == 0) {
                // The updater runs on the harness's writer thread, not the one that loaded the table.
                w.claim();
            }
            fill(row, key, version);
            w.upsert(row, version, 0);
            // Versions end now and then, as a feed's commits do: that is when the rows they replaced are freed.
            if ((++applied[0] & 1023) == 0) {
                w.publish(new Lineage("", "", version, 0));
            }
        };
    }

    @Override
    public void close() {
        if (store != null) {
            store.close();
        }
    }
}
