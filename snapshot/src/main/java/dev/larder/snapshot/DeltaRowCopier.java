package dev.larder.snapshot;

import dev.larder.store.FeatureSchema;
import dev.larder.store.RowBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Copies Delta rows into a feature table's staging row, matching columns by name (so rows of a later, additively
 * evolved schema still land in the right columns). One instance per producing thread.
 */
final class DeltaRowCopier {
    private final FeatureSchema target;
    private DeltaSchema source;
    private int[] sourceIndex;

    DeltaRowCopier(FeatureSchema target) {
        this.target = target;
    }

    /**
     * Fills {@code dst}, which must be cleared (all null), from {@code src}; columns absent or null in {@code src} stay
     * null. Sinks hand out cleared rows already, so clearing here would do it twice per row.
     */
    void copy(DeltaRow src, RowBuffer dst) {
        if (src.schema() != source) {
            remap(src.schema());
        }
        VectorRow vectorRow = src instanceof VectorRow v ? v : null;
        for (int c = 0; c < sourceIndex.length; c++) {
            int s = sourceIndex[c];
            if (s < 0 || src.isNull(s)) {
                continue;
            }
            switch (target.type(c)) {
                case BOOLEAN -> dst.setBoolean(c, src.getBoolean(s));
                case INT8 -> dst.setLong(c, src.getByte(s));
                case INT16 -> dst.setLong(c, src.getShort(s));
                case INT32 -> dst.setLong(c, src.getInt(s));
                case INT64 -> dst.setLong(c, src.getLong(s));
                case FLOAT32 -> dst.setFloat(c, src.getFloat(s));
                case FLOAT64 -> dst.setDouble(c, src.getDouble(s));
                case DECIMAL -> dst.setDecimal(c, src.getDecimal(s));
                case STRING -> {
                    if (vectorRow != null) {
                        vectorRow.copyString(s, dst, c);
                    } else {
                        dst.setString(c, src.getString(s));
                    }
                }
                case BINARY -> dst.setBytes(c, src.getBinary(s));
                case DATE -> dst.setLong(c, src.getDate(s));
                case TIMESTAMP, TIMESTAMP_NTZ -> dst.setLong(c, src.getTimestampMicros(s));
                case OPAQUE -> dst.setBytes(c, src.getNested(s).toJson().getBytes(StandardCharsets.UTF_8));
                case FLOAT32_ARRAY -> throw new IllegalStateException("float32 arrays do not come from Delta columns");
            }
        }
    }

    private void remap(DeltaSchema schema) {
        int[] idx = new int[target.columnCount()];
        for (int c = 0; c < idx.length; c++) {
            idx[c] = schema.indexOf(target.column(c).name());
        }
        sourceIndex = idx;
        source = schema;
    }
}
