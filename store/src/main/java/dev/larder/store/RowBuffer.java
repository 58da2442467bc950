package dev.larder.store;

import dev.larder.store.engine.KeyCodec;
import dev.larder.store.engine.RowLayoutDescriptor;
import dev.larder.store.engine.Utf8;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.stream.IntStream;

/**
 * A writer's reusable staging row: set column values, then hand it to {@link MappedTableWriter#upsert}. Not
 * thread-safe; one per producing thread. Setters allocate nothing (strings are UTF-8 encoded in place).
 *
 * <p>{@link #clear()} marks every column null; a row must set its key columns before it is written. A STRING, BINARY or
 * OPAQUE value longer than its column's inline capacity is staged in a per-column side buffer (grown on demand, then
 * reused) and written to the table's heap by the writer; key values must fit inline.
 */
public final class RowBuffer extends RowImage {
    /** Largest value accepted for one column; bigger values are almost certainly bad input. */
    public static final int MAX_VALUE_BYTES = 16 << 20;

    private final byte[][] overflow;
    private final boolean[] keyColumn;
    /**
     * The STRING, BINARY and OPAQUE columns, the only ones that can overflow: the ingest hand-off (export, import)
     * scans just these, not every column, on each row it carries.
     */
    private final int[] variableWidth;

    public RowBuffer(FeatureSchema schema) {
        this(new RowLayoutDescriptor(schema));
    }

    RowBuffer(RowLayoutDescriptor layout) {
        super(layout);
        this.overflow = new byte[schema.columnCount()][];
        this.keyColumn = new boolean[schema.columnCount()];
        for (int k = 0; k < schema.keyColumnCount(); k++) {
            keyColumn[schema.keyColumn(k)] = true;
        }
        this.variableWidth = IntStream.range(0, schema.columnCount())
                .filter(c -> schema.column(c).type().isVariableWidth()).toArray();
        clear();
    }

    /**
     * The canonical encoding of this row's key (what lookups compare), as a new array; for grouping changes by key.
     *
     * @throws IllegalArgumentException naming the column when a key column is null
     */
    public byte[] encodeKey() {
        byte[] k = new byte[layout.keyCapacity()];
        return java.util.Arrays.copyOf(k, KeyCodec.encodeFromRow(layout, bytes, k));
    }

    /** Bytes the longest key of this schema takes in {@link #encodeKey(byte[])}'s encoding. */
    public int keyCapacity() {
        return layout.keyCapacity();
    }

    /**
     * {@link #encodeKey()} into {@code dst} (at least {@link #keyCapacity()} long) without allocating; returns the
     * encoding's length.
     *
     * @throws IllegalArgumentException naming the column when a key column is null
     */
    public int encodeKey(byte[] dst) {
        return KeyCodec.encodeFromRow(layout, bytes, dst);
    }

    /**
     * Sets the key columns from an encoding made by {@link #encodeKey} for a row of this schema, starting at
     * {@code offset} in {@code src}; the other columns stay as they are (a cleared row then holds just the key, as
     * deletes need). Returns this row.
     */
    public RowBuffer setKey(byte[] src, int offset) {
        KeyCodec.decodeIntoRow(src, offset, this);
        return this;
    }

    /** Marks every column null and zeroes the data, ready for the next row. */
    public RowBuffer clear() {
        int nulls = layout.nullsOffset();
        int n = schema.columnCount();
        java.util.Arrays.fill(bytes, RowLayoutDescriptor.KEY, bytes.length, (byte) 0);
        java.util.Arrays.fill(bytes, nulls, nulls + (n >>> 3), (byte) -1);
        if ((n & 7) != 0) {
            bytes[nulls + (n >>> 3)] = (byte) ((1 << (n & 7)) - 1);
        }
        return this;
    }

    /**
     * Checks that every key column is set, without encoding the key.
     *
     * @throws IllegalArgumentException naming the first key column that is null
     */
    public RowBuffer checkKey() {
        for (int k = 0; k < schema.keyColumnCount(); k++) {
            int c = schema.keyColumn(k);
            if (isNull(c)) {
                throw new IllegalArgumentException("null value in key column '" + schema.column(c).name() + "'");
            }
        }
        return this;
    }

