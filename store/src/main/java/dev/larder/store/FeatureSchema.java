package dev.larder.store;

import dev.larder.store.engine.KeyCodec;
import dev.larder.store.engine.RowLayoutDescriptor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Immutable, typed schema of a feature table: its columns in order and the column(s) forming the entity key.
 *
 * <p>Key columns must be non-nullable and of a {@linkplain ColumnType#keyable() keyable} type. The schema determines
 * the fixed row layout ({@link RowLayoutDescriptor}) and the canonical key encoding ({@link KeyCodec}).
 */
public final class FeatureSchema {
    private static final Pattern TYPE = Pattern.compile("([a-z0-9_]+)(?:\\((\\d+)(?:,(\\d+))?\\))?");

    private final List<Column> columns;
    /** Column types by index: typed row accessors check one on every call. */
    private final ColumnType[] types;
    private final int[] keyColumns;
    private final Map<String, Integer> byName;

    private FeatureSchema(List<Column> columns, int[] keyColumns) {
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("a schema needs at least one column");
        }
        if (keyColumns.length == 0) {
            throw new IllegalArgumentException("a schema needs at least one key column");
        }
        this.columns = List.copyOf(columns);
        this.types = columns.stream().map(Column::type).toArray(ColumnType[]::new);
        this.keyColumns = keyColumns.clone();
        Map<String, Integer> names = new HashMap<>();
        for (int i = 0; i < columns.size(); i++) {
            if (names.put(columns.get(i).name(), i) != null) {
                throw new IllegalArgumentException("duplicate column name: " + columns.get(i).name());
            }
        }
        this.byName = Collections.unmodifiableMap(names);
        for (int i = 0; i < keyColumns.length; i++) {
            Column c = columns.get(keyColumns[i]);
            for (int j = 0; j < i; j++) {
                if (keyColumns[j] == keyColumns[i]) {
                    throw new IllegalArgumentException("key column '" + c.name() + "' is named more than once");
                }
            }
            if (!c.type().keyable()) {
                throw new IllegalArgumentException("key column " + c.name() + " has type " + c.typeString()
                        + ", which cannot be an entity key (use an integer, date, timestamp, boolean, string or binary "
                        + "column)");
            }
            if (c.nullable()) {
                throw new IllegalArgumentException("key column " + c.name() + " must be declared non-nullable");
            }
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public List<Column> columns() {
        return columns;
    }

    public int columnCount() {
        return columns.size();
    }

    public Column column(int index) {
        return columns.get(index);
    }

    /** {@code column(index).type()}, without the list lookup. */
    public ColumnType type(int index) {
        return types[index];
    }

    /** Index of the named column; throws naming the column when it does not exist. */
    public int indexOf(String name) {
        Integer i = byName.get(name);
        if (i == null) {
            throw new IllegalArgumentException("no column named '" + name + "'; columns are " + names());
        }
        return i;
    }

    public boolean hasColumn(String name) {
        return byName.containsKey(name);
    }

    /** Indices of the key columns, in key order. */
    public int[] keyColumns() {
        return keyColumns.clone();
    }

    public int keyColumnCount() {
        return keyColumns.length;
    }

    public int keyColumn(int keyPosition) {
        return keyColumns[keyPosition];
    }

    /**
     * Bytes a row of this schema takes in a table's row file (the fixed-width part).
     *
     * @throws IllegalArgumentException if the key columns are too wide for the index
     */
    public int rowSize() {
        return new RowLayoutDescriptor(this).rowSize();
    }

    public List<String> names() {
        List<String> names = new ArrayList<>(columns.size());
        for (Column c : columns) {
            names.add(c.name());
        }
        return names;
    }

    /**
     * Whether a table stored with this schema can take the rows of a table declared with {@code declared}: the same
     * columns (names, types, nullability, dimensions, decimal precision and scale) and key, their string and binary
     * capacities aside, except that a key column's capacity here must be at least the declared one (it is the longest
     * key the table takes). An inline capacity is a layout choice a table keeps from its creation: a declaration made
     * with the default of another release ({@link Column#DEFAULT_VARIABLE_CAPACITY}) still names the stored table.
     */
    public boolean takesRowsOf(FeatureSchema declared) {
        if (!Arrays.equals(keyColumns, declared.keyColumns) || columns.size() != declared.columns.size()) {
            return false;
        }
        for (int i = 0; i < columns.size(); i++) {
            Column c = columns.get(i);
            Column d = declared.columns.get(i);
            if (c.type().isVariableWidth()) {
                boolean key = isKeyColumn(i);
                if (!c.name().equals(d.name()) || c.type() != d.type() || c.nullable() != d.nullable()
                        || key && c.capacity() < d.capacity()) {
                    return false;
                }
            } else if (!c.equals(d)) {
                return false;
            }
        }
        return true;
    }

    private boolean isKeyColumn(int column) {
        for (int k : keyColumns) {
            if (k == column) {
                return true;
            }
        }
        return false;
    }

    /** Writes the schema into metadata properties under {@code schema.*}. */
    void store(Properties p) {
        p.setProperty("schema.columns", Integer.toString(columns.size()));
        for (int i = 0; i < columns.size(); i++) {
            Column c = columns.get(i);
            p.setProperty("schema.column." + i + ".name", c.name());
            p.setProperty("schema.column." + i + ".type", c.typeString());
            p.setProperty("schema.column." + i + ".nullable", Boolean.toString(c.nullable()));
        }
        StringBuilder keys = new StringBuilder();
        for (int k : keyColumns) {
            keys.append(keys.isEmpty() ? "" : ",").append(k);
        }
        p.setProperty("schema.key", keys.toString());
    }

    /**
     * Reads a schema written by {@link #store}; malformed input throws IllegalArgumentException naming the property.
     */
    static FeatureSchema load(Properties p) {
        int n = Integer.parseInt(required(p, "schema.columns"));
        Builder b = builder();
        for (int i = 0; i < n; i++) {
            String name = required(p, "schema.column." + i + ".name");
            String type = required(p, "schema.column." + i + ".type");
            boolean nullable = Boolean.parseBoolean(required(p, "schema.column." + i + ".nullable"));
            b.add(parseColumn(name, type, nullable));
        }
        String[] keys = required(p, "schema.key").split(",");
        int[] keyIdx = new int[keys.length];
        for (int i = 0; i < keys.length; i++) {
            keyIdx[i] = Integer.parseInt(keys[i].trim());
        }
        return new FeatureSchema(b.columns, keyIdx);
    }

    /** Parses a column type written by {@link Column#typeString()}. */
    public static Column parseColumn(String name, String typeString, boolean nullable) {
        Matcher m = TYPE.matcher(typeString.trim().toLowerCase());
        if (!m.matches()) {
            throw new IllegalArgumentException("column " + name + ": unknown type '" + typeString + "'");
        }
        ColumnType type;
        try {
            type = ColumnType.valueOf(m.group(1).toUpperCase());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("column " + name + ": unknown type '" + typeString + "'", e);
        }
        int a = m.group(2) == null ? 0 : Integer.parseInt(m.group(2));
        int s = m.group(3) == null ? 0 : Integer.parseInt(m.group(3));
        return switch (type) {
            case DECIMAL -> Column.decimal(name, a, s, nullable);
            case STRING, BINARY, OPAQUE ->
                    Column.variable(name, type, nullable, a == 0 ? Column.DEFAULT_VARIABLE_CAPACITY : a);
            case FLOAT32_ARRAY -> Column.floatArray(name, a, nullable);
            default -> Column.of(name, type, nullable);
        };
    }

    private static String required(Properties p, String key) {
        String v = p.getProperty(key);
        if (v == null) {
            throw new IllegalArgumentException("missing property " + key);
        }
        return v;
    }

    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof FeatureSchema s && columns.equals(s.columns)
                && Arrays.equals(keyColumns, s.keyColumns);
    }

    @Override
    public int hashCode() {
        return Objects.hash(columns, Arrays.hashCode(keyColumns));
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("FeatureSchema[");
        for (int i = 0; i < columns.size(); i++) {
            Column c = columns.get(i);
            sb.append(i == 0 ? "" : ", ").append(c.name()).append(' ').append(c.typeString())
                    .append(c.nullable() ? "" : " not null");
        }
        sb.append("; key=");
        for (int i = 0; i < keyColumns.length; i++) {
            sb.append(i == 0 ? "" : ",").append(columns.get(keyColumns[i]).name());
        }
        return sb.append(']').toString();
    }

    /** Collects columns in order; {@link #key} marks key columns in the order they are named. */
    public static final class Builder {
        private final List<Column> columns = new ArrayList<>();
        private final List<String> keyNames = new ArrayList<>();

        Builder() {
        }

        public Builder add(Column column) {
            columns.add(column);
            return this;
        }

        public Builder column(String name, ColumnType type) {
            return add(Column.of(name, type, true));
        }

        /**
         * Adds a non-nullable key column; a string or binary one holds keys of up to
         * {@link Column#DEFAULT_KEY_CAPACITY} bytes.
         */
        public Builder keyColumn(String name, ColumnType type) {
            add(type.isVariableWidth() ? Column.variable(name, type, false, Column.DEFAULT_KEY_CAPACITY)
                    : Column.of(name, type, false));
            keyNames.add(name);
            return this;
        }

        /** Marks existing columns as the key, in this order. */
        public Builder key(String... names) {
            keyNames.addAll(List.of(names));
            return this;
        }

        public FeatureSchema build() {
            int[] idx = new int[keyNames.size()];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = -1;
                for (int c = 0; c < columns.size(); c++) {
                    if (columns.get(c).name().equals(keyNames.get(i))) {
                        idx[i] = c;
                    }
                }
                if (idx[i] < 0) {
                    throw new IllegalArgumentException("key column '" + keyNames.get(i)
                            + "' is not a column of the schema");
                }
            }
            return new FeatureSchema(columns, idx);
        }
    }
}
