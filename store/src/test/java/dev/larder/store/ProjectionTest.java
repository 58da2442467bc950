package dev.larder.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Projected reads return what the whole-row accessors return, with defaults and statuses per position. */
class ProjectionTest {
    @TempDir
    Path dir;

    static FeatureSchema schema() {
        return FeatureSchema.builder().keyColumn("id", ColumnType.INT64)
                .column("d", ColumnType.FLOAT64).column("f", ColumnType.FLOAT32).column("l", ColumnType.INT64)
                .column("i", ColumnType.INT32).column("s", ColumnType.INT16).column("b", ColumnType.INT8)
                .column("flag", ColumnType.BOOLEAN).column("day", ColumnType.DATE)
                .add(Column.decimal("price", 10, 2, true)).column("name", ColumnType.STRING).build();
    }

    @Test
    void everyNumericTypeReadsAsTheRowAccessorsDo() {
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.create("t", schema(), TableOptions.DEFAULT);
            MappedTableWriter w = t.writer();
            RowBuffer row = t.newRow();
            row.clear().setLong(0, 7).setDouble(1, 2.5).setFloat(2, 1.25f).setLong(3, 1L << 40).setLong(4, -5)
                    .setLong(5, 300).setLong(6, -7).setBoolean(7, true).setLong(8, 19_000)
                    .setDecimal(9, new BigDecimal("123.45")).setString(10, "x");
            w.upsert(row, 3, 1000);
            row.clear().setLong(0, 8).setDouble(1, 4.0);
            w.upsert(row, 4, 2000);
            w.publish(new Lineage("", "", 4, 2000));

            TableReader r = t.newReader();
            int[] columns = {1, 2, 3, 4, 5, 6, 7, 8, 9};
            Projection p = Projection.of(t.schema(), -1, columns);
            double[] out = new double[columns.length];
            ReadStatus[] status = new ReadStatus[columns.length];
            assertEquals(ReadStatus.FOUND, r.get(7, p, out, status));
            assertEquals(ReadStatus.FOUND, r.get(7));
            for (int i = 0; i < columns.length; i++) {
                assertEquals(r.getDouble(columns[i]), out[i], "column " + t.schema().column(columns[i]).name());
                assertEquals(ReadStatus.FOUND, status[i]);
            }
            assertEquals(3, r.projectedVersion());
            assertEquals(1000, r.projectedCommitTimestampMillis());
            assertEquals(columns.length, r.projectedValues());

            assertEquals(ReadStatus.FOUND, r.get(8, p, out, status), "a row with nulls is found");
            assertEquals(4.0, out[0]);
            assertEquals(ReadStatus.FOUND, status[0]);
            for (int i = 1; i < columns.length; i++) {
                assertEquals(-1, out[i], "a null value reads as the default");
                assertEquals(ReadStatus.NULL, status[i]);
            }
            assertEquals(1, r.projectedValues());

            float[] outF = new float[columns.length];
            assertEquals(ReadStatus.NOT_FOUND, r.get(9, p, outF, status));
            for (int i = 0; i < columns.length; i++) {
                assertEquals(-1f, outF[i]);
                assertEquals(ReadStatus.NOT_FOUND, status[i]);
            }
            assertEquals(-1, r.projectedVersion());

            Key k = t.newKey();
            k.setLong(0, 7);
            assertEquals(ReadStatus.FOUND, r.get(k, p, outF, null));
            assertEquals(2.5f, outF[0]);
            assertEquals(1.25f, outF[1]);
        }
    }

    @Test
    void positionsMissingColumnsAndDefaultsAreTheCallers() {
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.create("t", schema(), TableOptions.DEFAULT);
            MappedTableWriter w = t.writer();
            w.upsert(t.newRow().setLong(0, 1).setDouble(1, 9).setLong(3, 11), 1, 0);
            w.publish(new Lineage("", "", 1, 0));
            Projection p = Projection.of(t.schema(), new int[] {3, Projection.MISSING, 1}, new int[] {4, 0, 2},
                    new double[] {-3, -2, -1});
            double[] out = new double[5];
            ReadStatus[] status = new ReadStatus[5];
            assertEquals(ReadStatus.FOUND, t.newReader().get(1, p, out, status));
            assertArrayEquals(new double[] {-2, 0, 9, 0, 11}, out);
            assertArrayEquals(new ReadStatus[] {ReadStatus.NULL, null, ReadStatus.FOUND, null, ReadStatus.FOUND},
                    status);
            assertEquals(5, p.width());
        }
    }

    @Test
    void expiredRowsServeDefaultsWithTheirLineage() {
        Clock clock = Clock.fixed(Instant.ofEpochMilli(10_000), ZoneOffset.UTC);
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.create("t", schema(),
                    TableOptions.DEFAULT.withTtl(Duration.ofSeconds(1)).withClock(clock));
            MappedTableWriter w = t.writer();
            w.upsert(t.newRow().setLong(0, 1).setDouble(1, 9), 5, 1000);
            w.publish(new Lineage("", "", 5, 1000));
            Projection p = Projection.of(t.schema(), -1, 1);
            double[] out = new double[1];
            ReadStatus[] status = new ReadStatus[1];
            TableReader r = t.newReader();
            assertEquals(ReadStatus.EXPIRED, r.get(1, p, out, status));
            assertEquals(-1, out[0]);
            assertEquals(ReadStatus.EXPIRED, status[0]);
            assertEquals(5, r.projectedVersion());
        }
    }

    @Test
    void refusesWhatItCannotRead() {
        FeatureSchema schema = schema();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Projection.of(schema, 0, 10));
        assertEquals("column name is string(12), not a numeric type a projection can read as a double", e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Projection.of(schema, new int[] {1, 2}, new int[] {0, 0}, new double[2]));
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable other = store.create("o", FeatureSchema.builder().keyColumn("id", ColumnType.INT64)
                    .column("x", ColumnType.FLOAT64).build(), TableOptions.DEFAULT);
            Projection p = Projection.of(schema, 0, 1);
            assertThrows(IllegalArgumentException.class, () -> other.newReader().get(1, p, new double[1], null));
        }
    }

    @Test
    void batchesOfCompositeAndSingleKeysEqualSingleReads() {
        FeatureSchema composite = FeatureSchema.builder().keyColumn("id", ColumnType.INT64)
                .keyColumn("region", ColumnType.STRING)
                .column("a", ColumnType.FLOAT64).column("b", ColumnType.INT32).build();
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.create("c", composite, TableOptions.DEFAULT);
            MappedTableWriter w = t.writer();
            RowBuffer row = t.newRow();
            for (int id = 0; id < 3000; id += 2) {
                row.clear().setLong(0, id).setString(1, "r" + (id % 7)).setDouble(2, id * 0.5);
                if (id % 10 != 0) {
                    row.setLong(3, -id);
                }
                w.upsert(row, 1 + id, 0);
            }
            w.publish(new Lineage("", "", 3001, 0));
            Projection p = Projection.of(t.schema(), new int[] {3, 2}, new int[] {0, 1}, new double[] {-1, -2});
            int n = 1000;
            Key[] keys = new Key[n];
            for (int i = 0; i < n; i++) {
                int id = i * 3;
                keys[i] = t.newKey().setLong(0, id).setString(1, "r" + (id % 7));
            }
            double[] batch = new double[2 * n];
            ReadStatus[] status = new ReadStatus[n];
            TableReader r = t.newReader();
            int found = r.getBatch(keys, n, p, batch, status);
            double[] one = new double[2];
            int expectFound = 0;
            for (int i = 0; i < n; i++) {
                ReadStatus s = r.get(keys[i], p, one, null);
                assertEquals(s, status[i], "key " + i * 3);
                assertEquals(one[0], batch[2 * i], "b of key " + i * 3);
                assertEquals(one[1], batch[2 * i + 1], "a of key " + i * 3);
                expectFound += s == ReadStatus.FOUND ? 1 : 0;
            }
            assertEquals(500, expectFound, "every even id is stored");
            assertEquals(expectFound, found);

            FeatureTable single = store.create("s", schema(), TableOptions.DEFAULT);
            MappedTableWriter sw = single.writer();
            for (int id = 0; id < 2000; id += 2) {
                sw.upsert(single.newRow().setLong(0, id).setDouble(1, id).setFloat(2, id / 2f), 1, 0);
            }
            sw.publish(new Lineage("", "", 1, 0));
            long[] ids = new long[n];
            for (int i = 0; i < n; i++) {
                ids[i] = i * 3L;
            }
            Projection q = Projection.of(single.schema(), Float.NaN, 2, 1);
            float[] out = new float[2 * n];
            assertEquals(334, single.newReader().getBatch(ids, n, q, out, status));
            for (int i = 0; i < n; i++) {
                boolean stored = ids[i] % 2 == 0 && ids[i] < 2000;
                assertEquals(stored ? ReadStatus.FOUND : ReadStatus.NOT_FOUND, status[i]);
                assertEquals(stored ? ids[i] / 2f : Float.NaN, out[2 * i]);
                assertEquals(stored ? (float) ids[i] : Float.NaN, out[2 * i + 1]);
            }
        }
    }

    @Test
    void aVectorBatchFillsWhatSingleFillsDo() {
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable a = store.create("a", schema(), TableOptions.DEFAULT);
            FeatureTable b = store.create("b", schema(), TableOptions.DEFAULT);
            MappedTableWriter wa = a.writer();
            for (int id = 0; id < 600; id++) {
                wa.upsert(a.newRow().setLong(0, id).setDouble(1, id).setLong(3, id * 2L), 1, 0);
            }
            wa.publish(new Lineage("", "", 1, 0));
            MappedTableWriter wb = b.writer();
            for (int id = 0; id < 600; id += 3) {
                RowBuffer row = b.newRow().setLong(0, id).setFloat(2, id / 4f);
                if (id % 2 == 0) {
                    row.setLong(4, -id);
                }
                wb.upsert(row, 2, 0);
            }
            wb.publish(new Lineage("", "", 2, 0));
            FeatureVector v = FeatureVector.builder().add(b, "i", -9).add(a, "d", -1).add(b, "f", -2).add(a, "l", -3)
                    .build();
            FeatureVectorReader r = v.newReader();
            int n = 300;
            long[] keys = new long[n];
            for (int i = 0; i < n; i++) {
                keys[i] = i * 3L + (i % 2);
            }
            float[] batch = new float[n * v.size()];
            int found = r.fillBatch(keys, n, batch);
            float[] one = new float[v.size()];
            int expectFound = 0;
            for (int i = 0; i < n; i++) {
                r.fill(keys[i], one, null);
                for (int f = 0; f < one.length; f++) {
                    assertEquals(one[f], batch[i * v.size() + f], "feature " + f + " of key " + keys[i]);
                }
                expectFound += (keys[i] < 600 ? 1 : 0) + (keys[i] < 600 && keys[i] % 3 == 0 ? 1 : 0);
            }
            assertEquals(expectFound, found);
        }
    }
}