    /** Copies all column values of another image with the same schema. */
    public RowBuffer copyFrom(RowImage other) {
        if (!other.schema.equals(schema)) {
            throw new IllegalArgumentException("schemas differ");
        }
        System.arraycopy(other.bytes, RowLayoutDescriptor.KEY, bytes, RowLayoutDescriptor.KEY,
                bytes.length - RowLayoutDescriptor.KEY);
        for (int c = 0; c < schema.columnCount(); c++) {
            Column col = schema.column(c);
            if (col.type().isVariableWidth() && !other.isNull(c) && other.getLength(c) > col.capacity()) {
                int len = other.getLength(c);
                other.getBytes(c, overflowFor(c, len), 0);
            }
        }
        return this;
    }

    /**
     * Bytes {@link #exportTo} writes for the current values: the null bitmap and column slots (no header or key copy),
     * followed by the bytes of values too long to live inline.
     */
    public int exportSize() {
        int n = bytes.length - layout.nullsOffset();
        for (int c : variableWidth) {
            if (overflow[c] != null && !isNull(c) && getLength(c) > schema.column(c).capacity()) {
                n += getLength(c);
            }
        }
        return n;
    }

    /**
     * Copies the column values into {@code dst} (at least {@link #exportSize()} long) so another thread can rebuild the
     * row with {@link #importFrom} (a hand-off through a queue of reused byte buffers); returns the bytes written.
     */
    public int exportTo(byte[] dst) {
        return exportTo(dst, 0);
    }

    /** {@link #exportTo(byte[])} into {@code dst} from {@code offset}. */
    public int exportTo(byte[] dst, int offset) {
        int n = bytes.length - layout.nullsOffset();
        System.arraycopy(bytes, layout.nullsOffset(), dst, offset, n);
        for (int c : variableWidth) {
            if (overflow[c] != null && !isNull(c) && getLength(c) > schema.column(c).capacity()) {
                System.arraycopy(overflow[c], 0, dst, offset + n, getLength(c));
                n += getLength(c);
            }
        }
        return n;
    }

    /** Replaces all column values with an image written by {@link #exportTo} from a row of the same schema. */
    public RowBuffer importFrom(byte[] src) {
        return importFrom(src, 0);
    }

    /** {@link #importFrom(byte[])} of an image starting at {@code offset} in {@code src}. */
    public RowBuffer importFrom(byte[] src, int offset) {
        int n = bytes.length - layout.nullsOffset();
        System.arraycopy(src, offset, bytes, layout.nullsOffset(), n);
        n += offset;
        for (int c : variableWidth) {
            Column col = schema.column(c);
            if (!isNull(c) && getLength(c) > col.capacity()) {
                int len = getLength(c);
                System.arraycopy(src, n, overflowFor(c, len), 0, len);
                n += len;
            }
        }
        return this;
    }

    public RowBuffer setNull(int column) {
        if (!schema.column(column).nullable()) {
            throw new IllegalArgumentException("column " + schema.column(column).name() + " is not nullable");
        }
        bytes[layout.nullsOffset() + (column >>> 3)] |= (byte) (1 << (column & 7));
        return this;
    }

    private int present(int column) {
        bytes[layout.nullsOffset() + (column >>> 3)] &= (byte) ~(1 << (column & 7));
        return layout.columnOffset(column);
    }

    public RowBuffer setBoolean(int column, boolean value) {
        offset(column, ColumnType.BOOLEAN);
        bytes[present(column)] = (byte) (value ? 1 : 0);
        return this;
    }

    /** Any integral column (int8..int64, date as days, timestamps as micros); range-checked for the narrower types. */
    public RowBuffer setLong(int column, long value) {
        Column c = schema.column(column);
        switch (c.type()) {
            case INT8 -> {
                checkRange(c, value, Byte.MIN_VALUE, Byte.MAX_VALUE);
                bytes[present(column)] = (byte) value;
            }
            case INT16 -> {
                checkRange(c, value, Short.MIN_VALUE, Short.MAX_VALUE);
                SHORTS.set(bytes, present(column), (short) value);
            }
            case INT32, DATE -> {
                checkRange(c, value, Integer.MIN_VALUE, Integer.MAX_VALUE);
                INTS.set(bytes, present(column), (int) value);
            }
            case INT64, TIMESTAMP, TIMESTAMP_NTZ -> LONGS.set(bytes, present(column), value);
            default -> throw typeMismatch(column, "an integral type");
        }
        return this;
    }

