package dev.larder.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.store.engine.RowLayoutDescriptor;
import dev.larder.store.engine.StateDescriptor;
import dev.larder.store.engine.TableView;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Strings and binaries by their actual length: a non-key value keeps 12 bytes inline in a 16-byte slot by default and
 * longer ones go to heap.dat by their length; keys stay inline whole; tables stored with the old 64-byte default open
 * and read as before.
 */
class CompactRowsTest {
    @TempDir
    Path dir;

    /** The generator's table: int64 key, 16 float64, 4 float32, 2 short categorical strings. */
    static FeatureSchema generatorSchema(int inline) {
        FeatureSchema.Builder b = FeatureSchema.builder().keyColumn("entity_id", ColumnType.INT64);
        for (int i = 0; i < 16; i++) {
            b.column("f_" + i, ColumnType.FLOAT64);
        }
        for (int i = 0; i < 4; i++) {
            b.column("g_" + i, ColumnType.FLOAT32);
        }
        return b.add(Column.variable("c_0", ColumnType.STRING, true, inline))
                .add(Column.variable("c_1", ColumnType.STRING, true, inline)).build();
    }

    @Test
    void aDefaultStringTakesASixteenByteSlotAndAKeyStringSixtyFourBytes() {
        FeatureSchema s = FeatureSchema.builder().keyColumn("k", ColumnType.STRING).column("v", ColumnType.STRING)
                .add(Column.of("b", ColumnType.BINARY, true)).build();
        assertEquals(Column.DEFAULT_KEY_CAPACITY, s.column(0).capacity());
        assertEquals(64, s.column(0).capacity());
        assertEquals(12, s.column(1).capacity());
        assertEquals(16, s.column(1).width());
        assertEquals(16, s.column(2).width());
        // 32-byte header (the int64 key is not copied: its column is the key), nulls padded to 8, then the int64 key,
        // 16 float64, 4 float32 and two 16-byte string slots: 40 + 136 + 16 + 32 (with the 64-byte default, two
        // 68-byte slots make it 328).
        assertEquals(224, generatorSchema(Column.DEFAULT_VARIABLE_CAPACITY).rowSize());
        assertEquals(328, generatorSchema(64).rowSize());
    }

