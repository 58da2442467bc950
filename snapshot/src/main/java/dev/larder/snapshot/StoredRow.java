package dev.larder.snapshot;

import dev.larder.store.RowImage;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;

/**
 * A stored feature row seen as a {@link DeltaRow}, so {@link JsonRowFormat} renders store and Delta rows with one
 * encoding (dump and verify compare those renderings). Wraps whatever row the image currently holds; same thread only.
 */
final class StoredRow implements DeltaRow {
    private final DeltaSchema schema;
    private RowImage row;

    StoredRow(DeltaSchema schema) {
        this.schema = schema;
    }

    StoredRow wrap(RowImage image) {
        this.row = image;
        return this;
    }

    @Override
    public DeltaSchema schema() {
        return schema;
    }

    @Override
    public boolean isNull(int column) {
        return row.isNull(column);
    }

    @Override
    public boolean getBoolean(int column) {
        return row.getBoolean(column);
    }

    @Override
    public byte getByte(int column) {
        return (byte) row.getLong(column);
    }

    @Override
    public short getShort(int column) {
        return (short) row.getLong(column);
    }

    @Override
    public int getInt(int column) {
        return (int) row.getLong(column);
    }

    @Override
    public long getLong(int column) {
        return row.getLong(column);
    }

    @Override
    public float getFloat(int column) {
        return row.getFloat(column);
    }

    @Override
    public double getDouble(int column) {
        return row.getDouble(column);
    }

    @Override
    public BigDecimal getDecimal(int column) {
        return row.getDecimal(column);
    }

    @Override
    public String getString(int column) {
        return row.getString(column);
    }

    @Override
    public byte[] getBinary(int column) {
        return row.getBytes(column);
    }

    @Override
    public int getDate(int column) {
        return (int) row.getLong(column);
    }

    @Override
    public long getTimestampMicros(int column) {
        return row.getLong(column);
    }

    @Override
    public NestedValue getNested(int column) {
        return new NestedValue(schema.column(column).type(), new String(row.getBytes(column), StandardCharsets.UTF_8));
    }
}
