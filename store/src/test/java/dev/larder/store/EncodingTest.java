package dev.larder.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.store.engine.KeyCodec;
import dev.larder.store.engine.Utf8;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EncodingTest {
    @TempDir
    Path dir;

    static FeatureSchema allTypes() {
        return FeatureSchema.builder()
                .keyColumn("id", ColumnType.INT64)
                .column("b", ColumnType.BOOLEAN)
                .column("i8", ColumnType.INT8)
                .column("i16", ColumnType.INT16)
                .column("i32", ColumnType.INT32)
                .column("i64", ColumnType.INT64)
                .column("f32", ColumnType.FLOAT32)
                .column("f64", ColumnType.FLOAT64)
                .add(Column.decimal("dec", 10, 2, true))
                .add(Column.decimal("wide", 38, 6, true))
                .column("day", ColumnType.DATE)
                .column("ts", ColumnType.TIMESTAMP)
                .column("ntz", ColumnType.TIMESTAMP_NTZ)
                .add(Column.variable("s", ColumnType.STRING, true, 16))
                .add(Column.variable("bin", ColumnType.BINARY, true, 8))
                .add(Column.floatArray("emb", 4, true))
                .add(Column.variable("nested", ColumnType.OPAQUE, true, 32))
                .build();
    }

    /** A key encoded without allocating decodes into a cleared row as the same key, other columns left null. */
    @Test
    void aCompositeKeyRoundTripsThroughItsEncoding() {
        FeatureSchema schema = FeatureSchema.builder().keyColumn("i", ColumnType.INT32)
                .keyColumn("flag", ColumnType.BOOLEAN).add(Column.variable("s", ColumnType.STRING, false, 12)).key("s")
                .column("v", ColumnType.FLOAT64).build();
        RowBuffer row = new RowBuffer(schema).setLong(0, -42).setBoolean(1, true).setString(2, "clé").setDouble(3, 1.5);
        byte[] encoded = new byte[row.keyCapacity() + 3];
        int length = row.encodeKey(encoded);
        assertArrayEquals(row.encodeKey(), java.util.Arrays.copyOf(encoded, length));
        byte[] shifted = new byte[length + 3];
        System.arraycopy(encoded, 0, shifted, 3, length);
        RowBuffer decoded = new RowBuffer(schema).setKey(shifted, 3);
        assertArrayEquals(row.encodeKey(), decoded.encodeKey());
        assertEquals(-42, decoded.getLong(0));
        assertTrue(decoded.getBoolean(1));
        assertEquals("clé", decoded.getString(2));
        assertTrue(decoded.isNull(3));
    }

    @Test
    void everyTypeRoundTripsThroughATable() {
        FeatureSchema schema = allTypes();
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.create("all", schema, TableOptions.DEFAULT);
            RowBuffer row = t.newRow();
            row.setLong(0, 7).setBoolean(1, true).setLong(2, -128).setLong(3, 32767).setLong(4, -5)
                    .setLong(5, Long.MIN_VALUE)
                    .setFloat(6, 1.5f).setDouble(7, -2.25).setDecimal(8, new BigDecimal("12345678.91"))
                    .setDecimal(9, new BigDecimal("-12345678901234567890123456789012.123456"))
                    .setLong(10, 19000).setLong(11, 1_700_000_000_123_456L).setLong(12, -1L)
                    .setString(13, "héllo ✓").setBytes(14, new byte[] {1, 2, 3})
                    .setFloatArray(15, new float[] {0.1f, 0.2f, 0.3f, 0.4f}, 0)
                    .setBytes(16, "{\"a\":1}".getBytes(StandardCharsets.UTF_8));
            assertEquals(MappedTableWriter.Outcome.INSERTED, t.writer().upsert(row, 3, 1000));
            RowBuffer nulls = t.newRow().setLong(0, 8);
            t.writer().upsert(nulls, 3, 1000);

            TableReader r = t.newReader();
            assertEquals(ReadStatus.FOUND, r.get(7));
            assertTrue(r.getBoolean(1));
            assertEquals(-128, r.getLong(2));
            assertEquals(32767, r.getInt(3));
            assertEquals(-5, r.getLong(4));
            assertEquals(Long.MIN_VALUE, r.getLong(5));
            assertEquals(1.5f, r.getFloat(6));
            assertEquals(-2.25, r.getDouble(7));
            assertEquals(new BigDecimal("12345678.91"), r.getDecimal(8));
            assertEquals(1234567891L, r.getDecimalUnscaled(8));
            assertEquals(12345678.91, r.getDouble(8), 1e-6);
            assertEquals(new BigDecimal("-12345678901234567890123456789012.123456"), r.getDecimal(9));
            assertEquals(19000, r.getLong(10));
            assertEquals(1_700_000_000_123_456L, r.getLong(11));
            assertEquals(-1L, r.getLong(12));
            assertEquals("héllo ✓", r.getString(13));
            assertArrayEquals(new byte[] {1, 2, 3}, r.getBytes(14));
            float[] emb = new float[4];
            r.getFloatArray(15, emb, 0);
            assertArrayEquals(new float[] {0.1f, 0.2f, 0.3f, 0.4f}, emb);
            assertEquals("{\"a\":1}", new String(r.getBytes(16), StandardCharsets.UTF_8));
            assertEquals(3, r.version());
            assertEquals(1000, r.commitTimestampMillis());
            for (int c = 1; c < schema.columnCount(); c++) {
                assertFalse(r.isNull(c), schema.column(c).name());
            }

            assertEquals(ReadStatus.FOUND, r.get(8));
            for (int c = 1; c < schema.columnCount(); c++) {
                assertTrue(r.isNull(c), schema.column(c).name());
                assertEquals(null, r.getObject(c));
            }
        }
    }

    @Test
    void valuesThatDoNotFitAreRejectedNamingTheColumn() {
        RowBuffer row = new RowBuffer(allTypes());
        row.setString(13, "x".repeat(17));
        assertEquals("x".repeat(17), row.getString(13), "longer than the inline capacity: staged for the heap");
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                () -> row.setBytes(14, new byte[RowBuffer.MAX_VALUE_BYTES + 1]));
        assertTrue(tooLong.getMessage().contains("column bin"), tooLong.getMessage());
        assertThrows(IllegalArgumentException.class, () -> row.setLong(2, 200));
        assertThrows(IllegalArgumentException.class, () -> row.setDecimal(8, new BigDecimal("123456789.001")));
        assertThrows(IllegalArgumentException.class, () -> row.setDouble(6, 1.0));
        assertThrows(IllegalArgumentException.class, () -> row.setNull(0));
    }

    @Test
    void keysAreCanonicalAcrossIntegralWidthsAndCompositeColumns() {
        FeatureSchema schema = FeatureSchema.builder()
                .keyColumn("user", ColumnType.INT32)
                .add(Column.variable("country", ColumnType.STRING, false, 8))
                .column("score", ColumnType.FLOAT64)
                .key("country")
                .build();
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.create("composite", schema, TableOptions.DEFAULT);
            RowBuffer row = t.newRow();
            row.setLong(0, 42).setString(1, "NL").setDouble(2, 0.5);
            t.writer().upsert(row, 1, 0);
            row.clear().setLong(0, 42).setString(1, "DE").setDouble(2, 0.7);
            t.writer().upsert(row, 1, 0);
            row.clear().setLong(0, 43).setString(1, "NL").setDouble(2, 0.9);
            t.writer().upsert(row, 1, 0);

            TableReader r = t.newReader();
            Key k = t.newKey();
            assertEquals(ReadStatus.FOUND, r.get(k.setLong(0, 42L).setString(1, "NL")));
            assertEquals(0.5, r.getDouble(2));
            assertEquals(ReadStatus.FOUND, r.get(k.setString(1, "DE")));
            assertEquals(0.7, r.getDouble(2));
            assertEquals(ReadStatus.FOUND, r.get(k.setLong(0, 43).setString(1, "NL")));
            assertEquals(0.9, r.getDouble(2));
            assertEquals(ReadStatus.NOT_FOUND, r.get(k.setString(1, "FR")));
            assertEquals(3, t.size());
        }
    }

    @Test
    void nullAndUnsetKeysAreRejected() {
        FeatureSchema schema = FeatureSchema.builder().keyColumn("id", ColumnType.STRING).column("v", ColumnType.INT64)
                .build();
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.create("k", schema, TableOptions.DEFAULT);
            RowBuffer row = t.newRow().setLong(1, 5);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> t.writer().upsert(row, 1, 0));
            assertTrue(e.getMessage().contains("null value in key column 'id'"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> t.newReader().get(t.newKey()));
            assertEquals(0, t.size());
        }
    }

    @Test
    void floatingPointKeysAndNullableKeysAreRejectedAtSchemaTime() {
        assertThrows(IllegalArgumentException.class,
                () -> FeatureSchema.builder().keyColumn("x", ColumnType.FLOAT64).build());
        assertThrows(IllegalArgumentException.class,
                () -> FeatureSchema.builder().column("x", ColumnType.INT64).key("x").build());
        assertThrows(IllegalArgumentException.class,
                () -> FeatureSchema.builder().keyColumn("x", ColumnType.INT64).key("nope").build());
    }

    @Test
    void longKeyHashMatchesTheHashOfItsEncoding() {
        byte[] b = new byte[8];
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(5);
        for (int i = 0; i < 10_000; i++) {
            long v = i < 100 ? i - 50 : rnd.nextLong();
            KeyCodec.LONGS.set(b, 0, v);
            assertEquals(KeyCodec.hash(b, 8), KeyCodec.hashLong(v), "key " + v);
        }
    }

    @Test
    void schemaSurvivesMetadataRoundTrip() {
        FeatureSchema schema = allTypes();
        Properties p = new Properties();
        schema.store(p);
        assertEquals(schema, FeatureSchema.load(p));
    }

    @Test
    void utf8EncoderAgreesWithTheJdk() {
        String[] samples = {"", "ascii", "ünïcödé", "日本語", "emoji \uD83D\uDE00", "lone \uD800 surrogate"};
        byte[] buf = new byte[64];
        for (String s : samples) {
            int len = Utf8.encode(s, buf, 0, buf.length);
            assertArrayEquals(s.getBytes(StandardCharsets.UTF_8), java.util.Arrays.copyOf(buf, len), s);
            assertEquals(len, Utf8.encodedLength(s), s);
        }
    }

    @Test
    void exportedImageRebuildsTheSameRow() {
        FeatureSchema schema = allTypes();
        RowBuffer src = new RowBuffer(schema);
        src.setLong(0, 42).setDouble(7, 2.5).setString(13, "hello").setNull(1);
        byte[] image = new byte[src.exportSize()];
        assertEquals(image.length, src.exportTo(image));
        RowBuffer dst = new RowBuffer(schema).setLong(0, 7).setDouble(7, 9.0);
        dst.importFrom(image);
        assertEquals(42, dst.getLong(0));
        assertEquals(2.5, dst.getDouble(7));
        assertEquals("hello", dst.getString(13));
        assertTrue(dst.isNull(1));
        assertTrue(dst.isNull(4));

        String longTag = "y".repeat(100);
        src.setString(13, longTag).setBytes(16, new byte[40]);
        byte[] bigger = new byte[src.exportSize()];
        assertEquals(image.length + 140, bigger.length, "long values travel after the fixed image");
        assertEquals(bigger.length, src.exportTo(bigger));
        dst.importFrom(bigger);
        assertEquals(longTag, dst.getString(13));
        assertEquals(40, dst.getBytes(16).length);
    }
}
