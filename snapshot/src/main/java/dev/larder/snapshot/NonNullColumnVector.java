package dev.larder.snapshot;

import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.types.DataType;

/**
 * A Kernel column of {@code size} rows of one type, none null, holding nothing to close; subclasses give the values
 * (the served-feature log's columns, the generator's). Immutable once built.
 */
public abstract class NonNullColumnVector implements ColumnVector {
    private final DataType type;
    private final int size;

    protected NonNullColumnVector(DataType type, int size) {
        this.type = type;
        this.size = size;
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
    public boolean isNullAt(int row) {
        return false;
    }

    @Override
    public void close() {
    }
}
