package dev.larder.store;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable description of a model input vector: an ordered list of (table, column, default) features, from one or
 * more tables sharing the entity key schema. Thread-safe; each thread assembles vectors with its own
 * {@link FeatureVectorReader} from {@link #newReader()}.
 */
public final class FeatureVector {
    final FeatureTable[] tables;
    final int[] featureTable;
    final int[] featureColumn;
    final String[] featureColumnName;
    final double[] defaults;
    private final List<String> names;

    private FeatureVector(List<FeatureTable> tables, int[] featureTable, int[] featureColumn, String[] featureColumnName,
                          double[] defaults, List<String> names) {
        this.tables = tables.toArray(new FeatureTable[0]);
        this.featureTable = featureTable;
        this.featureColumn = featureColumn;
        this.featureColumnName = featureColumnName;
        this.defaults = defaults;
        this.names = List.copyOf(names);
    }

    public static Builder builder() {
        return new Builder();
    }

    public int size() {
        return featureColumn.length;
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
        private final List<int[]> features = new ArrayList<>();
        private final List<Double> defaults = new ArrayList<>();
        private final List<String> names = new ArrayList<>();

        Builder() {
        }

        /** A numeric feature; {@code defaultValue} is used when the entity is missing, expired or the value null. */
        public Builder add(FeatureTable table, String column, double defaultValue) {
            int col = table.schema().indexOf(column);
            ColumnType t = table.schema().column(col).type();
            if (t.isVariableWidth() || t == ColumnType.FLOAT32_ARRAY) {
                throw new IllegalArgumentException("feature " + table.name() + "." + column + " is " + t + ", not numeric");
            }
            if (!tableIndex.isEmpty()) {
                FeatureTable first = tableIndex.keySet().iterator().next();
                if (!new Key(first.schema()).compatibleWith(table.schema())) {
                    throw new IllegalArgumentException("table " + table.name() + " has a different key schema than " + first.name());
                }
            }
            int ti = tableIndex.computeIfAbsent(table, t2 -> tableIndex.size());
            features.add(new int[] {ti, col});
            defaults.add(defaultValue);
            names.add(table.name() + "." + column);
            return this;
        }

        public FeatureVector build() {
            if (features.isEmpty()) {
                throw new IllegalArgumentException("a feature vector needs at least one feature");
            }
            int n = features.size();
            int[] ft = new int[n];
            int[] fc = new int[n];
            String[] cn = new String[n];
            double[] d = new double[n];
            List<FeatureTable> tables = new ArrayList<>(tableIndex.keySet());
            for (int i = 0; i < n; i++) {
                ft[i] = features.get(i)[0];
                fc[i] = features.get(i)[1];
                cn[i] = tables.get(ft[i]).schema().column(fc[i]).name();
                d[i] = defaults.get(i);
            }
            return new FeatureVector(tables, ft, fc, cn, d, names);
        }
    }
}
