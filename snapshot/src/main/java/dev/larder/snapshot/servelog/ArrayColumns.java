package dev.larder.snapshot.servelog;

import dev.larder.snapshot.ArrayColumnarBatch;
import dev.larder.snapshot.NonNullColumnVector;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.types.BooleanType;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampType;

/** Column vectors over a {@link ServeLogRows}' arrays, for Kernel's Parquet writer: no copy, no per-row object. */
final class ArrayColumns {
    private static final long MICROS_PER_MILLI = 1_000;
    private static final long MILLIS_PER_DAY = 86_400_000L;

    private ArrayColumns() {
    }

    /** The UTC day (days since the epoch) of {@code epochMillis}. */
    static int day(long epochMillis) {
        return (int) Math.floorDiv(epochMillis, MILLIS_PER_DAY);
    }

    /**
     * Rows {@code order[from..from+n)} of {@code rows} as a batch of {@code schema} (the layout's): one date's rows,
     * as Kernel writes one partition's files at a time.
     */
    static ColumnarBatch batch(ServeLogRows rows, StructType schema, int[] order, int from, int n) {
        ServeLogLayout layout = rows.layout();
        ColumnVector[] c = new ColumnVector[schema.length()];
        int i = 0;
        c[i++] = longs(LongType.LONG, rows.requestId, order, from, n, 1, false);
        c[i++] = longs(TimestampType.TIMESTAMP, rows.servedAtMillis, order, from, n, MICROS_PER_MILLI, false);
        c[i++] = new NonNullColumnVector(DateType.DATE, n) {
            @Override
            public int getInt(int row) {
                return day(rows.servedAtMillis[order[from + row]]);
            }
        };
        c[i++] = constant(layout.vector(), n);
        c[i++] = constant(rows.model(), n);
        c[i++] = constant(rows.modelVersion(), n);
        for (int k = 0; k < layout.keys().size(); k++) {
            c[i++] = switch (layout.keyKinds().get(k)) {
                case LONG -> longs(LongType.LONG, rows.longKey(k), order, from, n, 1, false);
                case BOOLEAN -> booleans(rows.booleanKey(k), order, from, n);
                case STRING -> strings(rows.stringKey(k), order, from, n);
            };
        }
        for (int f = 0; f < layout.features().size(); f++) {
            double[] values = rows.values[f];
            byte[] reasons = rows.reasons[f];
            c[i++] = new NonNullColumnVector(DoubleType.DOUBLE, n) {
                @Override
                public double getDouble(int row) {
                    return values[order[from + row]];
                }
            };
            c[i++] = new NonNullColumnVector(StringType.STRING, n) {
                @Override
                public boolean isNullAt(int row) {
                    return reasons[order[from + row]] == ServeLogRows.FROM_DATA;
                }

                @Override
                public String getString(int row) {
                    return ServeLogRows.REASON_NAMES[reasons[order[from + row]]];
                }
            };
        }
        for (int t = 0; t < layout.tables().size(); t++) {
            c[i++] = longs(LongType.LONG, rows.versions[t], order, from, n, 1, true);
            long[] ts = rows.commitTs[t];
            long[] versions = rows.versions[t];
            c[i++] = new NonNullColumnVector(TimestampType.TIMESTAMP, n) {
                @Override
                public boolean isNullAt(int row) {
                    int r = order[from + row];
                    return versions[r] < 0 || ts[r] == ServeLogRows.UNKNOWN;
                }

                @Override
                public long getLong(int row) {
                    return ts[order[from + row]] * MICROS_PER_MILLI;
                }
            };
            c[i++] = constant(rows.sources[t], n);
            c[i++] = constant(rows.tableIds[t], n);
        }
        return new ArrayColumnarBatch(schema, c, n);
    }

    /** A long column (times {@code scale}); with {@code negativeIsNull} a negative value reads as null. */
    private static ColumnVector longs(DataType type, long[] values, int[] order, int from, int n, long scale,
                                      boolean negativeIsNull) {
        return new NonNullColumnVector(type, n) {
            @Override
            public boolean isNullAt(int row) {
                return negativeIsNull && values[order[from + row]] < 0;
            }

            @Override
            public long getLong(int row) {
                return values[order[from + row]] * scale;
            }
        };
    }

    private static ColumnVector booleans(boolean[] values, int[] order, int from, int n) {
        return new NonNullColumnVector(BooleanType.BOOLEAN, n) {
            @Override
            public boolean getBoolean(int row) {
                return values[order[from + row]];
            }
        };
    }

    private static ColumnVector strings(String[] values, int[] order, int from, int n) {
        return new NonNullColumnVector(StringType.STRING, n) {
            @Override
            public String getString(int row) {
                return values[order[from + row]];
            }
        };
    }

    private static ColumnVector constant(String value, int n) {
        return new NonNullColumnVector(StringType.STRING, n) {
            @Override
            public boolean isNullAt(int row) {
                return value == null;
            }

            @Override
            public String getString(int row) {
                return value;
            }
        };
    }
}
