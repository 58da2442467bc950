package dev.larder.snapshot.trainset;

import io.delta.kernel.Scan;
import io.delta.kernel.Snapshot;
import io.delta.kernel.SnapshotBuilder;
import io.delta.kernel.TableManager;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.engine.FileReadResult;
import io.delta.kernel.internal.InternalScanFileUtils;
import io.delta.kernel.internal.data.ScanStateRow;
import io.delta.kernel.types.BooleanType;
import io.delta.kernel.types.ByteType;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.FloatType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.ShortType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampType;
import io.delta.kernel.utils.CloseableIterator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;

import static io.delta.kernel.internal.util.Utils.singletonCloseableIterator;

/**
 * Reads a Delta table's rows at a version through Kernel's own Scan API, independent of Larder's snapshot reader and
 * change feed: each row as column name to value (integers as Long, floats as Double, Boolean, String, a date as its
 * epoch day (Integer), a timestamp as epoch micros (Long); null as null).
 */
public final class KernelRows {
    private static final Engine ENGINE = DefaultEngine.create(new Configuration());

    private KernelRows() {
    }

    /** The rows of the table at {@code version}, or at its latest version when negative. */
    public static List<Map<String, Object>> at(Path table, long version) {
        SnapshotBuilder b = TableManager.loadSnapshot(table.toAbsolutePath().toUri().toString());
        Snapshot snapshot = (version >= 0 ? b.atVersion(version) : b).build(ENGINE);
        Scan scan = snapshot.getScanBuilder().build();
        Row scanState = scan.getScanState(ENGINE);
        StructType physicalSchema = ScanStateRow.getPhysicalDataReadSchema(scanState);
        List<Map<String, Object>> rows = new ArrayList<>();
        try (CloseableIterator<FilteredColumnarBatch> scanFiles = scan.getScanFiles(ENGINE)) {
            while (scanFiles.hasNext()) {
                try (CloseableIterator<Row> files = scanFiles.next().getRows()) {
                    while (files.hasNext()) {
                        Row scanFile = files.next();
                        CloseableIterator<ColumnarBatch> physical = ENGINE.getParquetHandler()
                                .readParquetFiles(singletonCloseableIterator(
                                        InternalScanFileUtils.getAddFileStatus(scanFile)), physicalSchema,
                                        Optional.empty())
                                .map(FileReadResult::getData);
                        try (CloseableIterator<FilteredColumnarBatch> data =
                                     Scan.transformPhysicalData(ENGINE, scanState, scanFile, physical)) {
                            while (data.hasNext()) {
                                collect(data.next(), rows);
                            }
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return rows;
    }

    private static void collect(FilteredColumnarBatch filtered, List<Map<String, Object>> rows) {
        ColumnarBatch batch = filtered.getData();
        Optional<ColumnVector> selection = filtered.getSelectionVector();
        StructType schema = batch.getSchema();
        for (int row = 0; row < batch.getSize(); row++) {
            if (selection.isPresent() && !selection.get().getBoolean(row)) {
                continue;
            }
            Map<String, Object> values = new LinkedHashMap<>();
            for (int c = 0; c < schema.length(); c++) {
                ColumnVector v = batch.getColumnVector(c);
                values.put(schema.at(c).getName(), v.isNullAt(row) ? null : value(v, row));
            }
            rows.add(values);
        }
    }

    private static Object value(ColumnVector v, int row) {
        DataType t = v.getDataType();
        if (t instanceof LongType || t instanceof TimestampType) {
            return v.getLong(row);
        }
        if (t instanceof IntegerType) {
            return (long) v.getInt(row);
        }
        if (t instanceof ShortType) {
            return (long) v.getShort(row);
        }
        if (t instanceof ByteType) {
            return (long) v.getByte(row);
        }
        if (t instanceof DoubleType) {
            return v.getDouble(row);
        }
        if (t instanceof FloatType) {
            return (double) v.getFloat(row);
        }
        if (t instanceof BooleanType) {
            return v.getBoolean(row);
        }
        if (t instanceof DateType) {
            return v.getInt(row);
        }
        if (t instanceof StringType) {
            return v.getString(row);
        }
        throw new AssertionError("no test reading of " + t);
    }
}
