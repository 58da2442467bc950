package dev.larder.snapshot.servelog;

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
 * {@code vector}, {@code model}, {@code model_version}, the key column, then per feature {@code <table>__<column>}
 * (the value as served, double) and {@code <table>__<column>__default} (null when the value came from data, else why a
 * default was served: NOT_FOUND, EXPIRED, NULL or NOT_OWNED), then per table {@code <table>__version} and
 * {@code <table>__commit_ts} (the Delta version and commit timestamp of the row read, null when none was),
 * {@code <table>__source} (the source's path or URI) and {@code <table>__table_id} (its Delta table id).
 *
 * @param vector   the vector's name
 * @param key      the key column's name (an integral key, logged as a long)
 * @param features the features as {@code table.column}, in vector order
 * @param tables   the vector's tables, in the order of their first feature
 */
public record ServeLogLayout(String vector, String key, List<String> features, List<String> tables) {
    /** The partition column. */
    public static final String DATE = "served_date";

    /** Checks every feature names a table of {@code tables}. */
    public ServeLogLayout {
        features = List.copyOf(features);
        tables = List.copyOf(tables);
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
                .add("model_version", StringType.STRING, true)
                .add(key, LongType.LONG, false);
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
