package dev.larder.store.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.store.ColumnType;
import dev.larder.store.FeatureSchema;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link UndoReplay} over real mapped rows, index and state files: undoing a record leaves the index as it was before
 * the change, whether or not the change reached the index before a crash, and undoing it again changes nothing.
 */
class UndoReplayTest {
    private static final int ROWS = 16;
    private static final RowLayoutDescriptor LAYOUT = new RowLayoutDescriptor(FeatureSchema.builder()
            .keyColumn("id", ColumnType.INT64).column("x", ColumnType.FLOAT64).build());

    @TempDir
    Path dir;
    private Path rowsFile;
    private TableView v;
    private MappedByteBuffer state;
    private IndexProbe probe;
    private FileChannel rows;
    private FileChannel stateCh;

    @BeforeEach
    void mapFiles() throws Exception {
        int rowSize = LAYOUT.rowSize();
        rowsFile = dir.resolve(RowLayoutDescriptor.FILE);
        rows = MappedFiles.openReadWrite(rowsFile, true);
        MappedFiles.reserve(rows, (long) ROWS * rowSize, rowsFile);
        stateCh = MappedFiles.openReadWrite(dir.resolve(StateDescriptor.FILE), true);
        MappedFiles.reserve(stateCh, StateDescriptor.SIZE, dir.resolve(StateDescriptor.FILE));
        state = MappedFiles.map(stateCh, 0, StateDescriptor.SIZE);
        state.order(ByteOrder.LITTLE_ENDIAN);
        v = new TableView(RowFiles.map(rows, ROWS, rowSize, null, true), RowFiles.chunkShift(rowSize), ROWS, rowSize,
                IndexFiles.create(dir, 1, ROWS), ROWS, 1, new MappedByteBuffer[0], 0);
        probe = new IndexProbe(LAYOUT, "t");
    }

    @AfterEach
    void closeFiles() throws Exception {
        rows.close();
        stateCh.close();
    }

    /** Writes row {@code row} as a live row of key {@code id} under the seqlock. */
    private void writeRow(long row, long id) {
        byte[] img = new byte[LAYOUT.rowSize()];
        KeyCodec.LONGS.set(img, LAYOUT.keyOffset(), id);
        KeyCodec.LONGS.set(img, RowLayoutDescriptor.VERSION, row);
        img[RowLayoutDescriptor.FLAGS] = RowLayoutDescriptor.FLAG_LIVE;
        img[RowLayoutDescriptor.KEY_LENGTH] = 8;
        RowSlots.write(v, row, img, LAYOUT.rowSize());
    }

    /** Probes for key {@code id}; returns its row or -1. */
    private long rowOf(long id) {
        KeyCodec.LONGS.set(probe.key, 0, id);
        probe.keyLength(8);
        probe.hash();
        return probe.find(v) ? probe.foundRow() : -1;
    }

    /** Indexes key {@code id} at row {@code row}, as an insert applies it. */
    private void insert(long id, long row) {
        assertEquals(-1, rowOf(id));
        IndexSlots.insert(v, state, probe.freePos(), IndexDescriptor.entry(probe.fingerprint(), row));
    }

    private long liveRows() {
        return state.getLong(StateDescriptor.LIVE_ROWS);
    }

    @Test
    void anUpdateIsUndoneOnceOrTwiceAndWhetherOrNotItReachedTheIndex() {
        writeRow(0, 7);
        writeRow(1, 7);
        insert(7, 0);
        assertFalse(UndoReplay.undo(v, state, probe, 0, 1, rowsFile), "an update that never reached the index");
        assertEquals(0, rowOf(7));
        v.slotRelease(probe.foundPos(), IndexDescriptor.entry(probe.fingerprint(), 1));
        assertEquals(1, rowOf(7));
        UndoReplay.undo(v, state, probe, 0, 1, rowsFile);
        assertEquals(0, rowOf(7));
        UndoReplay.undo(v, state, probe, 0, 1, rowsFile);
        assertEquals(0, rowOf(7));
        assertEquals(1, liveRows());
    }

    @Test
    void anInsertAndADeleteAreUndoneOnceOrTwice() {
        writeRow(2, 8);
        writeRow(3, 9);
        insert(8, 2);
        insert(9, 3);
        assertEquals(3, rowOf(9));
        IndexSlots.remove(v, state, probe.foundPos());
        assertEquals(-1, rowOf(9));
        assertEquals(1, liveRows());

        UndoReplay.undo(v, state, probe, UndoLogDescriptor.ABSENT, 2, rowsFile);
        UndoReplay.undo(v, state, probe, UndoLogDescriptor.ABSENT, 2, rowsFile);
        assertEquals(-1, rowOf(8), "the insert is undone");
        assertEquals(0, liveRows());
        UndoReplay.undo(v, state, probe, 3, UndoLogDescriptor.ABSENT, rowsFile);
        UndoReplay.undo(v, state, probe, 3, UndoLogDescriptor.ABSENT, rowsFile);
        assertEquals(3, rowOf(9), "the delete is undone, into the tombstone it left");
        assertEquals(1, liveRows());
        assertEquals(2, state.getLong(StateDescriptor.INDEX_USED));
    }

    @Test
    void aBulkRecordEmptiesTheIndex() {
        writeRow(4, 10);
        insert(10, 4);
        assertTrue(UndoReplay.undo(v, state, probe, UndoLogDescriptor.BULK, UndoLogDescriptor.ABSENT, rowsFile));
        assertEquals(-1, rowOf(10));
        assertEquals(0, liveRows());
        assertEquals(0, state.getLong(StateDescriptor.INDEX_USED));
    }
}
