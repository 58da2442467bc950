package dev.larder.snapshot.servelog;

import io.delta.kernel.types.BooleanType;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampType;
import java.util.List;

/**
 * Immutable: the columns of a served-feature log, which follow one vector's definition. In order: {@code request_id},
 * {@code served_at} (timestamp), {@code served_date} (the UTC date of {@code served_at}, the partition column),
 * {@code vector}, {@code model}, {@code model_version}, the key columns (each typed by its {@link KeyKind}, named as in
 * the vector's first table), then per feature {@code <table>__<column>}
 * (the value as served, double) and {@code <table>__<column>__default} (null when the value came from data, else why a
 * default was served: NOT_FOUND, EXPIRED, NULL or NOT_OWNED), then per table {@code <table>__version} and
 * {@code <table>__commit_ts} (the Delta version and commit timestamp of the row read, null when none was),
 * {@code <table>__source} (the source's path or URI) and {@code <table>__table_id} (its Delta table id).
 *
 * @param vector   the vector's name (a single-table read log: the log's name)
 * @param keys     the key columns' names, in key order
 * @param keyKinds how each key column is logged
 * @param features the features as {@code table.column}, in vector order
 * @param tables   the vector's tables, in the order of their first feature
 */
public record ServeLogLayout(String vector, List<String> keys, List<KeyKind> keyKinds, List<String> features,
                             List<String> tables) {
    /** The partition column. */
    public static final String DATE = "served_date";

    /** How a key column is logged. */
    public enum KeyKind {
        /** An integral, date or timestamp key, as the store holds it (days, microseconds): bigint. */
        LONG(LongType.LONG),
        /** A boolean key. */
        BOOLEAN(BooleanType.BOOLEAN),
        /** A string key. */
        STRING(StringType.STRING);

        private final DataType type;

        KeyKind(DataType type) {
            this.type = type;
        }

        /** The log column's type. */
        public DataType type() {
            return type;
        }
    }

    /** A layout of one integral key column. */
    public ServeLogLayout(String vector, String key, List<String> features, List<String> tables) {
        this(vector, List.of(key), List.of(KeyKind.LONG), features, tables);
    }

    /** Checks every feature names a table of {@code tables}, and every key column has a kind. */
    public ServeLogLayout {
        keys = List.copyOf(keys);
        keyKinds = List.copyOf(keyKinds);
        features = List.copyOf(features);
        tables = List.copyOf(tables);
        if (keys.isEmpty() || keys.size() != keyKinds.size()) {
            throw new IllegalArgumentException("key columns " + keys + " need one kind each, got " + keyKinds);
        }
        for (String f : features) {
            int dot = f.indexOf('.');
            if (dot < 0 || !tables.contains(f.substring(0, dot))) {
                throw new IllegalArgumentException("feature " + f + " is not table.column of one of " + tables);
            }
        }
    }

    /** The column of feature {@code f}'s value. */
    public String featureColumn(int f) {
        return features.get(f).replace(".", "__");
    }

    /** The column saying why feature {@code f} was served its default (null when it was not). */
    public String defaultColumn(int f) {
        return featureColumn(f) + "__default";
    }

    /** The Delta table schema of the log. */
    public StructType schema() {
        StructType s = new StructType()
                .add("request_id", LongType.LONG, false)
                .add("served_at", TimestampType.TIMESTAMP, false)
                .add(DATE, DateType.DATE, false)
                .add("vector", StringType.STRING, false)
                .add("model", StringType.STRING, true)
                .add("model_version", StringType.STRING, true);
        for (int k = 0; k < keys.size(); k++) {
            s = s.add(keys.get(k), keyKinds.get(k).type(), false);
        }
        for (int f = 0; f < features.size(); f++) {
            s = s.add(featureColumn(f), DoubleType.DOUBLE, false).add(defaultColumn(f), StringType.STRING, true);
        }
        for (String t : tables) {
            s = s.add(t + "__version", LongType.LONG, true)
                    .add(t + "__commit_ts", TimestampType.TIMESTAMP, true)
                    .add(t + "__source", StringType.STRING, true)
                    .add(t + "__table_id", StringType.STRING, true);
        }
        return s;
    }
}
