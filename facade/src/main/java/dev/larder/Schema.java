package dev.larder;

import dev.larder.store.Column;
import dev.larder.store.FeatureSchema;
import java.util.List;

/**
 * Immutable: the columns of a feature table, their types and its key, for a table the application pushes into
 * ({@link Larder.Builder#push}) and as a table reports it ({@link Table#schema()}).
 *
 * <pre>{@code
 * Schema schema = Schema.builder().keyColumn("user_id", ColumnType.INT64).column("ctr", ColumnType.FLOAT64).build();
 * }</pre>
 */
public final class Schema {
    final FeatureSchema schema;

    Schema(FeatureSchema schema) {
        this.schema = schema;
    }

    /** A builder of a schema, its columns in the order added. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A new reusable key of this schema's key columns, e.g. to compute its {@link Key#shard shard} (a lookup takes the
     * key of its reader, {@link Reader#key()}).
     */
    public Key newKey() {
        return new Key(new dev.larder.store.Key(schema));
    }

    /** How many columns. */
    public int columnCount() {
        return schema.columnCount();
    }

    /** Column names, in order. */
    public List<String> names() {
        return schema.names();
    }

    /** The name of column {@code index}. */
    public String name(int index) {
        return schema.column(index).name();
    }

    /** The type of column {@code index}. */
    public ColumnType type(int index) {
        return ColumnType.of(schema.type(index));
    }

    /**
     * The type of column {@code index} as Larder prints it, with its declared size: {@code int32},
     * {@code string(64)}, {@code decimal(10,2)}, {@code float32_array(8)}.
     */
    public String typeName(int index) {
        return schema.column(index).typeString();
    }

    /** Whether column {@code index} may hold null. */
    public boolean nullable(int index) {
        return schema.column(index).nullable();
    }

    /** Whether there is a column {@code name}. */
    public boolean hasColumn(String name) {
        return schema.hasColumn(name);
    }

    /**
     * The index of column {@code name}.
     *
     * @throws IllegalArgumentException if there is none
     */
    public int indexOf(String name) {
        return schema.indexOf(name);
    }

    /** The names of the key columns, in key order (the positions of a {@link Key}). */
    public List<String> keyColumns() {
        return List.copyOf(Definition.keyNames(schema));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Schema s && schema.equals(s.schema);
    }

    @Override
    public int hashCode() {
        return schema.hashCode();
    }

    /** The columns with their types, and the key. */
    @Override
    public String toString() {
        return schema.toString();
    }

    /** Not thread-safe: collects columns in order, and the key. */
    public static final class Builder {
        private final FeatureSchema.Builder builder = FeatureSchema.builder();

        private Builder() {
        }

        /**
         * Adds a nullable column; a STRING, BINARY or OPAQUE one keeps 12 bytes inline (longer
         * values go out of line). DECIMAL and FLOAT32_ARRAY columns need their own methods.
         */
        public Builder column(String name, ColumnType type) {
            builder.column(name, type.store());
            return this;
        }

        /**
         * Adds a nullable STRING, BINARY or OPAQUE column keeping {@code capacity} bytes inline.
         *
         * @throws IllegalArgumentException naming the column for another type or a capacity out of 8..1 MiB
         */
        public Builder column(String name, ColumnType type, int capacity) {
            if (!type.store().isVariableWidth()) {
                throw new IllegalArgumentException("column " + name + ": an inline capacity is for STRING, BINARY or"
                        + " OPAQUE columns, not " + type);
            }
            builder.add(Column.variable(name, type.store(), true, capacity));
            return this;
        }

        /** Adds a nullable DECIMAL column of {@code precision} digits (1..38), {@code scale} of them decimals. */
        public Builder decimalColumn(String name, int precision, int scale) {
            builder.add(Column.decimal(name, precision, scale, true));
            return this;
        }

        /** Adds a nullable FLOAT32_ARRAY column of {@code dimension} floats (an embedding). */
        public Builder floatArrayColumn(String name, int dimension) {
            builder.add(Column.floatArray(name, dimension, true));
            return this;
        }

        /**
         * Adds a non-nullable key column, the next position of the key; a STRING or BINARY one holds keys of up to
         * 64 bytes.
         */
        public Builder keyColumn(String name, ColumnType type) {
            builder.keyColumn(name, type.store());
            return this;
        }

        /**
         * The schema.
         *
         * @throws IllegalArgumentException naming the column, for a bad column or a key naming no column
         */
        public Schema build() {
            return new Schema(builder.build());
        }
    }
}
