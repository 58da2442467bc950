package dev.larder.tools.generate;

import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.internal.util.VectorUtils;
import io.delta.kernel.types.StructType;

import java.util.ArrayList;
import java.util.List;

/**
 * The change rows one rewritten file contributes to its commit's cdc file: deletes and update pre-images copied from
 * the rows read back, update post-images from the rewritten rows. A commit changes a few thousand rows, so they are
 * copied out of the reader's batches (which Kernel may reuse) into lists; confined to the task rewriting that file.
 */
final class ChangeRows {
    private final StructType dataSchema;
    private final List<List<Object>> columns = new ArrayList<>();

    ChangeRows(StructType dataSchema) {
        this.dataSchema = dataSchema;
        for (int c = 0; c <= dataSchema.length(); c++) {
            columns.add(new ArrayList<>());
        }
    }

    /** Copies row {@code row} of {@code batch} (in the table's schema) with the given {@code _change_type}. */
    void add(ColumnarBatch batch, int row, String changeType) {
        for (int c = 0; c < dataSchema.length(); c++) {
            ColumnVector vector = batch.getColumnVector(c);
            columns.get(c).add(vector.isNullAt(row) ? null
                    : VectorUtils.getValueAsObject(vector, dataSchema.at(c).getDataType(), row));
        }
        columns.get(dataSchema.length()).add(changeType);
    }

    boolean isEmpty() {
        return columns.get(0).isEmpty();
    }

    /** The rows added so far, in {@code changeSchema}: the table's columns, then {@code _change_type}. */
    ColumnarBatch batch(StructType changeSchema) {
        ColumnVector[] vectors = new ColumnVector[changeSchema.length()];
        for (int c = 0; c < vectors.length; c++) {
            vectors[c] = VectorUtils.buildColumnVector(columns.get(c), changeSchema.at(c).getDataType());
        }
        return Vectors.batch(changeSchema, vectors, columns.get(0).size());
    }
}
