package dev.larder.store.engine;

import dev.larder.store.Column;
import dev.larder.store.ColumnType;
import dev.larder.store.FeatureSchema;
import dev.larder.store.StoreCorruptedException;
import dev.larder.store.TableMetadata;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Immutable, thread-safe: off-heap layout of one row slot in {@code rows.dat}, derived from a {@link FeatureSchema};
 * all integers little-endian.
 *
 * <pre>
 *  offset  size          field
 *  +-------+-------------+-----------------------------------------------------------------+
 *  |     0 | 8           | seq        seqlock word: odd while the writer is changing the row |
 *  |     8 | 8           | version    Delta commit version (or caller version) of the row    |
 *  |    16 | 8           | commitTs   commit timestamp of that version, epoch millis         |
 *  |    24 | 4           | nextFree   free rows: next row of the free list                   |
 *  |       |             | checksum   live rows: CRC32C of bytes 8..23 then 28..rowSize-1    |
 *  |       |             |            (everything but seq and this word), set by the writer  |
 *  |    28 | 2           | flags      bit 0 = live                                           |
 *  |    30 | 2           | keyLength  length of the canonical key                           |
 *  |    32 | keyCopy     | key        canonical key bytes ({@link KeyCodec}), padded to 8;   |
 *  |       |             |            0 bytes when the key is its own column (see below)     |
 *  |  NULLS| ceil(n/8)   | null bitmap, bit i set = column i is null, padded to 8           |
 *  |  DATA | ...         | column slots, widest alignment first, each naturally aligned;    |
 *  |       |             | STRING/BINARY/OPAQUE = int32 length + capacity bytes (12 by      |
 *  |       |             | default, 64 for keys), or length + int64 offset in heap.dat;     |
 *  |       |             | FLOAT32_ARRAY = dimension float32s; DECIMAL = int128 (lo, hi)    |
 *  +-------+-------------+-----------------------------------------------------------------+
 *  row size = end of DATA rounded up to 8, so every seq word is 8-byte aligned for atomic access
 * </pre>
 *
 * <p>A key of one column whose slot already holds the canonical key bytes (BOOLEAN, INT64, TIMESTAMP, TIMESTAMP_NTZ:
 * the value; STRING, BINARY: the int32 length then the bytes, always inline for a key) is not copied: the key's bytes
 * are that column's slot ({@link #keyOffset()}), which saves the copy's 8 to 68 bytes a row. Other keys (composite,
 * or narrower integers, whose canonical form is widened to int64) keep the copy at {@link #KEY}.
 *
 * Readers copy the whole row into a private buffer between two reads of {@code seq}; the copy is then read with the
 * same offsets.
 */
public final class RowLayoutDescriptor {
    public static final int SEQ = 0;
    public static final int VERSION = 8;
    public static final int COMMIT_TS = 16;
    public static final int NEXT_FREE = 24;
    /** The same word as {@link #NEXT_FREE}: a live row keeps its checksum there ({@link RowChecksum}). */
    public static final int CHECKSUM = 24;
    public static final int FLAGS = 28;
    public static final int KEY_LENGTH = 30;
    public static final int KEY = 32;
    public static final short FLAG_LIVE = 1;
    /**
     * Bytes of the int32 length that starts a STRING/BINARY/OPAQUE slot; the inline value follows it, or, for a value
     * longer than the column's capacity, its int64 offset in the heap file.
     */
    public static final int LENGTH_PREFIX = 4;
    /** The file of row slots in a table's directory. */
    public static final String FILE = "rows.dat";
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle SHORTS = MethodHandles.byteArrayViewVarHandle(short[].class,
            ByteOrder.LITTLE_ENDIAN);

    private final FeatureSchema schema;
    private final int keyCapacity;
    private final int keyOffset;
    private final int nullsOffset;
    private final int[] columnOffsets;
    private final int rowSize;

    public RowLayoutDescriptor(FeatureSchema schema) {
        this.schema = schema;
        this.keyCapacity = KeyCodec.capacity(schema);
        if (keyCapacity > Short.MAX_VALUE) {
            throw new IllegalArgumentException("key too wide: " + keyCapacity + " bytes (max " + Short.MAX_VALUE
                    + "); widest key column(s): "
                    + widestKeyColumns(schema) + "; lower their capacity (e.g. load --inline-bytes)");
        }
        boolean keyInColumn = keyIsItsColumn(schema);
        this.nullsOffset = align(KEY + (keyInColumn ? 0 : keyCapacity), 8);
        int n = schema.columnCount();
        int dataStart = align(nullsOffset + (n + 7) / 8, 8);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingInt((Integer i) -> -alignment(schema.column(i))).thenComparingInt(i -> i));
        this.columnOffsets = new int[n];
        int at = dataStart;
        for (int i : order) {
            Column c = schema.column(i);
            at = align(at, alignment(c));
            columnOffsets[i] = at;
            at += c.width();
        }
        long size = align(at, 8);
        if (size > 1 << 24) {
            throw new IllegalArgumentException("row too wide: " + size + " bytes; lower string/binary capacities");
        }
        this.rowSize = (int) size;
        this.keyOffset = keyInColumn ? columnOffsets[schema.keyColumn(0)] : KEY;
    }

    /**
     * Checks that {@code rowsFile}, of {@code fileSize} bytes, holds the {@code rowCapacity} slots of {@code rowSize}
     * bytes that state.dat counts (it may hold more: a bulk load reserves ahead).
     *
     * @throws StoreCorruptedException naming the file, its size and the size expected otherwise
     */
    public static void checkRowsFile(Path rowsFile, long fileSize, long rowCapacity, int rowSize) {
        if (fileSize < rowCapacity * rowSize) {
            throw new StoreCorruptedException(rowsFile, "truncated: " + fileSize + " bytes, expected at least "
                    + rowCapacity * rowSize);
        }
    }

    /**
     * Whether the key's canonical bytes ({@link KeyCodec}) are exactly its column's slot, so the row needs no copy.
     * Part of the file format: stores of format 1 always kept the copy ({@link TableMetadata}).
     */
    public static boolean keyIsItsColumn(FeatureSchema schema) {
        if (schema.keyColumnCount() != 1) {
            return false;
        }
        return switch (schema.type(schema.keyColumn(0))) {
            case BOOLEAN, INT64, TIMESTAMP, TIMESTAMP_NTZ, STRING, BINARY -> true;
            default -> false;
        };
    }

    private static String widestKeyColumns(FeatureSchema schema) {
        int widest = 0;
        for (int k = 0; k < schema.keyColumnCount(); k++) {
            widest = Math.max(widest, KeyCodec.slotWidth(schema.column(schema.keyColumn(k))));
        }
        List<String> names = new ArrayList<>();
        for (int k = 0; k < schema.keyColumnCount(); k++) {
            Column c = schema.column(schema.keyColumn(k));
            if (KeyCodec.slotWidth(c) == widest) {
                names.add(c.name() + " (" + c.typeString() + ")");
            }
        }
        return String.join(", ", names);
    }

    /** Alignment of the column's slot inside a row. */
    private static int alignment(Column c) {
        return switch (c.type()) {
            case INT64, FLOAT64, DECIMAL, TIMESTAMP, TIMESTAMP_NTZ -> 8;
            case INT32, FLOAT32, DATE, STRING, BINARY, OPAQUE, FLOAT32_ARRAY -> 4;
            case INT16 -> 2;
            default -> 1;
        };
    }

    /** The value of an integral (or boolean) slot at {@code off} of a row image, widened to int64. */
    public static long readIntegral(ColumnType type, byte[] row, int off) {
        return switch (type) {
            case INT8 -> row[off];
            case INT16 -> (short) SHORTS.get(row, off);
            case INT32, DATE -> (int) INTS.get(row, off);
            case BOOLEAN -> row[off];
            default -> (long) LONGS.get(row, off);
        };
    }

    private static int align(int v, int a) {
        return (v + a - 1) & -a;
    }

    public FeatureSchema schema() {
        return schema;
    }

    public int rowSize() {
        return rowSize;
    }

    public int keyCapacity() {
        return keyCapacity;
    }

    /** Offset in the row of the key's canonical bytes: the key copy at {@link #KEY}, or the key column's slot. */
    public int keyOffset() {
        return keyOffset;
    }

    public int nullsOffset() {
        return nullsOffset;
    }

    public int columnOffset(int column) {
        return columnOffsets[column];
    }

    /** Bytes of feature payload per row (column widths without header, key copy and padding), for memory reports. */
    public int payloadSize() {
        int sum = 0;
        for (Column c : schema.columns()) {
            sum += c.width();
        }
        return sum;
    }
}
