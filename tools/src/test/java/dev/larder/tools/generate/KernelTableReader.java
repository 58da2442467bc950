package dev.larder.tools.generate;

import io.delta.kernel.Scan;
import io.delta.kernel.Snapshot;
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
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.FloatType;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterator;
import org.apache.hadoop.conf.Configuration;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.TreeMap;

import static io.delta.kernel.internal.util.Utils.singletonCloseableIterator;

/**
 * Reads a whole table version through Kernel's own Scan API, independent of the generator's code paths: entity_id to
 * the row's other column values (numeric columns as doubles, float32 widened; strings as strings).
 */
final class KernelTableReader {
    private final Engine engine = DefaultEngine.create(new Configuration());
    private final String tablePath;

    KernelTableReader(Path table) {
        this.tablePath = table.toAbsolutePath().toUri().toString();
    }

    long latestVersion() {
        return TableManager.loadSnapshot(tablePath).build(engine).getVersion();
    }

    TreeMap<Long, Object[]> read(long version) throws IOException {
        Snapshot snapshot = TableManager.loadSnapshot(tablePath).atVersion(version).build(engine);
        Scan scan = snapshot.getScanBuilder().build();
        Row scanState = scan.getScanState(engine);
        StructType physicalSchema = ScanStateRow.getPhysicalDataReadSchema(scanState);
        TreeMap<Long, Object[]> rows = new TreeMap<>();
        try (CloseableIterator<FilteredColumnarBatch> scanFiles = scan.getScanFiles(engine)) {
            while (scanFiles.hasNext()) {
                try (CloseableIterator<Row> files = scanFiles.next().getRows()) {
                    while (files.hasNext()) {
                        Row scanFile = files.next();
                        CloseableIterator<ColumnarBatch> physical = engine.getParquetHandler()
                                .readParquetFiles(singletonCloseableIterator(
                                        InternalScanFileUtils.getAddFileStatus(scanFile)), physicalSchema,
                                        Optional.empty())
                                .map(FileReadResult::getData);
                        try (CloseableIterator<FilteredColumnarBatch> data =
                                     Scan.transformPhysicalData(engine, scanState, scanFile, physical)) {
                            while (data.hasNext()) {
                                collect(data.next(), rows);
                            }
                        }
                    }
                }
            }
        }
        return rows;
    }

    private static void collect(FilteredColumnarBatch filtered, TreeMap<Long, Object[]> rows) {
        ColumnarBatch batch = filtered.getData();
        Optional<ColumnVector> selection = filtered.getSelectionVector();
        int columns = batch.getSchema().length();
        for (int row = 0; row < batch.getSize(); row++) {
            if (selection.isPresent() && !selection.get().getBoolean(row)) {
                continue;
            }
            Object[] values = new Object[columns - 1];
            for (int c = 1; c < columns; c++) {
                ColumnVector vector = batch.getColumnVector(c);
                if (vector.isNullAt(row)) {
                    values[c - 1] = null;
                } else if (vector.getDataType() instanceof DoubleType) {
                    values[c - 1] = vector.getDouble(row);
                } else if (vector.getDataType() instanceof FloatType) {
                    values[c - 1] = (double) vector.getFloat(row);
                } else {
                    values[c - 1] = vector.getString(row);
                }
            }
            Object[] previous = rows.put(batch.getColumnVector(0).getLong(row), values);
            if (previous != null) {
                throw new AssertionError("entity_id " + batch.getColumnVector(0).getLong(row) + " appears twice");
            }
        }
    }
}
