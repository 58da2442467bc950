package dev.larder.snapshot.parquet;

import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.types.DataType;

/**
 * A Kernel {@link ColumnVector} over one batch of a decoded primitive column: integers (and booleans as 0/1) in
 * {@code longs}, floating point in {@code doubles}; refilled in place batch after batch by one thread.
 */
final class DecodedVector implements ColumnVector {
    private final DataType type;
    final long[] longs;
    final double[] doubles;
    final boolean[] nulls;
    boolean anyNull;
    int size;

    DecodedVector(DataType type, boolean floating, int capacity) {
        this.type = type;
        this.longs = floating ? null : new long[capacity];
        this.doubles = floating ? new double[capacity] : null;
        this.nulls = new boolean[capacity];
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
}
