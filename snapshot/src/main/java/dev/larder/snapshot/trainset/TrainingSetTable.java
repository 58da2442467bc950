package dev.larder.snapshot.trainset;

import dev.larder.snapshot.ArrayColumnarBatch;
import dev.larder.snapshot.KernelAppends;
import dev.larder.snapshot.KernelInternals;
import dev.larder.snapshot.NonNullColumnVector;
import io.delta.kernel.TableManager;
import io.delta.kernel.Transaction;
import io.delta.kernel.TransactionCommitResult;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.Row;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.exceptions.TableNotFoundException;
import io.delta.kernel.types.BooleanType;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampType;
import io.delta.kernel.utils.CloseableIterable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes a {@link TrainingSet} as a new Delta table with Delta Kernel, in one commit (a failure leaves no table or
 * only unreferenced files); stateless, so any thread may call it. Rows are in event-time order (so each file covers a
 * time range, which readers filtering on the time column skip by). The columns: the label columns as read, then per
 * feature {@code <table>__<column>} (double, as served) and {@code <table>__<column>__default} (string: null, or why
 * the default was served), then per table {@code <table>__version} and {@code <table>__commit_ts} (the version in force
 * at the event time and its commit timestamp) and {@code <table>__row_version} and {@code <table>__row_commit_ts} (the
 * version that last changed the row served, the TTL's reference; null when no row).
 */
public final class TrainingSetTable {
    private static final String ENGINE_INFO = "larder-training-set";
    private static final int BATCH_ROWS = 1 << 16;
    private static final long MICROS_PER_MILLI = 1_000;

    private TrainingSetTable() {
    }

    /** The output's schema for {@code set}; refuses a label column named like a feature or version column. */
    public static StructType schema(TrainingSet set) {
        List<StructField> fields = new ArrayList<>();
        for (Labels.Column c : set.labels().columns()) {
            fields.add(new StructField(c.name(), type(c.kind()), true));
        }
        for (TrainingSet.FeatureSpec f : set.features()) {
            fields.add(new StructField(f.table() + "__" + f.column(), DoubleType.DOUBLE, true));
            fields.add(new StructField(f.table() + "__" + f.column() + "__default", StringType.STRING, true));
        }
        for (TrainingSet.TableSpec t : set.tables()) {
            fields.add(new StructField(t.name() + "__version", LongType.LONG, true));
            fields.add(new StructField(t.name() + "__commit_ts", TimestampType.TIMESTAMP, true));
            fields.add(new StructField(t.name() + "__row_version", LongType.LONG, true));
            fields.add(new StructField(t.name() + "__row_commit_ts", TimestampType.TIMESTAMP, true));
        }
        Set<String> seen = new HashSet<>();
        for (StructField f : fields) {
            if (!seen.add(f.getName().toLowerCase(java.util.Locale.ROOT))) {
                throw new IllegalArgumentException("the training set would have two columns named " + f.getName()
                        + " (a label column named like a feature or version column): rename the label column");
            }
        }
        return new StructType(fields);
    }

    private static DataType type(Labels.Kind kind) {
        return switch (kind) {
            case LONG -> LongType.LONG;
            case DOUBLE -> DoubleType.DOUBLE;
            case BOOLEAN -> BooleanType.BOOLEAN;
            case STRING -> StringType.STRING;
            case TIMESTAMP -> TimestampType.TIMESTAMP;
            case DATE -> DateType.DATE;
        };
    }

    /**
     * Creates the Delta table at {@code pathOrUri} holding {@code set}, in one commit.
     *
     * @return the resolved path of the table written
     * @throws IllegalStateException if a Delta table is already there, or the commit fails (naming the path)
     * @throws UncheckedIOException  if a file cannot be written, naming the path
     */
    public static String write(TrainingSet set, String pathOrUri, org.apache.hadoop.conf.Configuration conf) {
        Engine engine = DefaultEngine.create(conf);
        String path;
        try {
            path = engine.getFileSystemClient().resolvePath(pathOrUri);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot resolve the training set path " + pathOrUri, e);
        }
        try {
            TableManager.loadSnapshot(path).build(engine);
            throw new IllegalStateException("a Delta table already exists at " + path + ": give another --out");
        } catch (TableNotFoundException expected) {
            // The only case written: a new table.
        }
        StructType schema = schema(set);
        List<Sorted> labelColumns = set.labels().columns().stream().map(c -> Sorted.of(set, c)).toList();
        Transaction txn = TableManager.buildCreateTableTransaction(path, schema, ENGINE_INFO).build(engine);
        Row state = txn.getTransactionState(engine);
        List<Row> actions = new ArrayList<>();
        int n = set.labels().size();
        try {
            for (int from = 0; from < n; from += BATCH_ROWS) {
                int rows = Math.min(BATCH_ROWS, n - from);
                KernelAppends.write(engine, state, new ArrayColumnarBatch(schema,
                        columns(set, labelColumns, schema, from, rows), rows), Map.of(), actions);
            }
            TransactionCommitResult result = txn.commit(engine,
                    CloseableIterable.inMemoryIterable(KernelInternals.closeable(actions.iterator())));
            return path + " (version " + result.getVersion() + ")";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the training set " + path + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot write the training set " + path + ": " + e, e);
        }
    }

    private static ColumnVector[] columns(TrainingSet set, List<Sorted> labelColumns, StructType schema, int from,
                                          int n) {
        ColumnVector[] c = new ColumnVector[schema.length()];
        int i = 0;
        for (Sorted col : labelColumns) {
            c[i] = col.vector(schema.at(i).getDataType(), from, n);
            i++;
        }
        for (int f = 0; f < set.features().size(); f++) {
            double[] values = set.values[f];
            byte[] reasons = set.reasons[f];
            c[i++] = new NonNullColumnVector(DoubleType.DOUBLE, n) {
                @Override
                public boolean isNullAt(int row) {
                    return reasons[from + row] == TrainingSet.NO_HISTORY;
                }

                @Override
                public double getDouble(int row) {
                    return values[from + row];
                }
            };
            c[i++] = new NonNullColumnVector(StringType.STRING, n) {
                @Override
                public boolean isNullAt(int row) {
                    return reasons[from + row] == TrainingSet.FROM_DATA;
                }

                @Override
                public String getString(int row) {
                    return TrainingSet.REASON_NAMES[reasons[from + row]];
                }
            };
        }
        for (int t = 0; t < set.tables().size(); t++) {
            c[i++] = longs(LongType.LONG, set.versions[t], set.versions[t], from, n, 1);
            c[i++] = longs(TimestampType.TIMESTAMP, set.commitTs[t], set.versions[t], from, n, MICROS_PER_MILLI);
            c[i++] = longs(LongType.LONG, set.rowVersions[t], set.rowVersions[t], from, n, 1);
            c[i++] = longs(TimestampType.TIMESTAMP, set.rowCommitTs[t], set.rowVersions[t], from, n,
                    MICROS_PER_MILLI);
        }
        return c;
    }

    /** {@code values} times {@code scale}, null where {@code presence} is negative. */
    private static ColumnVector longs(DataType type, long[] values, long[] presence, int from, int n, long scale) {
        return new NonNullColumnVector(type, n) {
            @Override
            public boolean isNullAt(int row) {
                return presence[from + row] < 0;
            }

            @Override
            public long getLong(int row) {
                return values[from + row] * scale;
            }
        };
    }

    /**
     * A label column copied once into the results' order (the labels' time order), numbers unboxed, so the writer
     * reads it sequentially.
     */
    private record Sorted(boolean[] nulls, long[] longs, double[] doubles, Object[] objects) {
        static Sorted of(TrainingSet set, Labels.Column col) {
            List<Object> v = col.values();
            int n = v.size();
            boolean[] nulls = new boolean[n];
            boolean numeric = col.kind() == Labels.Kind.LONG || col.kind() == Labels.Kind.TIMESTAMP;
            long[] longs = numeric ? new long[n] : null;
            double[] doubles = col.kind() == Labels.Kind.DOUBLE ? new double[n] : null;
            Object[] objects = longs == null && doubles == null ? new Object[n] : null;
            for (int row = 0; row < n; row++) {
                Object x = v.get(set.labelAt(row));
                nulls[row] = x == null;
                if (x == null) {
                    continue;
                }
                if (longs != null) {
                    longs[row] = (Long) x;
                } else if (doubles != null) {
                    doubles[row] = (Double) x;
                } else {
                    objects[row] = x;
                }
            }
            return new Sorted(nulls, longs, doubles, objects);
        }

        ColumnVector vector(DataType type, int from, int n) {
            return new NonNullColumnVector(type, n) {
                @Override
                public boolean isNullAt(int row) {
                    return nulls[from + row];
                }

                @Override
                public long getLong(int row) {
                    return longs[from + row];
                }

                @Override
                public int getInt(int row) {
                    return (Integer) objects[from + row];
                }

                @Override
                public double getDouble(int row) {
                    return doubles[from + row];
                }

                @Override
                public boolean getBoolean(int row) {
                    return (Boolean) objects[from + row];
                }

                @Override
                public String getString(int row) {
                    return (String) objects[from + row];
                }
            };
        }
    }
}
