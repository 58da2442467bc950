package dev.larder.store;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * An immutable description of a model input vector: an ordered list of (table, column, default) features, from one or
 * more tables sharing the entity key schema. Thread-safe; each thread assembles vectors with its own
 * {@link FeatureVectorReader} from {@link #newReader()}.
 */
public final class FeatureVector {
    /**
     * Each table's generation to read now: the holder of a table that gets new generations (the engine's handle)
     * supplies its current one, so a vector follows a swap the same way every reader does.
     */
    final Supplier<FeatureTable>[] tables;
    final int[] featureTable;
    /** Columns are resolved by name per table generation ({@link FeatureVectorReader}), so a vector outlives a swap. */
    final String[] featureColumnName;
    final double[] defaults;
    private final List<String> names;

    @SuppressWarnings({"unchecked", "rawtypes"})
    private FeatureVector(List<Supplier<FeatureTable>> tables, int[] featureTable, String[] featureColumnName,
                          double[] defaults, List<String> names) {
        this.tables = tables.toArray(new Supplier[0]);
        this.featureTable = featureTable;
        this.featureColumnName = featureColumnName;
        this.defaults = defaults;
        this.names = List.copyOf(names);
    }

    public static Builder builder() {
        return new Builder();
    }

    public int size() {
        return featureColumnName.length;
    }

    /** Feature names as {@code table.column}, in vector order. */
    public List<String> names() {
        return names;
    }

    public FeatureVectorReader newReader() {
        return new FeatureVectorReader(this);
    }

    /** Adds features in vector order; features of one table are read with a single lookup per vector. */
    public static final class Builder {
        private final Map<FeatureTable, Integer> tableIndex = new LinkedHashMap<>();
        private final List<Supplier<FeatureTable>> generations = new ArrayList<>();
        private final List<Integer> featureTables = new ArrayList<>();
        private final List<String> columns = new ArrayList<>();
        private final List<Double> defaults = new ArrayList<>();
        private final List<String> names = new ArrayList<>();

        Builder() {
        }

        /** A numeric feature; {@code defaultValue} is used when the entity is missing, expired or the value null. */
        public Builder add(FeatureTable table, String column, double defaultValue) {
            return add(table, () -> table, column, defaultValue);
        }

        /**
         * A numeric feature of a table that gets new generations: {@code table} is the generation now, and
         * {@code current} gives the one to read at each lookup (one volatile read; the reader moves to a new one).
         * Features of one table are grouped by {@code table}.
         */
        public Builder add(FeatureTable table, Supplier<FeatureTable> current, String column, double defaultValue) {
            int col = table.schema().indexOf(column);
            ColumnType t = table.schema().column(col).type();
            if (t.isVariableWidth() || t == ColumnType.FLOAT32_ARRAY) {
                throw new IllegalArgumentException("feature " + table.name() + "." + column + " is " + t
                        + ", not numeric");
            }
            if (!tableIndex.isEmpty()) {
                FeatureTable first = tableIndex.keySet().iterator().next();
                if (!new Key(first.schema()).compatibleWith(table.schema())) {
                    throw new IllegalArgumentException("table " + table.name() + " has a different key schema than "
                            + first.name());
                }
            }
            int ti = tableIndex.computeIfAbsent(table, t2 -> {
                generations.add(current);
                return tableIndex.size();
            });
            featureTables.add(ti);
            columns.add(column);
            defaults.add(defaultValue);
            names.add(table.name() + "." + column);
            return this;
        }

        public FeatureVector build() {
            if (columns.isEmpty()) {
                throw new IllegalArgumentException("a feature vector needs at least one feature");
            }
            int n = columns.size();
            int[] ft = new int[n];
            double[] d = new double[n];
            for (int i = 0; i < n; i++) {
                ft[i] = featureTables.get(i);
                d[i] = defaults.get(i);
            }
            return new FeatureVector(generations, ft, columns.toArray(new String[0]), d, names);
        }
    }
}
