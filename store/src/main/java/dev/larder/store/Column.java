package dev.larder.store;

import java.util.Objects;

/**
 * One column of a {@link FeatureSchema}.
 *
 * @param name      logical name, unique in the schema
 * @param type      logical type
 * @param nullable  whether the column may hold null
 * @param capacity  for STRING/BINARY/OPAQUE: bytes kept inline in the row (at least 8); longer values go to the table's
 *                  append-only heap by their actual length, except in key columns, where it is the maximum length;
 *                  otherwise 0
 * @param dimension for FLOAT32_ARRAY: the vector length; otherwise 0
 * @param precision for DECIMAL: total digits (1..38); otherwise 0
 * @param scale     for DECIMAL: digits after the point; otherwise 0
 */
public record Column(String name, ColumnType type, boolean nullable, int capacity, int dimension, int precision,
        int scale) {

    /**
     * Inline capacity of a non-key string or binary when the caller does not choose one: a 16-byte slot (int32 length
     * and 12 bytes) holds a short value whole, as Umbra's short strings do, and a longer one as its length and heap
     * offset, its bytes in the heap by their actual length; a wider inline capacity would cost every row its width.
     */
    public static final int DEFAULT_VARIABLE_CAPACITY = 12;
    /**
     * Capacity of a string or binary key column when the caller does not choose one: a key is compared in the row, so
     * it is kept inline whole and this is its maximum length.
     */
    public static final int DEFAULT_KEY_CAPACITY = 64;
    /** The inline area must hold the 8-byte heap offset of a value that does not fit it. */
    public static final int MIN_VARIABLE_CAPACITY = 8;
    public static final int MAX_VARIABLE_CAPACITY = 1 << 20;

    public Column {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("column name must not be empty");
        }
        if (type.isVariableWidth() && (capacity < MIN_VARIABLE_CAPACITY || capacity > MAX_VARIABLE_CAPACITY)) {
            throw new IllegalArgumentException("column " + name + ": capacity must be in " + MIN_VARIABLE_CAPACITY
                    + ".." + MAX_VARIABLE_CAPACITY + " bytes, got " + capacity);
        }
        if (type == ColumnType.FLOAT32_ARRAY && (dimension <= 0 || dimension > 1 << 16)) {
            throw new IllegalArgumentException("column " + name + ": dimension must be in 1..65536, got " + dimension);
        }
        if (type == ColumnType.DECIMAL && (precision < 1 || precision > 38 || scale < 0 || scale > precision)) {
            throw new IllegalArgumentException("column " + name + ": bad decimal(" + precision + "," + scale + ")");
        }
    }

    /**
     * A column of a fixed-width type, or a string/binary/opaque one with {@link #DEFAULT_VARIABLE_CAPACITY} inline
     * bytes (as a key column, that is its maximum length: declare a key with {@link FeatureSchema.Builder#keyColumn}
     * or {@link #variable} for longer ones).
     */
    public static Column of(String name, ColumnType type, boolean nullable) {
        int capacity = type.isVariableWidth() ? DEFAULT_VARIABLE_CAPACITY : 0;
        return new Column(name, type, nullable, capacity, 0, 0, 0);
    }

    public static Column variable(String name, ColumnType type, boolean nullable, int capacity) {
        return new Column(name, type, nullable, capacity, 0, 0, 0);
    }

    public static Column decimal(String name, int precision, int scale, boolean nullable) {
        return new Column(name, ColumnType.DECIMAL, nullable, 0, 0, precision, scale);
    }

    public static Column floatArray(String name, int dimension, boolean nullable) {
        return new Column(name, ColumnType.FLOAT32_ARRAY, nullable, 0, dimension, 0, 0);
    }

    /** Bytes this column occupies in a row. */
    public int width() {
        return switch (type) {
            case STRING, BINARY, OPAQUE -> 4 + capacity;
            case FLOAT32_ARRAY -> 4 * dimension;
            default -> type.fixedWidth();
        };
    }

    /** Type as written in metadata and shown to users, e.g. {@code decimal(10,2)} or {@code string(64)}. */
    public String typeString() {
        return switch (type) {
            case DECIMAL -> "decimal(" + precision + "," + scale + ")";
            case STRING, BINARY, OPAQUE -> type.name().toLowerCase() + "(" + capacity + ")";
            case FLOAT32_ARRAY -> "float32_array(" + dimension + ")";
            default -> type.name().toLowerCase();
        };
    }
}
