package dev.larder;

/**
 * The type of a feature table's column. STRING, BINARY and OPAQUE values are stored inline up to the column's capacity
 * and beyond it out of line; BOOLEAN, the integral types, DATE, the timestamps, STRING and BINARY can be keys.
 */
public enum ColumnType {
    /** True or false. */
    BOOLEAN,
    /** 8-bit signed integer. */
    INT8,
    /** 16-bit signed integer. */
    INT16,
    /** 32-bit signed integer. */
    INT32,
    /** 64-bit signed integer. */
    INT64,
    /** 32-bit floating point. */
    FLOAT32,
    /** 64-bit floating point. */
    FLOAT64,
    /** Decimal of a declared precision (up to 38) and scale ({@link Schema.Builder#decimalColumn}). */
    DECIMAL,
    /** Days since 1970-01-01. */
    DATE,
    /** Microseconds since the epoch, UTC. */
    TIMESTAMP,
    /** Microseconds since 1970-01-01T00:00 in no particular time zone. */
    TIMESTAMP_NTZ,
    /** UTF-8 text. */
    STRING,
    /** Bytes. */
    BINARY,
    /** Fixed-length float32 vector, an embedding ({@link Schema.Builder#floatArrayColumn}). */
    FLOAT32_ARRAY,
    /** Nested values (struct, array, map) kept as opaque bytes, their JSON rendering. */
    OPAQUE;

    /**
     * The store's types by ordinal, and the store's type of each of these by ordinal; filled by name, so a type either
     * side lacks fails the class's initialisation (and {@code FacadeTypesTest}).
     */
    private static final ColumnType[] BY_STORE_ORDINAL =
            EnumsByName.byOrdinal(dev.larder.store.ColumnType.values(), ColumnType.class);
    private static final dev.larder.store.ColumnType[] STORE =
            EnumsByName.byOrdinal(values(), dev.larder.store.ColumnType.class);

    static ColumnType of(dev.larder.store.ColumnType t) {
        return BY_STORE_ORDINAL[t.ordinal()];
    }

    dev.larder.store.ColumnType store() {
        return STORE[ordinal()];
    }
}
