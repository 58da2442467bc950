package dev.larder.snapshot;

import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import java.util.ArrayList;
import java.util.List;

/**
 * Immutable: a Kernel batch of {@code size} rows over given columns (the served-feature log's, the generator's). Kernel
 * drops a partition column from it before writing ({@link #withDeletedColumnAt}).
 */
public record ArrayColumnarBatch(StructType schema, ColumnVector[] columns, int size) implements ColumnarBatch {
    @Override
    public StructType getSchema() {
        return schema;
    }

    @Override
    public ColumnVector getColumnVector(int ordinal) {
        return columns[ordinal];
    }

    @Override
    public int getSize() {
        return size;
    }

    @Override
    public ColumnarBatch withDeletedColumnAt(int ordinal) {
        ColumnVector[] kept = new ColumnVector[columns.length - 1];
        System.arraycopy(columns, 0, kept, 0, ordinal);
        System.arraycopy(columns, ordinal + 1, kept, ordinal, kept.length - ordinal);
        List<StructField> fields = new ArrayList<>(schema.fields());
        fields.remove(ordinal);
        return new ArrayColumnarBatch(new StructType(fields), kept, size);
    }

    @Override
    public ColumnarBatch withNewSchema(StructType newSchema) {
        return new ArrayColumnarBatch(newSchema, columns, size);
    }
}
