package dev.larder.snapshot;

import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.types.StructType;
import java.util.Map;

/**
 * The fields of an add, remove or cdc action that reading needs; immutable.
 *
 * @param path the path as written in the log (URI-encoded)
 * @param partitionValues by physical column name; null if the action carries none
 * @param size file size in bytes, or -1 if not recorded
 * @param dv the deletion vector, or null
 */
record FileAction(String path, Map<String, String> partitionValues, long size, boolean dataChange,
                  KernelInternals.DeletionVector dv) {

    /** Reads the action at {@code row} of a struct vector holding add, remove or cdc actions. */
    static FileAction from(ColumnVector action, int row) {
        StructType t = (StructType) action.getDataType();
        ColumnVector pv = child(action, t, "partitionValues");
        ColumnVector size = child(action, t, "size");
        ColumnVector dataChange = child(action, t, "dataChange");
        ColumnVector dv = child(action, t, "deletionVector");
        return new FileAction(
                action.getChild(t.indexOf("path")).getString(row),
                pv == null || pv.isNullAt(row) ? null : KernelInternals.stringMap(pv.getMap(row)),
                size == null || size.isNullAt(row) ? -1 : size.getLong(row),
                dataChange != null && !dataChange.isNullAt(row) && dataChange.getBoolean(row),
                dv == null || dv.isNullAt(row) ? null : KernelInternals.deletionVector(dv, row));
    }

    private static ColumnVector child(ColumnVector struct, StructType t, String name) {
        int i = t.indexOf(name);
        return i < 0 ? null : struct.getChild(i);
    }

    /** True if both actions carry the same deletion vector (or none). */
    boolean sameDv(FileAction other) {
        return dv == null ? other.dv == null : dv.equals(other.dv);
    }
}
