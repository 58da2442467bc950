package dev.larder.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Prefetching a group of records before applying them changes nothing, whatever the records hold. */
class WriterPrefetchTest {
    @TempDir
    Path dir;

    @Test
    void prefetchingChangesNothingAndSkipsRecordsWithoutAKey() {
        FeatureSchema schema = FeatureSchema.builder().keyColumn("id", ColumnType.INT64)
                .keyColumn("c", ColumnType.STRING)
                .column("x", ColumnType.FLOAT64).build();
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.create("t", schema, TableOptions.DEFAULT);
            MappedTableWriter w = t.writer();
            RowBuffer row = t.newRow();
            byte[] images = new byte[4 * row.exportSize() + 64];
            int[] offsets = new int[4];
            int at = 0;
            for (int i = 0; i < 4; i++) {
                row.clear().setLong(0, i).setDouble(2, i * 1.5);
                if (i != 2) {
                    row.setString(1, "k" + i);
                }
                offsets[i] = at;
                at += row.exportTo(images, at);
            }
            w.upsert(row.clear().setLong(0, 1).setString(1, "k1").setDouble(2, 9), 1, 0);
            w.publish(new Lineage("", "", 1, 0));
            long live = t.size();
            w.prefetch(images, offsets, 4);
            assertEquals(live, t.size());
            for (int i : new int[] {0, 1, 3}) {
                w.upsert(row.clear().importFrom(images, offsets[i]), 2, 0);
            }
            w.publish(new Lineage("", "", 2, 0));
            TableReader r = t.newReader();
            Key k = t.newKey();
            for (int i : new int[] {0, 1, 3}) {
                assertEquals(ReadStatus.FOUND, r.get(k.setLong(0, i).setString(1, "k" + i)));
                assertEquals(i * 1.5, r.getDouble(2));
                assertEquals(2, r.version());
            }
            assertEquals(3, t.size());
        }
    }
}
