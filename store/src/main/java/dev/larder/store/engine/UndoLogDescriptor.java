package dev.larder.store.engine;

import dev.larder.store.StoreCorruptedException;
import java.nio.file.Path;

/**
 * Thread-safe (constants and a static check): layout of {@code undo.dat}: the writer's log of the index changes made
 * since the last published version, so that a version that fails part-way (an error, a full disk, kill -9) can be taken
 * back whole. Little-endian.
 *
 * <pre>
 *  record i at offset i * 24 (records 0..count-1 are live; the count lives in {@link StateDescriptor}):
 *  +-------+------+--------------------------------------------------------------------+
 *  |     0 |    8 | version   the version whose change this record undoes              |
 *  |     8 |    8 | oldRow    row the key pointed to before (-1: key absent; -2: BULK,  |
 *  |       |      |           a bulk load installed an index over an empty table)       |
 *  |    16 |    8 | newRow    row the key points to after (-1: the change deleted it)   |
 *  +-------+------+--------------------------------------------------------------------+
 *  the file is split into mappings of {@link #RECORDS_PER_CHUNK} records
 * </pre>
 *
 * Ordering: the new row is complete before its record is written, the record before {@code undoCount} is raised
 * (release store), and that before the index slot changes; the old row is reused or freed only once the record is
 * discarded, after its version is published (the published version is stored first). So every record's rows are
 * intact, and undoing records newest first (point the key back at oldRow, or remove it) restores the table as of the
 * watermark. Records past the count are stale: the writer reuses the old rows of the last published version's records
 * from there (in memory only; recovery frees every row the index does not reach).
 */
public final class UndoLogDescriptor {
    public static final String FILE = "undo.dat";
    static final int RECORD_BYTES = 24;
    static final int VERSION = 0;
    static final int OLD_ROW = 8;
    static final int NEW_ROW = 16;
    public static final long ABSENT = -1;
    public static final long BULK = -2;
    static final int CHUNK_SHIFT = 22;
    static final long RECORDS_PER_CHUNK = 1L << CHUNK_SHIFT;
    static final long MIN_RECORDS = 4096;

    private UndoLogDescriptor() {
    }

    /**
     * Checks the undo counters state.dat keeps ({@code count} records live of {@code capacity}) against each other and
     * against {@code undoFile}, of {@code fileSize} bytes, which must hold {@code capacity} records.
     *
     * @throws StoreCorruptedException naming the file and what is wrong otherwise
     */
    public static void check(Path undoFile, long fileSize, long count, long capacity) {
        if (capacity < 0 || count < 0 || count > capacity) {
            throw new StoreCorruptedException(undoFile,
                    "inconsistent undo counters (count " + count + ", capacity " + capacity + ")");
        }
        if (fileSize < capacity * RECORD_BYTES) {
            throw new StoreCorruptedException(undoFile,
                    "truncated: " + fileSize + " bytes, expected at least " + capacity * RECORD_BYTES);
        }
    }
}
