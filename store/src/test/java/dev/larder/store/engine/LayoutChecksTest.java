package dev.larder.store.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.store.Column;
import dev.larder.store.ColumnType;
import dev.larder.store.FeatureSchema;
import dev.larder.store.FeatureStore;
import dev.larder.store.FeatureTable;
import dev.larder.store.Lineage;
import dev.larder.store.RowBuffer;
import dev.larder.store.StoreCorruptedException;
import dev.larder.store.TableOptions;
import dev.larder.store.internal.StoreInternals;
import dev.larder.store.internal.TableWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each layout's check refuses a file the store wrote and a test then damaged in the way the check looks for, naming
 * the file: called on the file directly, and when the table opens (where {@code FeatureTable} calls it).
 */
class LayoutChecksTest {
    private static final FeatureSchema SCHEMA = FeatureSchema.builder()
            .keyColumn("id", ColumnType.INT64)
            .column("x", ColumnType.FLOAT64)
            .add(Column.variable("tag", ColumnType.STRING, true, 16))
            .build();
    private static final int ROWS = 1000;

    @TempDir
    Path dir;

    /**
     * A cleanly closed table of {@link #ROWS} rows, every tenth with a tag longer than its inline capacity (so heap.dat
     * holds bytes), written through the table's writer (so undo.dat holds records of capacity).
     */
    private Path table() {
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.create("t", SCHEMA, TableOptions.DEFAULT);
            TableWriter w = StoreInternals.writer(t);
            RowBuffer row = t.newRow();
            for (long id = 0; id < ROWS; id++) {
                w.upsert(row.clear().setLong(0, id).setDouble(1, id)
                        .setString(2, (id % 10 == 0 ? "a value too long to inline " : "v") + id), 1, 1000);
            }
            w.publish(new Lineage("src", "/src", 1, 1000));
        }
        return dir.resolve("t");
    }

    /** Opening the damaged table fails naming {@code file} and saying {@code what}. */
    private void assertOpenRefuses(Path file, String what) {
        try (FeatureStore store = FeatureStore.open(dir)) {
            assertRefuses(file, what, () -> store.table("t"));
        }
    }

    private static void assertRefuses(Path file, String what, Executable check) {
        StoreCorruptedException e = assertThrows(StoreCorruptedException.class, check);
        assertEquals(file, e.file());
        assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().contains(what), e.getMessage());
    }

    private static ByteBuffer read(Path file) throws IOException {
        return ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void putLong(Path file, int offset, long value) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(0, value), offset);
        }
    }

    private static void putInt(Path file, int offset, int value) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN).putInt(0, value), offset);
        }
    }

    private static void truncate(Path file, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(size);
        }
    }

    private static int rowSize() {
        return new RowLayoutDescriptor(SCHEMA).rowSize();
    }

    @Test
    void stateFileOfAnotherSize() throws IOException {
        Path state = table().resolve(StateDescriptor.FILE);
        StateDescriptor.checkSize(state, Files.size(state));
        Files.write(state, new byte[] {1}, StandardOpenOption.APPEND);
        assertRefuses(state, "size 4097 bytes, expected 4096", () -> StateDescriptor.checkSize(state,
                Files.size(state)));
        assertOpenRefuses(state, "size 4097 bytes, expected 4096");
    }

    @Test
    void stateFileFields() throws IOException {
        Path state = table().resolve(StateDescriptor.FILE);
        byte[] written = Files.readAllBytes(state);
        StateDescriptor.check(state, read(state), rowSize());
        long rows = read(state).getLong(StateDescriptor.ROW_CAPACITY);

        putLong(state, StateDescriptor.MAGIC_OFFSET, 0);
        assertStateRefused(state, "bad magic");
        Files.write(state, written);
        putInt(state, StateDescriptor.FORMAT, StateDescriptor.FORMAT_VERSION + 1);
        assertStateRefused(state, "unsupported format version " + (StateDescriptor.FORMAT_VERSION + 1));
        Files.write(state, written);
        putInt(state, StateDescriptor.ROW_SIZE, rowSize() + 8);
        assertStateRefused(state, "row size " + (rowSize() + 8) + " does not match the schema's " + rowSize());
        Files.write(state, written);
        putLong(state, StateDescriptor.HIGH_WATER, rows + 1);
        assertStateRefused(state, "inconsistent counters (rows " + rows + ", high water " + (rows + 1));
        Files.write(state, written);
        putLong(state, StateDescriptor.INDEX_SLOTS, IndexDescriptor.MAX_SLOTS + 1);
        assertStateRefused(state, "slots " + (IndexDescriptor.MAX_SLOTS + 1) + ")");
        Files.write(state, written);
        long heapCapacity = read(state).getLong(StateDescriptor.HEAP_CAPACITY);
        putLong(state, StateDescriptor.HEAP_SIZE, heapCapacity + 1);
        assertStateRefused(state, "inconsistent heap counters (size " + (heapCapacity + 1));
    }

    private void assertStateRefused(Path state, String what) throws IOException {
        ByteBuffer fields = read(state);
        assertRefuses(state, what, () -> StateDescriptor.check(state, fields, rowSize()));
        assertOpenRefuses(state, what);
    }

    @Test
    void truncatedRowsFile() throws IOException {
        Path t = table();
        Path rowsFile = t.resolve(RowLayoutDescriptor.FILE);
        long rows = read(t.resolve(StateDescriptor.FILE)).getLong(StateDescriptor.ROW_CAPACITY);
        RowLayoutDescriptor.checkRowsFile(rowsFile, Files.size(rowsFile), rows, rowSize());
        long size = rows * rowSize() - 1;
        truncate(rowsFile, size);
        String what = "truncated: " + size + " bytes, expected at least " + rows * rowSize();
        assertRefuses(rowsFile, what, () -> RowLayoutDescriptor.checkRowsFile(rowsFile, Files.size(rowsFile), rows,
                rowSize()));
        assertOpenRefuses(rowsFile, what);
    }

    @Test
    void truncatedHeapFile() throws IOException {
        Path t = table();
        Path heapFile = t.resolve(HeapDescriptor.FILE);
        long capacity = read(t.resolve(StateDescriptor.FILE)).getLong(StateDescriptor.HEAP_CAPACITY);
        assertTrue(capacity >= HeapDescriptor.MIN_CAPACITY, "the table's long tags live in heap.dat: " + capacity);
        HeapDescriptor.checkHeapFile(heapFile, Files.size(heapFile), capacity);
        truncate(heapFile, capacity / 2);
        String what = "truncated: " + capacity / 2 + " bytes, expected at least " + capacity;
        assertRefuses(heapFile, what, () -> HeapDescriptor.checkHeapFile(heapFile, Files.size(heapFile), capacity));
        assertOpenRefuses(heapFile, what);
    }

    @Test
    void indexFileOfAnotherSize() throws IOException {
        Path t = table();
        ByteBuffer state = read(t.resolve(StateDescriptor.FILE));
        Path indexFile = IndexFiles.path(t, state.getLong(StateDescriptor.INDEX_GENERATION));
        long slots = state.getLong(StateDescriptor.INDEX_SLOTS);
        IndexDescriptor.checkIndexFile(indexFile, Files.size(indexFile), slots);
        truncate(indexFile, (slots - 1) * IndexDescriptor.SLOT_BYTES);
        String what = "size " + (slots - 1) * IndexDescriptor.SLOT_BYTES + " bytes, expected "
                + slots * IndexDescriptor.SLOT_BYTES;
        assertRefuses(indexFile, what, () -> IndexDescriptor.checkIndexFile(indexFile, Files.size(indexFile), slots));
        assertOpenRefuses(indexFile, what);
    }

    @Test
    void indexFileChangedAfterACleanClose() throws IOException {
        Path t = table();
        ByteBuffer state = read(t.resolve(StateDescriptor.FILE));
        Path indexFile = IndexFiles.path(t, state.getLong(StateDescriptor.INDEX_GENERATION));
        long slots = state.getLong(StateDescriptor.INDEX_SLOTS);
        int recorded = state.getInt(StateDescriptor.INDEX_CRC);
        assertEquals(1, state.getInt(StateDescriptor.INDEX_CRC_VALID), "a clean close records the checksum");
        IndexDescriptor.checkChecksum(indexFile, checksumOf(indexFile, slots), recorded);
        byte[] b = Files.readAllBytes(indexFile);
        int at = 0;
        while (b[at] == 0) {
            at++;
        }
        b[at] ^= 0x01;
        Files.write(indexFile, b);
        String what = "checksum mismatch: the file changed after the table was closed";
        assertRefuses(indexFile, what, () -> IndexDescriptor.checkChecksum(indexFile, checksumOf(indexFile, slots),
                recorded));
        assertOpenRefuses(indexFile, what);
    }

    private static int checksumOf(Path indexFile, long slots) throws IOException {
        MappedByteBuffer[] chunks = IndexFiles.openReadOnly(indexFile.getParent(),
                Long.parseLong(indexFile.getFileName().toString().replaceAll("\\D", "")), slots);
        return IndexDescriptor.checksum(chunks);
    }

    @Test
    void truncatedUndoFile() throws IOException {
        Path t = table();
        Path undoFile = t.resolve(UndoLogDescriptor.FILE);
        ByteBuffer state = read(t.resolve(StateDescriptor.FILE));
        long count = state.getLong(StateDescriptor.UNDO_COUNT);
        long capacity = state.getLong(StateDescriptor.UNDO_CAPACITY);
        assertTrue(capacity >= UndoLogDescriptor.MIN_RECORDS, "the writer's changes grew the undo log: " + capacity);
        UndoLogDescriptor.check(undoFile, Files.size(undoFile), count, capacity);
        truncate(undoFile, 10);
        String what = "truncated: 10 bytes, expected at least " + capacity * UndoLogDescriptor.RECORD_BYTES;
        assertRefuses(undoFile, what, () -> UndoLogDescriptor.check(undoFile, Files.size(undoFile), count,
                capacity));
        assertOpenRefuses(undoFile, what);
    }

    @Test
    void undoCountersBeyondTheUndoFile() throws IOException {
        Path t = table();
        Path undoFile = t.resolve(UndoLogDescriptor.FILE);
        Path stateFile = t.resolve(StateDescriptor.FILE);
        long capacity = read(stateFile).getLong(StateDescriptor.UNDO_CAPACITY);
        putLong(stateFile, StateDescriptor.UNDO_COUNT, capacity + 1);
        String what = "inconsistent undo counters (count " + (capacity + 1) + ", capacity " + capacity + ")";
        assertRefuses(undoFile, what, () -> UndoLogDescriptor.check(undoFile, Files.size(undoFile), capacity + 1,
                capacity));
        assertOpenRefuses(undoFile, what);
    }
}
