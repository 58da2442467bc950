package dev.larder.snapshot;

/**
 * A Delta column type as this reader exposes it; immutable.
 *
 * @param kind the type family, which tells which {@link DeltaRow} accessor reads the column
 * @param precision decimal precision, else 0
 * @param scale decimal scale, else 0
 * @param deltaName the Delta type as spelled in the table schema, e.g. {@code decimal(10,2)} or
 *     {@code struct<aa:string,ac:struct<aca:int>>}; nested types compare by this name
 */
public record DeltaType(Kind kind, int precision, int scale, String deltaName) {

    /** Type families; each names the {@link DeltaRow} accessor for its values. */
    public enum Kind {
        /** {@link DeltaRow#getBoolean}. */ BOOLEAN,
        /** {@link DeltaRow#getByte}. */ BYTE,
        /** {@link DeltaRow#getShort}. */ SHORT,
        /** {@link DeltaRow#getInt}. */ INT,
        /** {@link DeltaRow#getLong}. */ LONG,
        /** {@link DeltaRow#getFloat}. */ FLOAT,
        /** {@link DeltaRow#getDouble}. */ DOUBLE,
        /** {@link DeltaRow#getDecimal}. */ DECIMAL,
        /** {@link DeltaRow#getString}. */ STRING,
        /** {@link DeltaRow#getBinary}. */ BINARY,
        /** {@link DeltaRow#getDate}: days since 1970-01-01. */ DATE,
        /** {@link DeltaRow#getTimestampMicros}: microseconds since the epoch, an instant (UTC). */ TIMESTAMP,
        /** {@link DeltaRow#getTimestampMicros}: microseconds since the epoch of a zone-less local time. */
        TIMESTAMP_NTZ,
        /** {@link DeltaRow#getNested}. */ STRUCT,
        /** {@link DeltaRow#getNested}. */ ARRAY,
        /** {@link DeltaRow#getNested}. */ MAP;

        /** True for struct, array and map, which are read as {@link NestedValue}. */
        public boolean isNested() {
            return this == STRUCT || this == ARRAY || this == MAP;
        }
    }
}
