package dev.larder.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.store.engine.RowLayoutDescriptor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A one-column key whose slot is its canonical encoding is stored once (format 2): rows are smaller by the copy, every
 * read, delete, reopen and index rebuild finds the keys through the column; format 1 stores open where their layout is
 * unchanged and are refused, naming the rebuild, where it changed.
 */
class KeyStoredOnceTest {
    @TempDir
    Path dir;

    private static FeatureSchema schema(ColumnType keyType) {
        return FeatureSchema.builder().keyColumn("k", keyType).column("x", ColumnType.FLOAT64)
                .column("s", ColumnType.STRING).build();
    }

    @Test
    void theKeyCopyIsLeftOutOnlyWhereTheColumnHoldsTheCanonicalBytes() {
        for (ColumnType t : new ColumnType[] {ColumnType.INT64, ColumnType.TIMESTAMP, ColumnType.TIMESTAMP_NTZ,
            ColumnType.BOOLEAN, ColumnType.STRING, ColumnType.BINARY}) {
            RowLayoutDescriptor l = new RowLayoutDescriptor(schema(t));
            assertEquals(l.columnOffset(0), l.keyOffset(), t.name());
            assertEquals(RowLayoutDescriptor.KEY, l.nullsOffset(), t.name());
        }
        for (ColumnType t : new ColumnType[] {ColumnType.INT32, ColumnType.INT16, ColumnType.DATE}) {
            RowLayoutDescriptor l = new RowLayoutDescriptor(schema(t));
            assertEquals(RowLayoutDescriptor.KEY, l.keyOffset(), t.name());
            assertEquals(RowLayoutDescriptor.KEY + 8, l.nullsOffset(), t.name());
        }
        FeatureSchema composite = FeatureSchema.builder().keyColumn("a", ColumnType.INT64)
                .keyColumn("b", ColumnType.STRING).column("x", ColumnType.FLOAT64).build();
        assertEquals(RowLayoutDescriptor.KEY, new RowLayoutDescriptor(composite).keyOffset());
        // A string key of the default 64-byte capacity: 32 header + 8 nulls + 68 key + 8 float64 + 16 string, padded
        // to 8; the copy made it 200.
        assertEquals(136, schema(ColumnType.STRING).rowSize());
    }