    @Test
    void valuesPastTwelveBytesGoToTheHeapByTheirLengthAndEveryReadReturnsThem() {
        FeatureSchema schema = FeatureSchema.builder().keyColumn("id", ColumnType.INT64).column("s", ColumnType.STRING)
                .column("b", ColumnType.BINARY).column("x", ColumnType.FLOAT64).build();
        Map<Long, String> strings = new HashMap<>();
        // At the capacity, one past it, multi-byte UTF-8 across the boundary, empty and long.
        String[] values = {"", "a", "twelve_bytes", "thirteen_byte", "ééééé€", "ééééé€é", "x".repeat(5000)};
        long heap = 0;
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.create("t", schema, TableOptions.DEFAULT);
            RowBuffer row = t.newRow();
            for (int i = 0; i < values.length; i++) {
                byte[] utf8 = values[i].getBytes(StandardCharsets.UTF_8);
                long before = t.state.getLong(StateDescriptor.HEAP_SIZE);
                row.clear().setLong(0, i).setString(1, values[i]).setBytes(2, utf8).setDouble(3, i);
                t.writer().upsert(row, 1, 1);
                long grown = t.state.getLong(StateDescriptor.HEAP_SIZE) - before;
                assertEquals(utf8.length > 12 ? 2L * utf8.length : 0, grown, utf8.length + "-byte values");
                heap += grown;
                strings.put((long) i, values[i]);
            }
            t.writer().publish(new Lineage("", "", 1, 1));
            assertEquals(heap, t.state.getLong(StateDescriptor.HEAP_SIZE));
            checkEveryRead(t, strings);
        }
        try (FeatureStore store = FeatureStore.openReadOnly(dir)) {
            checkEveryRead(store.table("t"), strings);
        }
    }

    private static void checkEveryRead(FeatureTable t, Map<Long, String> strings) {
        for (TableReader r : new TableReader[] {t.newReader(), t.newCheckedReader()}) {
            byte[] buf = new byte[8192];
            for (Map.Entry<Long, String> e : strings.entrySet()) {
                byte[] utf8 = e.getValue().getBytes(StandardCharsets.UTF_8);
                assertEquals(ReadStatus.FOUND, r.get(e.getKey()));
                assertEquals(e.getValue(), r.getString(1));
                assertArrayEquals(utf8, r.getBytes(2));
                assertEquals(utf8.length, r.getBytes(1, buf, 0));
                assertEquals(e.getValue(), new String(buf, 0, utf8.length, StandardCharsets.UTF_8));
                RowBuffer copy = t.newRow().copyFrom(r);
                assertEquals(e.getValue(), copy.getString(1));
            }
            Map<Long, String> scanned = new HashMap<>();
            r.forEach(row -> scanned.put(row.getLong(0), row.getString(1)));
            assertEquals(strings, scanned);
        }
    }

    /**
     * Each update of a value longer than the inline capacity appends its bytes: heap.dat grows by the value's length
     * per update and the replaced bytes are counted as garbage once their version is published, until a rebuild.
     */
    @Test
    void updatesOfLongStringsGrowTheHeapByTheirLengthAndCountTheReplacedBytesAsGarbage() {
        FeatureSchema schema = FeatureSchema.builder().keyColumn("id", ColumnType.INT64).column("s", ColumnType.STRING)
                .build();
        int rows = 1000;
        int rounds = 5;
        int length = 20;
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.create("t", schema, TableOptions.DEFAULT);
            RowBuffer row = t.newRow();
            for (int v = 1; v <= rounds + 1; v++) {
                for (int id = 0; id < rows; id++) {
                    String s = String.format("%0" + length + "d", (long) v * rows + id);
                    t.writer().upsert(row.clear().setLong(0, id).setString(1, s), v, v);
                }
                t.writer().publish(new Lineage("", "", v, v));
            }
            assertEquals((long) rows * (rounds + 1) * length, t.state.getLong(StateDescriptor.HEAP_SIZE));
            // The last version's replaced rows are freed when the next version's changes take them.
            long garbage = t.state.getLong(StateDescriptor.HEAP_GARBAGE);
            assertTrue(garbage >= (long) rows * (rounds - 1) * length && garbage <= (long) rows * rounds * length,
                    "garbage " + garbage);
            TableReader r = t.newReader();
            assertEquals(ReadStatus.FOUND, r.get(7));
            assertEquals(String.format("%020d", (long) (rounds + 1) * rows + 7), r.getString(1));
        }
    }

    /**
     * An update that leaves a long value as it was (a Delta update rewrites the whole row, most of its values
     * unchanged) points to the same heap bytes instead of appending them again; a rollback keeps them for the row it
     * restores and counts only the values the undone version appended as garbage.
     */
    @Test
    void anUnchangedLongValueKeepsItsHeapBytesThroughUpdatesAndRollbacks() {
        FeatureSchema schema = FeatureSchema.builder().keyColumn("id", ColumnType.INT64).column("x", ColumnType.FLOAT64)
                .column("a", ColumnType.STRING).column("b", ColumnType.BINARY).build();
        int rows = 100;
        String a = "Mozilla/5.0 (X11; Linux x86_64)";
        byte[] b = "a binary value past twelve bytes".getBytes(StandardCharsets.UTF_8);
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.create("t", schema, TableOptions.DEFAULT);
            RowBuffer row = t.newRow();
            for (int v = 1; v <= 4; v++) {
                for (int id = 0; id < rows; id++) {
                    row.clear().setLong(0, id).setDouble(1, v).setString(2, a + id).setBytes(3, b);
                    t.writer().upsert(row, v, v);
                }
                t.writer().publish(new Lineage("", "", v, v));
            }
            long loaded = (long) rows * b.length;
            for (int id = 0; id < rows; id++) {
                loaded += (a + id).length();
            }
            assertEquals(loaded, t.state.getLong(StateDescriptor.HEAP_SIZE), "three rewrites appended nothing");
            assertEquals(0, t.state.getLong(StateDescriptor.HEAP_GARBAGE));
            // Version 5 changes column a of every row, keeps b, then is rolled back.
            for (int id = 0; id < rows; id++) {
                row.clear().setLong(0, id).setDouble(1, 5).setString(2, a + "!" + id).setBytes(3, b);
                t.writer().upsert(row, 5, 5);
            }
            long appended = t.state.getLong(StateDescriptor.HEAP_SIZE) - loaded;
            long changed = 0;
            for (int id = 0; id < rows; id++) {
                changed += (a + "!" + id).length();
            }
            assertEquals(changed, appended, "only the changed values were appended");
            t.writer().rollback();
            assertEquals(appended, t.state.getLong(StateDescriptor.HEAP_GARBAGE), "the rolled back values are garbage");
            TableReader r = t.newReader();
            for (int id = 0; id < rows; id++) {
                assertEquals(ReadStatus.FOUND, r.get(id));
                assertEquals(4.0, r.getDouble(1));
                assertEquals(a + id, r.getString(2));
                assertArrayEquals(b, r.getBytes(3));
            }
            // Version 5 again, changing b only, published: the replaced b values are garbage, a's are shared.
            for (int id = 0; id < rows; id++) {
                t.writer().upsert(row.clear().setLong(0, id).setDouble(1, 5).setString(2, a + id)
                        .setBytes(3, new byte[b.length + 1]), 5, 5);
            }
            t.writer().publish(new Lineage("", "", 5, 5));
            assertEquals(appended + (long) rows * b.length, t.state.getLong(StateDescriptor.HEAP_GARBAGE));
            for (int id = 0; id < rows; id++) {
                assertEquals(ReadStatus.FOUND, r.get(id));
                assertEquals(a + id, r.getString(2));
                assertEquals(b.length + 1, r.getBytes(3).length);
            }
        }
    }

    @Test
    void aDamagedHeapOffsetIsNotSharedAndTheUpdateHealsTheRow() {
        FeatureSchema schema = FeatureSchema.builder().keyColumn("id", ColumnType.INT64).column("a", ColumnType.STRING)
                .build();
        String before = "a value past twelve bytes";
        String after = "another past twelve bytes";
        assertEquals(before.length(), after.length());
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.create("t", schema, TableOptions.DEFAULT);
            t.writer().upsert(t.newRow().setLong(0, 7).setString(1, before), 1, 1);
            t.writer().publish(new Lineage("", "", 1, 1));
            TableView v = t.view();
            int slot = v.rowOffset(0) + new RowLayoutDescriptor(schema).columnOffset(1)
                    + RowLayoutDescriptor.LENGTH_PREFIX;
            v.rowChunk(0).putLong(slot, Long.MAX_VALUE - 4);

            t.writer().upsert(t.newRow().setLong(0, 7).setString(1, after), 2, 2);
            t.writer().publish(new Lineage("", "", 2, 2));
            TableReader r = t.newReader();
            assertEquals(ReadStatus.FOUND, r.get(7));
            assertEquals(after, r.getString(1));
        }
    }

    @Test
    void theMemoryReportCountsValuesByTheirBytesAndTheFilesPerRow() {
        FeatureSchema schema = FeatureSchema.builder().keyColumn("id", ColumnType.INT64).column("x", ColumnType.FLOAT64)
                .column("s", ColumnType.STRING).build();
        int rows = 1000;
        long payload = 0;
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.create("t", schema, TableOptions.DEFAULT);
            assertEquals(0, t.memoryUse(100).payloadPerRow());
            RowBuffer row = t.newRow();
            for (int i = 0; i < rows; i++) {
                row.clear().setLong(0, i).setString(2, "v".repeat(i % 30));
                if (i % 2 == 0) {
                    row.setDouble(1, i);
                }
                t.writer().upsert(row, 1, 1);
                payload += 8 + (i % 2 == 0 ? 8 : 0) + i % 30;
            }
            t.writer().publish(new Lineage("", "", 1, 1));
            MemoryUse m = t.memoryUse(Long.MAX_VALUE);
            assertEquals(rows, m.liveRows());
            assertEquals(rows, m.sampledRows());
            assertEquals((double) payload / rows, m.payloadPerRow(), 1e-9);
            assertEquals(t.mappedBytes(), m.offHeapBytes());
            assertEquals((double) t.mappedBytes() / rows, m.bytesPerRow(), 1e-9);
            assertEquals(m.bytesPerRow() / m.payloadPerRow(), m.ratioToPayload(), 1e-9);
            assertEquals(t.rowSize(), m.rowSize());
            assertTrue(m.heapBytes() > 0, "values past 12 bytes are in the heap");
            assertEquals(10, t.memoryUse(10).sampledRows());
        }
    }

    @Test
    void aTableStoredWithTheOldSixtyFourByteDefaultOpensAndReadsAsBefore() {
        FeatureSchema old = generatorSchema(64);
        String value = "a categorical value of 40 bytes, inline";
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.create("old", old, TableOptions.DEFAULT);
            RowBuffer row = t.newRow().setLong(0, 1).setString(21, value);
            t.writer().upsert(row, 1, 1);
            t.writer().publish(new Lineage("", "", 1, 1));
            assertEquals(0, t.state.getLong(StateDescriptor.HEAP_SIZE));
        }
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.table("old");
            assertEquals(old, t.schema());
            assertEquals(328, t.rowSize());
            TableReader r = t.newReader();
            assertEquals(ReadStatus.FOUND, r.get(1));
            assertEquals(value, r.getString(21));
            // A declaration written against today's default still names the stored table.
            assertTrue(old.takesRowsOf(generatorSchema(Column.DEFAULT_VARIABLE_CAPACITY)));
        }
    }

    @Test
    void aDeclaredSchemaNamesAStoredTableWhateverItsInlineCapacitiesButNotAnotherTable() {
        FeatureSchema stored = FeatureSchema.builder().add(Column.variable("k", ColumnType.STRING, false, 64)).key("k")
                .add(Column.variable("v", ColumnType.STRING, true, 64)).build();
        FeatureSchema declared = FeatureSchema.builder().add(Column.of("k", ColumnType.STRING, false)).key("k")
                .column("v", ColumnType.STRING).build();
        assertTrue(stored.takesRowsOf(declared));
        FeatureSchema longerKeys = FeatureSchema.builder().add(Column.variable("k", ColumnType.STRING, false, 100))
                .key("k")
                .column("v", ColumnType.STRING).build();
        assertTrue(!stored.takesRowsOf(longerKeys), "the stored table would refuse keys the declaration takes");
        FeatureSchema otherType = FeatureSchema.builder().add(Column.of("k", ColumnType.STRING, false)).key("k")
                .column("v", ColumnType.BINARY).build();
        assertTrue(!stored.takesRowsOf(otherType));
        FeatureSchema otherName = FeatureSchema.builder().add(Column.of("k", ColumnType.STRING, false)).key("k")
                .column("w", ColumnType.STRING).build();
        assertTrue(!stored.takesRowsOf(otherName));
        assertThrows(IllegalArgumentException.class, () -> Column.variable("v", ColumnType.STRING, true, 7));
    }
}
