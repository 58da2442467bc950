package dev.larder.store.engine;

import dev.larder.store.StoreCorruptedException;
import java.nio.ByteBuffer;
import java.nio.file.Path;


/**
 * Thread-safe (constants and static checks): layout of {@code state.dat}, one 4 KiB page mapped read-write by the
 * table's single writer; little-endian.
 *
 * <pre>
 *  offset size field
 *  +-----+----+------------------------------------------------------------------+
 *  |   0 |  8 | magic            "LARDERT1"                                       |
 *  |   8 |  4 | formatVersion    {@link #FORMAT_VERSION}                          |
 *  |  12 |  4 | rowSize          bytes per row slot (must match the schema)       |
 *  |  16 |  8 | rowCapacity      row slots rows.dat is sized for                  |
 *  |  24 |  8 | highWater        row slots ever handed out (next fresh row id)    |
 *  |  32 |  8 | freeHead         first row of the free list, -1 when empty        |
 *  |  40 |  8 | liveRows         rows reachable from the index                    |
 *  |  48 |  8 | indexGeneration  N of the live index file index-N.dat             |
 *  |  56 |  8 | indexSlots       slots in that index                              |
 *  |  64 |  8 | indexUsed        live + tombstone slots                           |
 *  |  72 |  4 | openForWrite     1 while a writer has the table open; 0 after a   |
 *  |     |    |                  clean close (1 on open means recovery is due)    |
 *  |  80 |  8 | heapSize         bytes appended to heap.dat                       |
 *  |  88 |  8 | heapCapacity     bytes heap.dat is sized (and mapped) for         |
 *  |  96 |  8 | heapGarbage      heap bytes no live row references any more       |
 *  | 104 |  8 | undoCount        undo records written (release store, after the   |
 *  |     |    |                  record and before the index change it undoes)    |
 *  | 112 |  8 | undoCapacity     records undo.dat is sized (and mapped) for       |
 *  | 120 |  4 | indexCrcValid    1 after a clean close: indexCrc covers the index |
 *  | 124 |  4 | indexCrc         CRC32C of index-N.dat at that clean close        |
 *  | 128 |  8 | publishedVersion the last published (complete) version: the commit |
 *  |     |    |                  point a kill -9 cannot lose; -1 before the first  |
 *  | 136 |  8 | publishedTs      its commit timestamp, epoch millis               |
 *  +-----+----+------------------------------------------------------------------+
 * </pre>
 *
 * Only the writer thread reads or writes these fields; readers get everything they need from the published view.
 * Every change that must survive a crash is ordered so that the file is consistent after each single field store
 * (see the writer, {@code dev.larder.store.MappedTableWriter}).
 */
public final class StateDescriptor {
    /** The state file in a table's directory. */
    public static final String FILE = "state.dat";
    public static final int SIZE = 4096;
    /** "LARDERT1" read as a little-endian long. */
    public static final long MAGIC = 0x315452454452414CL;
    /** 2: undo log, index checksum at clean close, row checksums in the nextFree word of live rows. */
    public static final int FORMAT_VERSION = 2;

    public static final int MAGIC_OFFSET = 0;
    public static final int FORMAT = 8;
    public static final int ROW_SIZE = 12;
    public static final int ROW_CAPACITY = 16;
    public static final int HIGH_WATER = 24;
    public static final int FREE_HEAD = 32;
    public static final int LIVE_ROWS = 40;
    public static final int INDEX_GENERATION = 48;
    public static final int INDEX_SLOTS = 56;
    public static final int INDEX_USED = 64;
    public static final int OPEN_FOR_WRITE = 72;
    public static final int HEAP_SIZE = 80;
    public static final int HEAP_CAPACITY = 88;
    public static final int HEAP_GARBAGE = 96;
    static final int UNDO_COUNT = 104;
    static final int UNDO_CAPACITY = 112;
    public static final int INDEX_CRC_VALID = 120;
    public static final int INDEX_CRC = 124;
    public static final int PUBLISHED_VERSION = 128;
    public static final int PUBLISHED_TS = 136;

    private StateDescriptor() {
    }

    /**
     * Checks that {@code stateFile}, of {@code fileSize} bytes, is one state page.
     *
     * @throws StoreCorruptedException naming the file and its size otherwise
     */
    public static void checkSize(Path stateFile, long fileSize) {
        if (fileSize != SIZE) {
            throw new StoreCorruptedException(stateFile, "size " + fileSize + " bytes, expected " + SIZE);
        }
    }

    /**
     * Checks the fields of {@code stateFile} mapped at {@code state} against this layout: magic, format version, the
     * row size of the table's schema ({@code rowSize}), the row and index counters within their bounds
     * ({@link IndexDescriptor#MAX_ROWS}, {@link IndexDescriptor#MIN_SLOTS}..{@link IndexDescriptor#MAX_SLOTS}), and
     * the heap's append position within its capacity.
     *
     * @throws StoreCorruptedException naming the file and the first field that is wrong
     */
    public static void check(Path stateFile, ByteBuffer state, int rowSize) {
        if (state.getLong(MAGIC_OFFSET) != MAGIC) {
            throw new StoreCorruptedException(stateFile, "bad magic (not a Larder state file, or overwritten)");
        }
        int format = state.getInt(FORMAT);
        if (format != FORMAT_VERSION) {
            throw new StoreCorruptedException(stateFile, "unsupported format version " + format);
        }
        if (state.getInt(ROW_SIZE) != rowSize) {
            throw new StoreCorruptedException(stateFile, "row size " + state.getInt(ROW_SIZE)
                    + " does not match the schema's " + rowSize);
        }
        long rows = state.getLong(ROW_CAPACITY);
        long high = state.getLong(HIGH_WATER);
        long slots = state.getLong(INDEX_SLOTS);
        if (rows < 1 || rows > IndexDescriptor.MAX_ROWS || high < 0 || high > rows
                || slots < IndexDescriptor.MIN_SLOTS || slots > IndexDescriptor.MAX_SLOTS) {
            throw new StoreCorruptedException(stateFile, "inconsistent counters (rows " + rows + ", high water " + high
                    + ", slots " + slots + ")");
        }
        long heapSize = state.getLong(HEAP_SIZE);
        long heapCapacity = state.getLong(HEAP_CAPACITY);
        if (heapSize < 0 || heapSize > heapCapacity) {
            throw new StoreCorruptedException(stateFile, "inconsistent heap counters (size " + heapSize
                    + ", capacity " + heapCapacity + ")");
        }
    }
}
