package dev.larder.tools.generate;

import dev.larder.snapshot.ArrayColumnarBatch;
import dev.larder.snapshot.NonNullColumnVector;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.types.BooleanType;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructType;

/**
 * Column vectors handed to Kernel's Parquet writer. They compute values on demand from the spec instead of holding
 * arrays, so writing a million-row file needs no per-row objects and no buffers beyond Parquet's own.
 */
final class Vectors {
    private Vectors() {
    }

    /** A batch of freshly written keys {@code [firstKey, firstKey + size)}, every value as of {@code version}. */
    static ColumnarBatch computed(GeneratorSpec spec, StructType schema, long firstKey, int size, long version) {
        ColumnVector[] columns = new ColumnVector[schema.length()];
        columns[0] = new KeyRange(firstKey, size);
        for (int f = 0; f < spec.numericFeatures(); f++) {
            columns[1 + f] = new Numeric(spec, spec.numericType(f), f, size, version) {
                @Override
                long key(int row) {
                    return firstKey + row;
                }
            };
        }
        for (int s = 0; s < spec.stringFeatures(); s++) {
            columns[1 + spec.numericFeatures() + s] = new Categorical(spec, s, size, version) {
                @Override
                long key(int row) {
                    return firstKey + row;
                }
            };
        }
        return new ArrayColumnarBatch(schema, columns, size);
    }

    /**
     * {@code base} (a batch read back from a data file) with every feature of the rows in {@code slots} replaced by its
     * value at {@code version}; {@code slots[row]} is the row's index in the plan's updated keys, or negative.
     */
    static ColumnarBatch patched(GeneratorSpec spec, ColumnarBatch base, CommitPlan plan, int[] slots) {
        int size = base.getSize();
        long version = plan.version();
        ColumnVector[] columns = new ColumnVector[base.getSchema().length()];
        columns[0] = base.getColumnVector(0);
        for (int f = 0; f < spec.numericFeatures(); f++) {
            ColumnVector original = base.getColumnVector(1 + f);
            columns[1 + f] = new Numeric(spec, spec.numericType(f), f, size, version) {
                @Override
                long key(int row) {
                    return plan.updatedKey(slots[row]);
                }

                @Override
                public double getDouble(int row) {
                    return slots[row] < 0 ? original.getDouble(row) : super.getDouble(row);
                }

                @Override
                public float getFloat(int row) {
                    return slots[row] < 0 ? original.getFloat(row) : super.getFloat(row);
                }

                @Override
                public boolean isNullAt(int row) {
                    return slots[row] < 0 && original.isNullAt(row);
                }
            };
        }
        for (int s = 0; s < spec.stringFeatures(); s++) {
            ColumnVector original = base.getColumnVector(1 + spec.numericFeatures() + s);
            columns[1 + spec.numericFeatures() + s] = new Categorical(spec, s, size, version) {
                @Override
                long key(int row) {
                    return plan.updatedKey(slots[row]);
                }

                @Override
                public String getString(int row) {
                    return slots[row] < 0 ? original.getString(row) : super.getString(row);
                }

                @Override
                public boolean isNullAt(int row) {
                    return slots[row] < 0 && original.isNullAt(row);
                }
            };
        }
        return new ArrayColumnarBatch(base.getSchema(), columns, size);
    }

    /**
     * {@code data} with one more column, last: {@code changeType} in every row, as the {@code _change_type} column of a
     * cdc file. {@code changeSchema} is {@code data}'s schema plus that column.
     */
    static ColumnarBatch withChangeType(ColumnarBatch data, StructType changeSchema, String changeType) {
        int size = data.getSize();
        int columns = data.getSchema().length();
        ColumnVector[] vectors = new ColumnVector[columns + 1];
        for (int c = 0; c < columns; c++) {
            vectors[c] = data.getColumnVector(c);
        }
        vectors[columns] = new NonNullColumnVector(StringType.STRING, size) {
            @Override
            public String getString(int row) {
                return changeType;
            }
        };
        return new ArrayColumnarBatch(changeSchema, vectors, size);
    }

    /** A batch of the given vectors, each of {@code size} rows. */
    static ColumnarBatch batch(StructType schema, ColumnVector[] columns, int size) {
        return new ArrayColumnarBatch(schema, columns, size);
    }

    /** Selection vector for a {@code FilteredColumnarBatch}: false drops the row. */
    static ColumnVector selection(boolean[] keep) {
        return new NonNullColumnVector(BooleanType.BOOLEAN, keep.length) {
            @Override
            public boolean getBoolean(int row) {
                return keep[row];
            }
        };
    }

    private static final class KeyRange extends NonNullColumnVector {
        private final long first;

        KeyRange(long first, int size) {
            super(LongType.LONG, size);
            this.first = first;
        }

        @Override
        public long getLong(int row) {
            return first + row;
        }
    }

    private abstract static class Numeric extends NonNullColumnVector {
        private final GeneratorSpec spec;
        private final int feature;
        private final long version;

        Numeric(GeneratorSpec spec, DataType type, int feature, int size, long version) {
            super(type, size);
            this.spec = spec;
            this.feature = feature;
            this.version = version;
        }

        abstract long key(int row);

        @Override
        public double getDouble(int row) {
            return spec.numericValue(key(row), feature, version);
        }

        @Override
        public float getFloat(int row) {
            return (float) spec.numericValue(key(row), feature, version);
        }
    }

    private abstract static class Categorical extends NonNullColumnVector {
        private final GeneratorSpec spec;
        private final int feature;
        private final long version;

        Categorical(GeneratorSpec spec, int feature, int size, long version) {
            super(StringType.STRING, size);
            this.spec = spec;
            this.feature = feature;
            this.version = version;
        }

        abstract long key(int row);

        @Override
        public String getString(int row) {
            return spec.stringValue(key(row), feature, version);
        }
    }
}
