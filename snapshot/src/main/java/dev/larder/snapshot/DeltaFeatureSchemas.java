package dev.larder.snapshot;

import dev.larder.store.Column;
import dev.larder.store.ColumnType;
import dev.larder.store.FeatureSchema;
import java.util.ArrayList;
import java.util.List;

/** Mapping between Delta schemas and Larder feature schemas, both ways. Stateless. */
public final class DeltaFeatureSchemas {
    private DeltaFeatureSchemas() {
    }

    /**
     * The feature schema for a Delta table: every column, same names and order, with {@code keyColumns} as the entity
     * key (forced non-null: a null key in the data is rejected when it arrives). Strings and binaries keep
     * {@code inlineCapacity} bytes in the row and put longer values in the table's heap; a string or binary key is
     * kept whole in the row, up to {@link #keyCapacity} bytes; nested values are stored as their JSON text.
     *
     * @throws IllegalArgumentException naming the column when a key column is missing or of a type that cannot be a key
     */
    public static FeatureSchema toFeatureSchema(DeltaSchema delta, List<String> keyColumns, int inlineCapacity) {
        return toFeatureSchema(delta, keyColumns, List.of(), inlineCapacity);
    }

    /**
     * {@link #toFeatureSchema(DeltaSchema, List, int)} keeping only the key columns and {@code columns} (in Delta
     * order); every column when {@code columns} is empty.
     *
     * @throws IllegalArgumentException naming the column when a selected column is not in the Delta table
     */
    public static FeatureSchema toFeatureSchema(DeltaSchema delta, List<String> keyColumns, List<String> columns,
            int inlineCapacity) {
        if (keyColumns.isEmpty()) {
            throw new IllegalArgumentException("name at least one key column");
        }
        List<String> names = new ArrayList<>();
        for (DeltaColumn c : delta.columns()) {
            names.add(c.name());
        }
        for (String k : keyColumns) {
            if (delta.indexOf(k) < 0) {
                throw new IllegalArgumentException("key column '" + k
                        + "' is not a column of the Delta table; columns are " + names);
            }
        }
        String unknown = unknownSelection(delta, columns);
        if (unknown != null) {
            throw new IllegalArgumentException(unknown);
        }
        FeatureSchema.Builder b = FeatureSchema.builder();
        for (DeltaColumn c : delta.columns()) {
            boolean key = keyColumns.contains(c.name());
            if (!key && !columns.isEmpty() && !columns.contains(c.name())) {
                continue;
            }
            ColumnType t = columnType(c.type());
            Column col = switch (t) {
                case DECIMAL -> Column.decimal(c.name(), c.type().precision(), c.type().scale(), !key && c.nullable());
                case STRING, BINARY, OPAQUE -> Column.variable(c.name(), t, !key && c.nullable(),
                        key ? keyCapacity(inlineCapacity) : inlineCapacity);
                default -> Column.of(c.name(), t, !key && c.nullable());
            };
            b.add(col);
        }
        return b.key(keyColumns.toArray(new String[0])).build();
    }

    /**
     * Maximum length of a string or binary key column for a table whose other strings keep {@code inlineCapacity}
     * bytes inline: {@link Column#DEFAULT_KEY_CAPACITY}, or more when the inline capacity is larger (a key is compared
     * in the row, so it never goes to the heap, and a small inline capacity must not shorten the keys a table takes).
     */
    public static int keyCapacity(int inlineCapacity) {
        return Math.max(inlineCapacity, Column.DEFAULT_KEY_CAPACITY);
    }

    /** Why {@code columns} cannot be selected from {@code delta} (the first column it lacks), or null when they can. */
    public static String unknownSelection(DeltaSchema delta, List<String> columns) {
        for (String c : columns) {
            if (delta.indexOf(c) < 0) {
                List<String> names = new ArrayList<>();
                for (DeltaColumn d : delta.columns()) {
                    names.add(d.name());
                }
                return "selected column '" + c + "' is not a column of the Delta table; columns are " + names;
            }
        }
        return null;
    }

