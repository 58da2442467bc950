package dev.larder.snapshot;

import java.math.BigDecimal;

/**
 * A view of one row, by column index in {@link #schema()} order; valid only inside the callback that
 * received it, and only on that thread, because the reader moves the same view over every row of a batch.
 *
 * <p>Primitive accessors do not box or allocate, so a consumer copying numeric features sees no per-row
 * garbage. Calling an accessor that does not match the column's {@link DeltaType.Kind}, or reading a
 * primitive of a null value, is a programming error with an unspecified result; check {@link #isNull}
 * first on nullable columns.
 */
public interface DeltaRow {

    DeltaSchema schema();

    boolean isNull(int column);

    boolean getBoolean(int column);

    byte getByte(int column);

    short getShort(int column);

    int getInt(int column);

    long getLong(int column);

    float getFloat(int column);

    double getDouble(int column);

    BigDecimal getDecimal(int column);

    String getString(int column);

    byte[] getBinary(int column);

    /** A {@code date} column as days since 1970-01-01. */
    int getDate(int column);

    /**
     * A {@code timestamp} column as microseconds since the epoch (UTC instant), or a {@code timestamp_ntz}
     * column as microseconds since 1970-01-01T00:00 of a zone-less local time.
     */
    long getTimestampMicros(int column);

    /** A struct, array or map column, materialised so it outlives the callback. */
    NestedValue getNested(int column);
}
