package dev.larder.snapshot;

import dev.larder.snapshot.parquet.PrimitiveParquetReader;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.engine.FileReadResult;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import org.apache.hadoop.conf.Configuration;

/**
 * Reads one parquet file's rows into {@link VectorRow}s; thread-safe (stateless). Files of flat primitive columns go
 * through {@link PrimitiveParquetReader}, the rest through the Kernel engine's reader; Hadoop setting
 * {@value #FAST_PATH_KEY} = false sends every file through Kernel.
 */
final class FileRowReader {
    /**
     * Hadoop configuration key: whether files of flat primitive columns bypass Kernel's row converters (default true).
     */
    static final String FAST_PATH_KEY = "larder.parquet.fast-path";

    /** Receives selected rows; {@code changeTypes} is the {@code _change_type} vector when requested, else null. */
    interface Sink {
        void accept(VectorRow row, ColumnVector changeTypes, int rowId);
    }

    private final Engine engine;
    private final TablePaths paths;
    private final Configuration conf;
    private final boolean fastPath;
    /** Files read so far through {@link PrimitiveParquetReader}, and through Kernel: which path a table takes. */
    final LongAdder fastFiles = new LongAdder();
    final LongAdder kernelFiles = new LongAdder();

    FileRowReader(Engine engine, TablePaths paths, Configuration conf) {
        this.engine = engine;
        this.paths = paths;
        this.conf = conf;
        this.fastPath = conf.getBoolean(FAST_PATH_KEY, true);
    }

    /**
     * Delivers the rows of {@code action}'s file whose row index is in {@code include} (all if null) and not
     * in {@code exclude} (none if null).
     *
     * @return rows delivered
     */
    long read(long version, FileAction action, TableLayout layout, KernelInternals.RowIndexes include,
              KernelInternals.RowIndexes exclude, boolean withChangeType, Sink sink) {
        String file = paths.resolveLogPath(action.path(), version);
        StructType schema = layout.dataReadSchema;
        int changeTypeIndex = -1;
        int rowIndexIndex = -1;
        if (withChangeType) {
            changeTypeIndex = schema.length();
            schema = schema.add(TableLayout.CHANGE_TYPE_COLUMN, StringType.STRING);
        }
        if (include != null || exclude != null) {
            rowIndexIndex = schema.length();
            schema = schema.add(StructField.DEFAULT_ROW_INDEX_COLUMN);
        }
        ColumnVector[] partitionVectors = layout.partitionVectors(action.partitionValues(), paths.root, version, file);
        VectorRow row = new VectorRow(layout);
        ColumnVector[] dataVectors = new ColumnVector[layout.dataReadSchema.length()];
        long delivered = 0;
        CloseableIterator<ColumnarBatch> batches;
        try {
            batches = fastPath ? PrimitiveParquetReader.open(conf, file, schema) : null;
            (batches == null ? kernelFiles : fastFiles).increment();
            if (batches == null) {
                // Old writers leave size out of remove actions; the parquet reader needs the real length to find the
                // footer.
                FileStatus status = action.size() >= 0 ? FileStatus.of(file, action.size(), 0)
                        : engine.getFileSystemClient().getFileStatus(file);
                batches = engine.getParquetHandler().readParquetFiles(
                        KernelInternals.closeable(List.of(status).iterator()),
                        schema, Optional.empty()).map(FileReadResult::getData);
            }
        } catch (IOException | RuntimeException e) {
            throw fileError(version, file, e);
        }
        try (CloseableIterator<ColumnarBatch> it = batches) {
            while (true) {
                ColumnarBatch batch;
                // Only the reader's own calls are translated: consumer exceptions propagate untouched.
                try {
                    if (!it.hasNext()) {
                        break;
                    }
                    batch = it.next();
                } catch (RuntimeException | OutOfMemoryError e) {
                    throw fileError(version, file, e);
                }
                for (int d = 0; d < dataVectors.length; d++) {
                    dataVectors[d] = batch.getColumnVector(d);
                }
                row.bind(partitionVectors, dataVectors);
                ColumnVector changeTypes = changeTypeIndex >= 0 ? batch.getColumnVector(changeTypeIndex) : null;
                ColumnVector rowIndexes = rowIndexIndex >= 0 ? batch.getColumnVector(rowIndexIndex) : null;
                int n = batch.getSize();
                for (int i = 0; i < n; i++) {
                    if (rowIndexes != null) {
                        long index = rowIndexes.getLong(i);
                        if ((include != null && !include.contains(index))
                                || (exclude != null && exclude.contains(index))) {
                            continue;
                        }
                    }
                    row.moveTo(i);
                    sink.accept(row, changeTypes, i);
                    delivered++;
                }
            }
        } catch (IOException e) {
            throw fileError(version, file, e);
        }
        return delivered;
    }

    /** {@code action}'s file when it is on the local file system, else null (also for a file URI with a host). */
    java.nio.file.Path localFile(long version, FileAction action) {
        java.net.URI u = KernelInternals.toUri(paths.resolveLogPath(action.path(), version));
        if (!"file".equals(u.getScheme())) {
            return null;
        }
        try {
            return java.nio.file.Path.of(u);
        } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            return null;
        }
    }

    /** The deletion vector's bitmap of deleted row indexes, or null if {@code dv} is null. */
    KernelInternals.RowIndexes loadDv(long version, KernelInternals.DeletionVector dv) {
        if (dv == null) {
            return null;
        }
        String where = dv.onDisk() ? paths.checkHadoopPath(dv.absolutePath(paths.root), version) : "inline";
        try {
            return KernelInternals.load(engine, paths.root, dv);
        } catch (RuntimeException e) {
            throw fileError(version, where, e);
        }
    }

    DeltaReadException fileError(long version, String file, Throwable e) {
        ExpiredCredentialsException expired = StorageFailure.expiredCredentials(e);
        if (expired != null) {
            return new DeltaReadException(DeltaReadException.Reason.EXPIRED_CREDENTIALS, paths.root, version, file,
                    null, expired.getMessage(), e);
        }
        String memory = StorageFailure.outOfMemory(e);
        if (memory != null) {
            return new DeltaReadException(DeltaReadException.Reason.OUT_OF_MEMORY, paths.root, version, file, null,
                    memory + ": " + e, e);
        }
        String storage = StorageFailure.describe(e, conf);
        if (storage != null) {
            return new DeltaReadException(DeltaReadException.Reason.IO, paths.root, version, file, null,
                    storage + ": " + e, e);
        }
        DeltaReadException.Reason reason = DeltaReadException.Reason.CORRUPT_FILE;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof FileNotFoundException || t instanceof NoSuchFileException) {
                reason = DeltaReadException.Reason.MISSING_FILE;
                break;
            }
        }
        String detail = reason == DeltaReadException.Reason.MISSING_FILE ? "file named by the log does not exist"
                : "file is corrupt or truncated";
        return new DeltaReadException(reason, paths.root, version, file, null, detail + ": " + e, e);
    }
}