    private static void checkRange(Column c, long v, long min, long max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException("value " + v + " out of range for column " + c.name() + " ("
                    + c.typeString() + ")");
        }
    }

    public RowBuffer setFloat(int column, float value) {
        offset(column, ColumnType.FLOAT32);
        FLOATS.set(bytes, present(column), value);
        return this;
    }

    public RowBuffer setDouble(int column, double value) {
        offset(column, ColumnType.FLOAT64);
        DOUBLES.set(bytes, present(column), value);
        return this;
    }

    /** Sets a DECIMAL column from its unscaled value (the column's scale applies). */
    public RowBuffer setDecimalUnscaled(int column, long unscaled) {
        offset(column, ColumnType.DECIMAL);
        int off = present(column);
        LONGS.set(bytes, off, unscaled);
        LONGS.set(bytes, off + 8, unscaled < 0 ? -1L : 0L);
        return this;
    }

    public RowBuffer setDecimal(int column, BigDecimal value) {
        Column c = schema.column(column);
        offset(column, ColumnType.DECIMAL);
        BigInteger unscaled;
        try {
            unscaled = value.setScale(c.scale()).unscaledValue();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("value " + value + " does not fit column " + c.name() + " ("
                    + c.typeString() + ")", e);
        }
        if (unscaled.bitLength() > 127 || unscaled.abs().toString().length() > c.precision()) {
            throw new IllegalArgumentException("value " + value + " does not fit column " + c.name() + " ("
                    + c.typeString() + ")");
        }
        int off = present(column);
        LONGS.set(bytes, off, unscaled.longValue());
        LONGS.set(bytes, off + 8, unscaled.shiftRight(64).longValue());
        return this;
    }

    /**
     * UTF-8 encodes {@code value} into a STRING column without allocating.
     *
     * @throws IllegalArgumentException naming the column when the encoded value exceeds its capacity
     */
    public RowBuffer setString(int column, CharSequence value) {
        int off = variableOffset(column);
        int cap = schema.column(column).capacity();
        int len = Utf8.encode(value, bytes, off + RowLayoutDescriptor.LENGTH_PREFIX, cap);
        if (len < 0) {
            len = Utf8.encodedLength(value);
            checkOutOfLine(column, len);
            Utf8.encode(value, overflowFor(column, len), 0, len);
        }
        INTS.set(bytes, present(column), len);
        return this;
    }

    /** Sets a STRING/BINARY/OPAQUE column from raw bytes (for strings: UTF-8). */
    public RowBuffer setBytes(int column, byte[] src, int srcOffset, int length) {
        int off = variableOffset(column);
        if (length <= schema.column(column).capacity()) {
            System.arraycopy(src, srcOffset, bytes, off + RowLayoutDescriptor.LENGTH_PREFIX, length);
        } else {
            checkOutOfLine(column, length);
            System.arraycopy(src, srcOffset, overflowFor(column, length), 0, length);
        }
        INTS.set(bytes, present(column), length);
        return this;
    }

    private void checkOutOfLine(int column, int length) {
        if (keyColumn[column] || length > MAX_VALUE_BYTES) {
            throw tooLong(column, length);
        }
    }

    private byte[] overflowFor(int column, int length) {
        byte[] b = overflow[column];
        if (b == null || b.length < length) {
            b = new byte[Math.max(length, b == null ? 0 : b.length * 2)];
            overflow[column] = b;
        }
        return b;
    }

    /** The staged bytes of an out-of-line value (valid up to {@link #getLength}). */
    byte[] overflow(int column) {
        return overflow[column];
    }

    @Override
    void readOutOfLine(int column, int slotOffset, int length, byte[] dst, int dstOffset) {
        System.arraycopy(overflow[column], 0, dst, dstOffset, length);
    }

    public RowBuffer setBytes(int column, byte[] src) {
        return setBytes(column, src, 0, src.length);
    }

    public RowBuffer setFloatArray(int column, float[] src, int srcOffset) {
        int off = offset(column, ColumnType.FLOAT32_ARRAY);
        int dim = schema.column(column).dimension();
        if (src.length - srcOffset < dim) {
            throw new IllegalArgumentException("column " + schema.column(column).name() + " needs " + dim + " floats");
        }
        present(column);
        for (int i = 0; i < dim; i++) {
            FLOATS.set(bytes, off + 4 * i, src[srcOffset + i]);
        }
        return this;
    }

    private IllegalArgumentException tooLong(int column, int length) {
        Column c = schema.column(column);
        String limit = keyColumn[column] ? "the capacity of key column " + c.name() + " (" + c.typeString() + ")"
                : "the " + MAX_VALUE_BYTES + "-byte limit of column " + c.name();
        return new IllegalArgumentException("value of " + length + " bytes exceeds " + limit);
    }
}
