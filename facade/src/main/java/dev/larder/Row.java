package dev.larder;

import dev.larder.store.RowBuffer;
import java.math.BigDecimal;

/**
 * Confined to its {@link Pusher}'s thread: the staging row a pusher upserts or deletes. Columns are addressed by index
 * ({@link Pusher#column(String)}); a column not set is null. Setting allocates nothing (a value longer than its inline
 * capacity excepted).
 *
 * <pre>{@code
 * pusher.row().setLong(0, 42).setDouble(pusher.column("ctr"), 0.31);
 * }</pre>
 *
 * <p>Every setter throws {@link IllegalArgumentException} naming the column for a value of another type, out of the
 * column's range, or longer than its limit.
 */
public final class Row {
    final RowBuffer buffer;

    Row(RowBuffer buffer) {
        this.buffer = buffer;
    }

    /** Sets column {@code column} to null; refused for a column that is not nullable. */
    public Row setNull(int column) {
        buffer.setNull(column);
        return this;
    }

    /** Sets a boolean column. */
    public Row setBoolean(int column, boolean value) {
        buffer.setBoolean(column, value);
        return this;
    }

    /** Sets any integral column (int8..int64, date as days, timestamps as micros); range-checked for narrower types. */
    public Row setLong(int column, long value) {
        buffer.setLong(column, value);
        return this;
    }

    /** Sets a float32 column. */
    public Row setFloat(int column, float value) {
        buffer.setFloat(column, value);
        return this;
    }

    /** Sets a float64 column. */
    public Row setDouble(int column, double value) {
        buffer.setDouble(column, value);
        return this;
    }

    /** Sets a decimal column from its unscaled value (the column's scale applies). */
    public Row setDecimalUnscaled(int column, long unscaled) {
        buffer.setDecimalUnscaled(column, unscaled);
        return this;
    }

    /** Sets a decimal column (rescaled to the column's scale; one that would lose digits is refused). */
    public Row setDecimal(int column, BigDecimal value) {
        buffer.setDecimal(column, value);
        return this;
    }

    /** Sets a string column, UTF-8 encoded. */
    public Row setString(int column, CharSequence value) {
        buffer.setString(column, value);
        return this;
    }

    /** Sets a string, binary or opaque column from raw bytes (for strings: UTF-8). */
    public Row setBytes(int column, byte[] src, int srcOffset, int length) {
        buffer.setBytes(column, src, srcOffset, length);
        return this;
    }

    /** Sets a string, binary or opaque column from all of {@code src}. */
    public Row setBytes(int column, byte[] src) {
        buffer.setBytes(column, src);
        return this;
    }

    /** Sets a float32 array column (an embedding) from its dimension's floats of {@code src} at {@code srcOffset}. */
    public Row setFloatArray(int column, float[] src, int srcOffset) {
        buffer.setFloatArray(column, src, srcOffset);
        return this;
    }
}
