package dev.larder.store;

import dev.larder.store.engine.RowLayoutDescriptor;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A row held in a private heap buffer with the off-heap layout of {@link RowLayoutDescriptor}; typed accessors by
 * column index. Not thread-safe: each instance belongs to one thread (a reader's copy or a writer's staging row).
 *
 * <p>Accessors allocate nothing except {@link #getString}, {@link #getDecimal} and {@link #getBytes(int)}, which return
 * new objects by nature; their allocation-free twins write into caller buffers.
 */
public class RowImage {
    static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    static final VarHandle SHORTS = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    static final VarHandle FLOATS = MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);
    static final VarHandle DOUBLES = MethodHandles.byteArrayViewVarHandle(double[].class, ByteOrder.LITTLE_ENDIAN);

    final RowLayoutDescriptor layout;
    final FeatureSchema schema;
    final byte[] bytes;

    RowImage(RowLayoutDescriptor layout) {
        this.layout = layout;
        this.schema = layout.schema();
        this.bytes = new byte[layout.rowSize()];
    }

    public FeatureSchema schema() {
        return schema;
    }

    /** Commit version that wrote this row. */
    public long version() {
        return (long) LONGS.get(bytes, RowLayoutDescriptor.VERSION);
    }

    /** Commit timestamp (epoch millis) of the version that wrote this row. */
    public long commitTimestampMillis() {
        return (long) LONGS.get(bytes, RowLayoutDescriptor.COMMIT_TS);
    }

    static boolean isNull(RowLayoutDescriptor layout, byte[] row, int column) {
        return (row[layout.nullsOffset() + (column >>> 3)] & (1 << (column & 7))) != 0;
    }

    public boolean isNull(int column) {
        return isNull(layout, bytes, column);
    }

    public boolean getBoolean(int column) {
        return bytes[offset(column, ColumnType.BOOLEAN)] != 0;
    }

    /** Any integral column (int8..int64, date as days, timestamps as micros), widened to long. */
    public long getLong(int column) {
        Column c = schema.column(column);
        if (!c.type().isIntegral()) {
            throw typeMismatch(column, "an integral type");
        }
        return RowLayoutDescriptor.readIntegral(c.type(), bytes, layout.columnOffset(column));
    }

    /** Integral columns of at most 32 bits (int8, int16, int32, date). */
    public int getInt(int column) {
        return Math.toIntExact(getLong(column));
    }

    public float getFloat(int column) {
        return (float) FLOATS.get(bytes, offset(column, ColumnType.FLOAT32));
    }

    /**
     * Any numeric column as a double: floats, integers, decimals (unscaled / 10^scale) and booleans (1 or 0); the
     * accessor feature vectors use. Allocation-free except for decimals wider than 18 digits.
     */
    public double getDouble(int column) {
        Column c = schema.column(column);
        int off = layout.columnOffset(column);
        return switch (c.type()) {
            case FLOAT64 -> (double) DOUBLES.get(bytes, off);
            case FLOAT32 -> (float) FLOATS.get(bytes, off);
            case BOOLEAN -> bytes[off] != 0 ? 1.0 : 0.0;
            case DECIMAL -> c.precision() <= 18
                    ? (long) LONGS.get(bytes, off) / POW10[c.scale()]
                    : getDecimal(column).doubleValue();
            case INT8, INT16, INT32, INT64, DATE, TIMESTAMP, TIMESTAMP_NTZ ->
                    RowLayoutDescriptor.readIntegral(c.type(), bytes, off);
            default -> throw typeMismatch(column, "a numeric type");
        };
    }

    private static final double[] POW10 = new double[39];

    static {
        for (int i = 0; i < POW10.length; i++) {
            POW10[i] = Math.pow(10, i);
        }
    }

    /** Unscaled value of a DECIMAL column of precision at most 18. */
    public long getDecimalUnscaled(int column) {
        Column c = schema.column(column);
        if (c.type() != ColumnType.DECIMAL || c.precision() > 18) {
            throw typeMismatch(column, "decimal with precision <= 18");
        }
        return (long) LONGS.get(bytes, layout.columnOffset(column));
    }

    public BigDecimal getDecimal(int column) {
        Column c = schema.column(column);
        int off = offset(column, ColumnType.DECIMAL);
        long lo = (long) LONGS.get(bytes, off);
        long hi = (long) LONGS.get(bytes, off + 8);
        BigInteger unscaled = BigInteger.valueOf(hi).shiftLeft(64).add(new BigInteger(Long.toUnsignedString(lo)));
        return new BigDecimal(unscaled, c.scale());
    }

    /** Length in bytes of a STRING/BINARY/OPAQUE value. */
    public int getLength(int column) {
        return (int) INTS.get(bytes, variableOffset(column));
    }

    /**
     * Copies a STRING/BINARY/OPAQUE value's bytes into {@code dst} (at least {@link #getLength} long); returns the
     * length.
     */
    public int getBytes(int column, byte[] dst, int dstOffset) {
        int off = variableOffset(column);
        int len = (int) INTS.get(bytes, off);
        if (len <= schema.column(column).capacity()) {
            System.arraycopy(bytes, off + RowLayoutDescriptor.LENGTH_PREFIX, dst, dstOffset, len);
        } else {
            readOutOfLine(column, off, len, dst, dstOffset);
        }
        return len;
    }

    public byte[] getBytes(int column) {
        byte[] out = new byte[getLength(column)];
        getBytes(column, out, 0);
        return out;
    }

    public String getString(int column) {
        int off = variableOffset(column);
        int len = (int) INTS.get(bytes, off);
        if (len <= schema.column(column).capacity()) {
            return new String(bytes, off + RowLayoutDescriptor.LENGTH_PREFIX, len, StandardCharsets.UTF_8);
        }
        return new String(getBytes(column), StandardCharsets.UTF_8);
    }

    /** Reads a value longer than its column's inline capacity; {@code slotOffset} is the column's slot in the image. */
    void readOutOfLine(int column, int slotOffset, int length, byte[] dst, int dstOffset) {
        throw new IllegalStateException("column " + schema.column(column).name()
                + " holds an out-of-line value this image cannot reach");
    }

    /** Copies a FLOAT32_ARRAY value into {@code dst}; returns the dimension. */
    public int getFloatArray(int column, float[] dst, int dstOffset) {
        int off = offset(column, ColumnType.FLOAT32_ARRAY);
        int dim = schema.column(column).dimension();
        for (int i = 0; i < dim; i++) {
            dst[dstOffset + i] = (float) FLOATS.get(bytes, off + 4 * i);
        }
        return dim;
    }

    /** The key columns as {@code (name=value, ...)}, for messages that name a row. */
    public String keyText() {
        StringBuilder sb = new StringBuilder("(");
        for (int k = 0; k < schema.keyColumnCount(); k++) {
            int c = schema.keyColumn(k);
            sb.append(k == 0 ? "" : ", ").append(schema.column(c).name()).append('=')
                    .append(isNull(c) ? "null" : getObject(c));
        }
        return sb.append(')').toString();
    }

    /**
     * A damaged row for messages: its key columns ({@code name=value, ...}, a value that cannot be decoded shown as
     * {@code <unreadable>}), row number and version.
     */
    String describeDamaged(long row) {
        StringBuilder sb = new StringBuilder();
        int[] keys = schema.keyColumns();
        for (int i = 0; i < keys.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(schema.column(keys[i]).name()).append('=');
            try {
                sb.append(getObject(keys[i]));
            } catch (RuntimeException e) {
                sb.append("<unreadable>");
            }
        }
        return sb.append(" (row ").append(row).append(", version ").append(version()).append(')').toString();
    }

    /**
     * Value of a column as a Java object (null for null): Long, Double, Float, Boolean, BigDecimal, String, byte[],
     * float[].
     */
    public Object getObject(int column) {
        if (isNull(column)) {
            return null;
        }
        Column c = schema.column(column);
        return switch (c.type()) {
            case BOOLEAN -> getBoolean(column);
            case FLOAT32 -> getFloat(column);
            case FLOAT64 -> getDouble(column);
            case DECIMAL -> getDecimal(column);
            case STRING -> getString(column);
            case BINARY, OPAQUE -> getBytes(column);
            case FLOAT32_ARRAY -> {
                float[] v = new float[c.dimension()];
                getFloatArray(column, v, 0);
                yield v;
            }
            default -> getLong(column);
        };
    }

    final int offset(int column, ColumnType expected) {
        if (schema.type(column) != expected) {
            throw typeMismatch(column, expected.name());
        }
        return layout.columnOffset(column);
    }

    final int variableOffset(int column) {
        if (!schema.type(column).isVariableWidth()) {
            throw typeMismatch(column, "string, binary or opaque");
        }
        return layout.columnOffset(column);
    }

    final IllegalArgumentException typeMismatch(int column, String expected) {
        Column c = schema.column(column);
        return new IllegalArgumentException("column " + c.name() + " is " + c.typeString() + ", not " + expected);
    }
}
