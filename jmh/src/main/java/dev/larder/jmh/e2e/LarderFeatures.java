package dev.larder.jmh.e2e;

import dev.larder.ingest.LarderEngine;
import dev.larder.ingest.TableHandle;
import dev.larder.jmh.systems.KvSystem;
import dev.larder.jmh.systems.LarderSystem;
import dev.larder.store.FeatureStore;
import dev.larder.store.FeatureVector;
import dev.larder.store.FeatureVectorReader;
import dev.larder.store.RowBuffer;
import dev.larder.store.TableOptions;
import java.nio.file.Path;

/**
 * Larder as the model server's feature store: three tables loaded through the public push API
 * ({@link LarderEngine#upsert}, one version), read through one {@link FeatureVector} of the 40 features in model column
 * order. A ranking request fills every candidate's vector into the request's matrix with one batch read per table
 * ({@link FeatureVectorReader#fillBatch}), whose memory misses overlap.
 */
final class LarderFeatures implements FeatureSource {
    private final Path dir;
    private FeatureStore store;
    private LarderEngine larder;
    private FeatureVector vector;
    private final TableHandle[] handles = new TableHandle[E2eData.TABLES.length];

    LarderFeatures(Path dir) {
        this.dir = dir;
    }

    @Override
    public String name() {
        return FeatureSources.LARDER;
    }

    @Override
    public void load(int keys) {
        store = FeatureStore.open(dir);
        larder = LarderEngine.open(store, LarderSystem.UNSYNCED);
        FeatureVector.Builder b = FeatureVector.builder();
        for (int t = 0; t < E2eData.TABLES.length; t++) {
            TableHandle h = larder.createTable(E2eData.TABLES[t], E2eData.schema(t),
                    TableOptions.DEFAULT.withInitialRows(keys));
            handles[t] = h;
            RowBuffer row = h.table().newRow();
            for (int k = 0; k < keys; k++) {
                larder.upsert(h, fill(row, k, t), 1, 0);
            }
            larder.endVersion(h, 1, 0);
            for (int i = 0; i < E2eData.TABLE_FEATURES[t]; i++) {
                b.add(h.table(), E2eData.column(t, i), Float.NaN);
            }
        }
        larder.flush();
        vector = b.build();
    }

    private static RowBuffer fill(RowBuffer row, long key, int t) {
        row.setLong(0, key);
        for (int i = 0; i < E2eData.TABLE_FEATURES[t]; i++) {
            row.setFloat(1 + i, E2eData.feature(key, t, i));
        }
        return row;
    }

    /**
     * Pushes each update through the ingest ring ({@link LarderEngine#upsert}); versions end every 1,024 updates, as a
     * feed's commits do, which is when the rows they replaced are reused.
     */
    @Override
    public KvSystem.Updater newUpdater() {
        RowBuffer[] rows = new RowBuffer[handles.length];
        for (int t = 0; t < rows.length; t++) {
            rows[t] = handles[t].table().newRow();
        }
        long[] applied = new long[1];
        return (key, version) -> {
            int t = (int) (version % handles.length);
            larder.upsert(handles[t], fill(rows[t], key, t), version, 0);
            if ((++applied[0] & 1023) == 0) {
                for (TableHandle h : handles) {
                    larder.endVersion(h, version, 0);
                }
            }
        };
    }

    @Override
    public Fetcher newFetcher() {
        FeatureVectorReader r = vector.newReader();
        return new Fetcher() {
            @Override
            public int fetch(long key, float[] out) {
                return r.fill(key, out, null);
            }

            @Override
            public int fetchBatch(long[] keys, int n, float[] out) {
                r.fillBatch(keys, n, out);
                int found = 0;
                for (int i = 0, end = n * E2eData.FEATURES; i < end; i++) {
                    found += Float.isNaN(out[i]) ? 0 : 1;
                }
                return found;
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