    @Test
    void stringKeysAreFoundThroughTheirColumnAcrossDeletesReopenAndIndexGrowth() {
        FeatureSchema s = schema(ColumnType.STRING);
        int n = 3000;
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.create("t", s, TableOptions.DEFAULT);
            RowBuffer row = t.newRow();
            for (int i = 0; i < n; i++) {
                t.writer().upsert(row.clear().setString(0, key(i)).setDouble(1, i).setString(2, "v" + i), 1, 1);
            }
            t.writer().publish(new Lineage("", "", 1, 1));
            for (int i = 0; i < n; i += 3) {
                t.writer().delete(row.clear().setString(0, key(i)), 2);
            }
            t.writer().publish(new Lineage("", "", 2, 2));
            check(t, n);
        }
        try (FeatureStore store = FeatureStore.open(dir)) {
            check(store.table("t"), n);
        }
        try (FeatureStore store = FeatureStore.openReadOnly(dir)) {
            check(store.table("t"), n);
        }
    }

    /** Keys from empty to the 64-byte capacity, multi-byte UTF-8 included. */
    private static String key(int i) {
        return switch (i % 4) {
            case 0 -> i == 0 ? "" : "k" + i;
            case 1 -> "é€" + i;
            case 2 -> "x".repeat(54) + String.format("%010d", i);
            default -> Integer.toString(i);
        };
    }

    private static void check(FeatureTable t, int n) {
        TableReader r = t.newCheckedReader();
        for (int i = 0; i < n; i++) {
            ReadStatus st = r.get(key(i));
            if (i % 3 == 0) {
                assertEquals(ReadStatus.NOT_FOUND, st, key(i));
            } else {
                assertEquals(ReadStatus.FOUND, st, key(i));
                assertEquals(key(i), r.getString(0));
                assertEquals(i, r.getDouble(1));
                assertEquals("v" + i, r.getString(2));
            }
        }
        assertEquals(ReadStatus.NOT_FOUND, r.get("k" + n));
    }

    /**
     * A table of a few rows, as most shared Delta tables are, maps a few kilobytes; it grows by an eighth (at least 16
     * rows) from there, so its spare capacity stays small.
     */
    @Test
    void aSmallTableMapsSixteenRowsAndGrowsByAnEighth() {
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.create("t", schema(ColumnType.STRING), TableOptions.DEFAULT);
            RowBuffer row = t.newRow();
            for (int i = 0; i < 11; i++) {
                t.writer().upsert(row.clear().setString(0, "name" + i).setDouble(1, i), 1, 1);
            }
            t.writer().publish(new Lineage("", "", 1, 1));
            MemoryUse m = t.memoryUse(100);
            assertEquals(16L * 136, m.rowsBytes());
            assertEquals(32L * Long.BYTES, m.indexBytes(), "twice the 16 rows");
            for (int i = 11; i < 100; i++) {
                t.writer().upsert(row.clear().setString(0, "name" + i).setDouble(1, i), 2, 2);
            }
            t.writer().publish(new Lineage("", "", 2, 2));
            assertEquals(112L * 136, t.memoryUse(100).rowsBytes(), "16, 32, 48, ... 112: 16 rows at a time below 128");
            TableReader r = t.newCheckedReader();
            for (int i = 0; i < 100; i++) {
                assertEquals(ReadStatus.FOUND, r.get("name" + i));
                assertEquals(i, r.getDouble(1));
            }
        }
    }

    @Test
    void negativeAndExtremeLongKeysRoundTrip() {
        long[] keys = {Long.MIN_VALUE, -1, 0, 1, Long.MAX_VALUE, 0x0102030405060708L};
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.create("t", schema(ColumnType.INT64), TableOptions.DEFAULT);
            RowBuffer row = t.newRow();
            for (long k : keys) {
                t.writer().upsert(row.clear().setLong(0, k).setDouble(1, k), 1, 1);
            }
            t.writer().publish(new Lineage("", "", 1, 1));
            TableReader r = t.newCheckedReader();
            for (long k : keys) {
                assertEquals(ReadStatus.FOUND, r.get(k));
                assertEquals(k, r.getLong(0));
                assertEquals((double) k, r.getDouble(1));
            }
            assertEquals(ReadStatus.NOT_FOUND, r.get(2));
        }
    }

    @Test
    void aFormatOneStoreOpensWhereItsLayoutIsUnchangedAndIsRefusedNamingTheRebuildWhereItChanged()
            throws IOException {
        try (FeatureStore store = FeatureStore.open(dir)) {
            for (String name : new String[] {"ints", "longs"}) {
                FeatureTable t = store.create(name, schema(name.equals("ints") ? ColumnType.INT32 : ColumnType.INT64),
                        TableOptions.DEFAULT);
                RowBuffer row = t.newRow();
                t.writer().upsert(name.equals("ints") ? row.clear().setLong(0, -7).setDouble(1, 7)
                        : row.clear().setLong(0, -7).setDouble(1, 7), 1, 1);
                t.writer().publish(new Lineage("", "", 1, 1));
            }
        }
        rewriteAsFormatOne(dir.resolve("ints"));
        rewriteAsFormatOne(dir.resolve("longs"));
        try (FeatureStore store = FeatureStore.open(dir)) {
            TableReader r = store.table("ints").newReader();
            assertEquals(ReadStatus.FOUND, r.get(-7));
            assertEquals(7.0, r.getDouble(1));
            StoreException e = assertThrows(StoreException.class, () -> store.table("longs"));
            assertTrue(e.getMessage().contains("format 1") && e.getMessage().contains("key column 'k'")
                    && e.getMessage().contains("larder rebuild --store STORE --table longs"), e.getMessage());
            // What a rebuild needs (schema, source) stays readable.
            assertEquals(schema(ColumnType.INT64), store.metadata("longs").schema());
        }
    }

    /** Rewrites a table's metadata as format 1 with a valid checksum, as an earlier build wrote it. */
    private static void rewriteAsFormatOne(Path table) throws IOException {
        Path file = table.resolve(TableMetadata.FILE);
        String text = Files.readString(file, StandardCharsets.UTF_8);
        String body = text.substring(0, text.lastIndexOf("crc32="));
        assertTrue(body.contains("format.version=2\n"), body);
        body = body.replace("format.version=2\n", "format.version=1\n");
        CRC32 crc = new CRC32();
        crc.update(body.getBytes(StandardCharsets.UTF_8));
        Files.writeString(file, body + "crc32=" + crc.getValue() + "\n", StandardCharsets.UTF_8);
    }
}