    static ColumnType columnType(DeltaType t) {
        return switch (t.kind()) {
            case BOOLEAN -> ColumnType.BOOLEAN;
            case BYTE -> ColumnType.INT8;
            case SHORT -> ColumnType.INT16;
            case INT -> ColumnType.INT32;
            case LONG -> ColumnType.INT64;
            case FLOAT -> ColumnType.FLOAT32;
            case DOUBLE -> ColumnType.FLOAT64;
            case DECIMAL -> ColumnType.DECIMAL;
            case STRING -> ColumnType.STRING;
            case BINARY -> ColumnType.BINARY;
            case DATE -> ColumnType.DATE;
            case TIMESTAMP -> ColumnType.TIMESTAMP;
            case TIMESTAMP_NTZ -> ColumnType.TIMESTAMP_NTZ;
            case STRUCT, ARRAY, MAP -> ColumnType.OPAQUE;
        };
    }

    /** The Delta view of a feature schema, for rendering stored rows exactly as Delta rows render. */
    public static DeltaSchema toDeltaSchema(FeatureSchema schema) {
        List<DeltaColumn> cols = new ArrayList<>();
        for (Column c : schema.columns()) {
            DeltaType t = switch (c.type()) {
                case BOOLEAN -> simple(DeltaType.Kind.BOOLEAN, "boolean");
                case INT8 -> simple(DeltaType.Kind.BYTE, "byte");
                case INT16 -> simple(DeltaType.Kind.SHORT, "short");
                case INT32 -> simple(DeltaType.Kind.INT, "integer");
                case INT64 -> simple(DeltaType.Kind.LONG, "long");
                case FLOAT32 -> simple(DeltaType.Kind.FLOAT, "float");
                case FLOAT64 -> simple(DeltaType.Kind.DOUBLE, "double");
                case DECIMAL -> new DeltaType(DeltaType.Kind.DECIMAL, c.precision(), c.scale(),
                        "decimal(" + c.precision() + "," + c.scale() + ")");
                case STRING -> simple(DeltaType.Kind.STRING, "string");
                case BINARY -> simple(DeltaType.Kind.BINARY, "binary");
                case DATE -> simple(DeltaType.Kind.DATE, "date");
                case TIMESTAMP -> simple(DeltaType.Kind.TIMESTAMP, "timestamp");
                case TIMESTAMP_NTZ -> simple(DeltaType.Kind.TIMESTAMP_NTZ, "timestamp_ntz");
                case OPAQUE, FLOAT32_ARRAY -> simple(DeltaType.Kind.STRUCT, "opaque");
            };
            cols.add(new DeltaColumn(c.name(), t, c.nullable(), false));
        }
        return new DeltaSchema(cols);
    }

    private static DeltaType simple(DeltaType.Kind kind, String name) {
        return new DeltaType(kind, 0, 0, name);
    }

    /** Columns of {@code delta} that {@code schema} does not have, in Delta order. */
    public static List<String> addedColumns(FeatureSchema schema, DeltaSchema delta) {
        List<String> added = new ArrayList<>();
        for (DeltaColumn c : delta.columns()) {
            if (!schema.hasColumn(c.name())) {
                added.add(c.name());
            }
        }
        return added;
    }

    /**
     * Why {@code delta} (a later version's schema) cannot feed a table with {@code schema}, or null when it can:
     * every stored column must still exist with the same type; columns the table does not have are ignored.
     */
    public static String incompatibility(FeatureSchema schema, DeltaSchema delta) {
        for (Column c : schema.columns()) {
            int i = delta.indexOf(c.name());
            if (i < 0) {
                return "column '" + c.name() + "' was dropped or renamed";
            }
            DeltaType t = delta.column(i).type();
            if (columnType(t) != c.type() || (t.kind() == DeltaType.Kind.DECIMAL
                    && (t.precision() != c.precision() || t.scale() != c.scale()))) {
                return "column '" + c.name() + "' changed type from " + c.typeString() + " to " + t.deltaName();
            }
        }
        return null;
    }
}
