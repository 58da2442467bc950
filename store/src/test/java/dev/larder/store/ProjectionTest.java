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
            FeatureTable t = store.create("t", schema(), TableOptions.DEFAULT.withTtl(Duration.ofSeconds(1)).withClock(clock));
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
        assertEquals("column name is string(64), not a numeric type a projection can read as a double", e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Projection.of(schema, new int[] {1, 2}, new int[] {0, 0}, new double[2]));
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable other = store.create("o", FeatureSchema.builder().keyColumn("id", ColumnType.INT64)
                    .column("x", ColumnType.FLOAT64).build(), TableOptions.DEFAULT);
            Projection p = Projection.of(schema, 0, 1);
            assertThrows(IllegalArgumentException.class, () -> other.newReader().get(1, p, new double[1], null));
        }
    }
}
