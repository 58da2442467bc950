package dev.larder.snapshot;

import dev.larder.snapshot.parquet.ByteRangeVector;
import dev.larder.store.RowBuffer;
import io.delta.kernel.data.ColumnVector;
import java.math.BigDecimal;

/** The {@link DeltaRow} view over one batch's column vectors; moved row by row, confined to one thread. */
final class VectorRow implements DeltaRow {
    private final TableLayout layout;
    private final ColumnVector[] vectors;
    private int row;

    VectorRow(TableLayout layout) {
        this.layout = layout;
        this.vectors = new ColumnVector[layout.types.length];
    }

    /** Points the view at a new batch: data columns from {@code batchVectors}, the rest from partition values. */
    void bind(ColumnVector[] partitionVectors, ColumnVector[] batchVectors) {
        for (int i = 0; i < vectors.length; i++) {
            int d = layout.dataIndex[i];
            vectors[i] = d >= 0 ? batchVectors[d] : partitionVectors[i];
        }
    }

    void moveTo(int row) {
        this.row = row;
    }

    @Override
    public DeltaSchema schema() {
        return layout.schema;
    }

    @Override
    public boolean isNull(int column) {
        return vectors[column].isNullAt(row);
    }

    @Override
    public boolean getBoolean(int column) {
        return vectors[column].getBoolean(row);
    }

    @Override
    public byte getByte(int column) {
        return vectors[column].getByte(row);
    }

    @Override
    public short getShort(int column) {
        return vectors[column].getShort(row);
    }

    @Override
    public int getInt(int column) {
        return vectors[column].getInt(row);
    }

    @Override
    public long getLong(int column) {
        return vectors[column].getLong(row);
    }

    @Override
    public float getFloat(int column) {
        return vectors[column].getFloat(row);
    }

    @Override
    public double getDouble(int column) {
        return vectors[column].getDouble(row);
    }

    @Override
    public BigDecimal getDecimal(int column) {
        return vectors[column].getDecimal(row);
    }

    @Override
    public String getString(int column) {
        return vectors[column].getString(row);
    }

    /**
     * Sets STRING column {@code target} of {@code dst} to the value of {@code column} (not null): ASCII bytes of a
     * decoded vector straight from its data, any other value through {@link #getString} (which replaces malformed
     * UTF-8, so only ASCII, which decodes and encodes to itself, may skip it).
     */
    void copyString(int column, RowBuffer dst, int target) {
        if (vectors[column] instanceof ByteRangeVector v) {
            byte[] data = v.data();
            int start = v.start(row);
            int length = v.length(row);
            if (ascii(data, start, length)) {
                dst.setBytes(target, data, start, length);
                return;
            }
        }
        dst.setString(target, getString(column));
    }

    private static boolean ascii(byte[] data, int start, int length) {
        int bits = 0;
        for (int i = start, end = start + length; i < end; i++) {
            bits |= data[i];
        }
        return bits >= 0;
    }

    @Override
    public byte[] getBinary(int column) {
        return vectors[column].getBinary(row);
    }

    @Override
    public int getDate(int column) {
        return vectors[column].getInt(row);
    }

    @Override
    public long getTimestampMicros(int column) {
        return vectors[column].getLong(row);
    }

    @Override
    public NestedValue getNested(int column) {
        if (vectors[column].isNullAt(row)) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        JsonRowFormat.appendVectorValue(sb, vectors[column], row, layout.types[column]);
        return new NestedValue(layout.schema.column(column).type(), sb.toString());
    }
}
