package dev.larder.snapshot.parquet;

import io.delta.kernel.types.DataType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A Kernel {@link ColumnVector} over one batch of a decoded primitive column: integers (and booleans as 0/1) in
 * {@code longs}, floating point in {@code doubles}, strings and binaries as byte ranges of {@code data}; refilled in
 * place batch after batch by one thread.
 */
final class DecodedVector implements ByteRangeVector {
    enum Storage { LONGS, DOUBLES, BYTES }

    private final DataType type;
    final long[] longs;
    final double[] doubles;
    final int[] starts;
    final int[] lengths;
    final boolean[] nulls;
    /** Bytes of this batch's values (BYTES storage), {@code dataLength} of them in use. */
    byte[] data;
    int dataLength;
    boolean anyNull;
    int size;

    DecodedVector(DataType type, Storage storage, int capacity) {
        this.type = type;
        this.longs = storage == Storage.LONGS ? new long[capacity] : null;
        this.doubles = storage == Storage.DOUBLES ? new double[capacity] : null;
        this.starts = storage == Storage.BYTES ? new int[capacity] : null;
        this.lengths = storage == Storage.BYTES ? new int[capacity] : null;
        this.data = storage == Storage.BYTES ? new byte[64 * 1024] : null;
        this.nulls = new boolean[capacity];
    }

    /** Appends one value's bytes for row {@code row}. */
    void putBytes(int row, byte[] src, int offset, int length) {
        reserve(length);
        System.arraycopy(src, offset, data, dataLength, length);
        add(row, length);
    }

    /** Appends {@code length} bytes read from {@code src}'s position for row {@code row}. */
    void putBytes(int row, ByteBuffer src, int length) {
        reserve(length);
        src.get(data, dataLength, length);
        add(row, length);
    }

    private void reserve(int length) {
        if (data.length - dataLength < length) {
            data = Arrays.copyOf(data, (int) Math.min(Integer.MAX_VALUE - 16,
                    Math.max(2L * data.length, (long) dataLength + length)));
        }
    }

    private void add(int row, int length) {
        starts[row] = dataLength;
        lengths[row] = length;
        dataLength += length;
    }

    @Override
    public DataType getDataType() {
        return type;
    }

    @Override
    public int getSize() {
        return size;
    }

    @Override
    public void close() {
    }

    @Override
    public boolean isNullAt(int row) {
        return anyNull && nulls[row];
    }

    @Override
    public boolean getBoolean(int row) {
        return longs[row] != 0;
    }

    @Override
    public byte getByte(int row) {
        return (byte) longs[row];
    }

    @Override
    public short getShort(int row) {
        return (short) longs[row];
    }

    @Override
    public int getInt(int row) {
        return (int) longs[row];
    }

    @Override
    public long getLong(int row) {
        return longs[row];
    }

    @Override
    public float getFloat(int row) {
        return (float) doubles[row];
    }

    @Override
    public double getDouble(int row) {
        return doubles[row];
    }

    @Override
    public byte[] data() {
        return data;
    }

    @Override
    public int start(int row) {
        return starts[row];
    }

    @Override
    public int length(int row) {
        return lengths[row];
    }

    @Override
    public String getString(int row) {
        return isNullAt(row) ? null : new String(data, starts[row], lengths[row], StandardCharsets.UTF_8);
    }

    @Override
    public byte[] getBinary(int row) {
        return isNullAt(row) ? null : Arrays.copyOfRange(data, starts[row], starts[row] + lengths[row]);
    }
}
