package dev.larder.store;

/**
 * Logical column types a feature table can hold, with their fixed on-row width.
 *
 * <p>Variable-width types (STRING, BINARY, OPAQUE) occupy a 4-byte length plus the column's declared capacity inline in
 * the row; FLOAT32_ARRAY occupies {@code 4 * dimension}. Nested Delta types (struct, array, map) are stored as OPAQUE
 * bytes (their JSON rendering).
 */
public enum ColumnType {
    BOOLEAN(1, true),
    INT8(1, true),
    INT16(2, true),
    INT32(4, true),
    INT64(8, true),
    FLOAT32(4, false),
    FLOAT64(8, false),
    /** Unscaled value as a 128-bit two's complement integer (low word first); precision up to 38. */
    DECIMAL(16, false),
    /** Days since 1970-01-01. */
    DATE(4, true),
    /** Microseconds since the epoch, UTC. */
    TIMESTAMP(8, true),
    /** Microseconds since 1970-01-01T00:00 in no particular time zone. */
    TIMESTAMP_NTZ(8, true),
    STRING(-1, true),
    BINARY(-1, true),
    /** Fixed-length float32 vector (embeddings). */
    FLOAT32_ARRAY(-1, false),
    /** Nested values kept as opaque bytes. */
    OPAQUE(-1, false);

    private final int fixedWidth;
    private final boolean keyable;

    ColumnType(int fixedWidth, boolean keyable) {
        this.fixedWidth = fixedWidth;
        this.keyable = keyable;
    }

    /** Width in bytes for fixed-width types, -1 when it depends on the column's capacity or dimension. */
    public int fixedWidth() {
        return fixedWidth;
    }

    /** Whether the type may be part of an entity key (floating point and nested values may not). */
    public boolean keyable() {
        return keyable;
    }

    /** True for the types whose values are read with {@code getLong}. */
    public boolean isIntegral() {
        return switch (this) {
            case INT8, INT16, INT32, INT64, DATE, TIMESTAMP, TIMESTAMP_NTZ -> true;
            default -> false;
        };
    }

    public boolean isVariableWidth() {
        return this == STRING || this == BINARY || this == OPAQUE;
    }
}
