package dev.larder.snapshot;

import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.types.DataType;
import java.math.BigDecimal;

/** One partition value presented as a column of any length; immutable. */
final class ConstantVector implements ColumnVector {
    private final DataType type;
    private final Object value;

    ConstantVector(DataType type, Object value) {
        this.type = type;
        this.value = value;
    }

    @Override
    public DataType getDataType() {
        return type;
    }

    @Override
    public int getSize() {
        return Integer.MAX_VALUE;
    }

    @Override
    public void close() {
    }

    @Override
    public boolean isNullAt(int rowId) {
        return value == null;
    }

    @Override
    public boolean getBoolean(int rowId) {
        return (Boolean) value;
    }

    @Override
    public byte getByte(int rowId) {
        return (Byte) value;
    }

    @Override
    public short getShort(int rowId) {
        return (Short) value;
    }

    @Override
    public int getInt(int rowId) {
        return (Integer) value;
    }

    @Override
    public long getLong(int rowId) {
        return (Long) value;
    }

    @Override
    public float getFloat(int rowId) {
        return (Float) value;
    }

    @Override
    public double getDouble(int rowId) {
        return (Double) value;
    }

    @Override
    public byte[] getBinary(int rowId) {
        return ((byte[]) value).clone();
    }

    @Override
    public String getString(int rowId) {
        return (String) value;
    }

    @Override
    public BigDecimal getDecimal(int rowId) {
        return (BigDecimal) value;
    }
}
