package dev.larder.snapshot.parquet;

import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.types.BinaryType;
import io.delta.kernel.types.BooleanType;
import io.delta.kernel.types.ByteType;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.FloatType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.MetadataColumnSpec;
import io.delta.kernel.types.ShortType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampNTZType;
import io.delta.kernel.types.TimestampType;
import io.delta.kernel.utils.CloseableIterator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.HadoopReadOptions;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;

/**
 * Reads a parquet data file whose requested columns are all flat numeric, boolean, date, timestamp, string or binary
 * columns, as batches of Kernel column vectors, without Kernel's row-at-a-time converters; one thread per instance.
 *
 * <p>{@link #open} returns null for any file it cannot read exactly as Kernel's default reader would (another column
 * type, an unsigned or millisecond annotation, a field id that does not match by name, an encoding outside PLAIN,
 * dictionary, RLE and the DELTA ones, a metadata column other than the row index); the caller then reads it through
 * Kernel. Columns absent from the file read as null, as in Kernel. The batches and their vectors are reused: each is
 * valid until the next call to {@link #next}.
 */
public final class PrimitiveParquetReader implements CloseableIterator<ColumnarBatch> {
    /** Rows per batch: large enough to amortise the per-batch work, small enough to stay in L2. */
    static final int BATCH_ROWS = 4096;
    /**
     * The key under which a parquet field's metadata carries its Delta column-mapping id: Kernel's
     * {@code ColumnMapping.PARQUET_FIELD_ID_KEY}, an internal class this module reaches only through
     * {@code KernelInternals} (in another package); PrimitiveParquetReaderTest checks that the two agree.
     */
    static final String FIELD_ID_KEY = "parquet.field.id";

    // PLAIN_DICTIONARY and BIT_PACKED are deprecated in the format, but files from Parquet v1 writers still use them.
    @SuppressWarnings("deprecation")
    private static final Set<Encoding> SUPPORTED_ENCODINGS = EnumSet.of(Encoding.PLAIN, Encoding.PLAIN_DICTIONARY,
            Encoding.RLE_DICTIONARY, Encoding.RLE, Encoding.BIT_PACKED, Encoding.DELTA_BINARY_PACKED,
            Encoding.DELTA_LENGTH_BYTE_ARRAY, Encoding.DELTA_BYTE_ARRAY);

    private final ParquetFileReader file;
    private final StructType schema;
    private final ColumnChunkDecoder[] decoders;
    private final DecodedVector[] vectors;
    private final int rowIndexColumn;
    private final Batch batch;
    private PageReadStore rowGroup;
    private long rowGroupLeft;
    private long rowIndex;
    private boolean batchReady;

    private PrimitiveParquetReader(ParquetFileReader file, StructType schema, ColumnChunkDecoder[] decoders,
                                   int rowIndexColumn) {
        this.file = file;
        this.schema = schema;
        this.decoders = decoders;
        this.rowIndexColumn = rowIndexColumn;
        this.vectors = new DecodedVector[schema.length()];
        for (int i = 0; i < vectors.length; i++) {
            DataType t = schema.at(i).getDataType();
            DecodedVector.Storage storage = t instanceof DoubleType || t instanceof FloatType
                    ? DecodedVector.Storage.DOUBLES
                    : t instanceof StringType || t instanceof BinaryType ? DecodedVector.Storage.BYTES
                    : DecodedVector.Storage.LONGS;
            vectors[i] = new DecodedVector(t, storage, BATCH_ROWS);
        }
        this.batch = new Batch();
    }

    /**
     * Opens {@code path} for reading {@code readSchema} (physical column names, possibly with the row index metadata
     * column), or returns null if the file needs Kernel's general reader.
     *
     * @throws IOException if the file cannot be opened or its footer read
     */
    public static PrimitiveParquetReader open(Configuration conf, String path, StructType readSchema)
            throws IOException {
        int rowIndexColumn = -1;
        for (int i = 0; i < readSchema.length(); i++) {
            StructField f = readSchema.at(i);
            if (f.isMetadataColumn()) {
                if (f.getMetadataColumnSpec() != MetadataColumnSpec.ROW_INDEX || rowIndexColumn >= 0) {
                    return null;
                }
                rowIndexColumn = i;
            } else if (!supported(f.getDataType())) {
                return null;
            }
        }
        // Options from the caller's conf: open(InputFile) alone builds them from a new Configuration, which parses
        // the Hadoop XML defaults again for every file (40% of the CPU of reading a commit's small CDF files).
        ParquetFileReader file = ParquetFileReader.open(HadoopInputFile.fromPath(new Path(path), conf),
                HadoopReadOptions.builder(conf).build());
        try {
            MessageType fileSchema = file.getFooter().getFileMetaData().getSchema();
            ColumnChunkDecoder[] decoders = new ColumnChunkDecoder[readSchema.length()];
            List<Type> requested = new ArrayList<>();
            for (int i = 0; i < readSchema.length(); i++) {
                StructField f = readSchema.at(i);
                if (i == rowIndexColumn) {
                    continue;
                }
                Type match = find(fileSchema, f);
                if (match == null) {
                    if (f.getMetadata().contains(FIELD_ID_KEY)) {
                        return null;
                    }
                    continue;
                }
                if (!compatible(match, f) || requested.contains(match)) {
                    return null;
                }
                requested.add(match);
                decoders[i] = new ColumnChunkDecoder(fileSchema.getColumnDescription(new String[] {match.getName()}));
            }
            Set<String> requestedNames = new HashSet<>();
            requested.forEach(t -> requestedNames.add(t.getName()));
            for (BlockMetaData block : file.getFooter().getBlocks()) {
                for (ColumnChunkMetaData chunk : block.getColumns()) {
                    if (requestedNames.contains(chunk.getPath().toDotString())
                            && !SUPPORTED_ENCODINGS.containsAll(chunk.getEncodings())) {
                        return null;
                    }
                }
            }
            file.setRequestedSchema(new MessageType(fileSchema.getName(), requested));
            PrimitiveParquetReader reader = new PrimitiveParquetReader(file, readSchema, decoders, rowIndexColumn);
            file = null;
            return reader;
        } finally {
            if (file != null) {
                file.close();
            }
        }
    }

    private static boolean supported(DataType t) {
        return t instanceof BooleanType || t instanceof ByteType || t instanceof ShortType || t instanceof IntegerType
                || t instanceof LongType || t instanceof FloatType || t instanceof DoubleType || t instanceof DateType
                || t instanceof TimestampType || t instanceof TimestampNTZType || t instanceof StringType
                || t instanceof BinaryType;
    }

    /** The file's top-level field for {@code f}: by exact name, else by a unique case-insensitive name. */
    private static Type find(MessageType fileSchema, StructField f) {
        Type exact = null;
        Type folded = null;
        int foldedCount = 0;
        for (Type t : fileSchema.getFields()) {
            if (t.getName().equals(f.getName())) {
                exact = t;
            } else if (t.getName().equalsIgnoreCase(f.getName())) {
                folded = t;
                foldedCount++;
            }
        }
        Type match = exact != null ? exact : foldedCount == 1 ? folded : null;
        if (match != null && f.getMetadata().contains(FIELD_ID_KEY)) {
            long id = f.getMetadata().getLong(FIELD_ID_KEY);
            if (match.getId() != null && match.getId().intValue() != id) {
                return null;
            }
        }
        return match;
    }

    private static boolean compatible(Type match, StructField f) {
        if (!match.isPrimitive() || match.isRepetition(Type.Repetition.REPEATED)) {
            return false;
        }
        PrimitiveType p = match.asPrimitiveType();
        LogicalTypeAnnotation a = p.getLogicalTypeAnnotation();
        DataType t = f.getDataType();
        PrimitiveTypeName n = p.getPrimitiveTypeName();
        if (t instanceof BooleanType) {
            return n == PrimitiveTypeName.BOOLEAN && a == null;
        }
        if (t instanceof ByteType || t instanceof ShortType || t instanceof IntegerType) {
            return n == PrimitiveTypeName.INT32 && signedIntOrNone(a);
        }
        if (t instanceof DateType) {
            return n == PrimitiveTypeName.INT32
                    && (a == null || a instanceof LogicalTypeAnnotation.DateLogicalTypeAnnotation);
        }
        if (t instanceof LongType) {
            return n == PrimitiveTypeName.INT64 && signedIntOrNone(a);
        }
        if (t instanceof TimestampType || t instanceof TimestampNTZType) {
            return n == PrimitiveTypeName.INT64 && a instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation ts
                    && ts.getUnit() == LogicalTypeAnnotation.TimeUnit.MICROS;
        }
        if (t instanceof StringType) {
            return n == PrimitiveTypeName.BINARY
                    && (a == null || a instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation);
        }
        if (t instanceof BinaryType) {
            return n == PrimitiveTypeName.BINARY && a == null;
        }
        if (t instanceof FloatType) {
            return n == PrimitiveTypeName.FLOAT && a == null;
        }
        return t instanceof DoubleType && n == PrimitiveTypeName.DOUBLE && a == null;
    }

    private static boolean signedIntOrNone(LogicalTypeAnnotation a) {
        return a == null || (a instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation i && i.isSigned());
    }

    @Override
    public boolean hasNext() {
        if (batchReady) {
            return true;
        }
        try {
            while (rowGroupLeft == 0) {
                rowGroup = file.readNextRowGroup();
                if (rowGroup == null) {
                    return false;
                }
                rowGroupLeft = rowGroup.getRowCount();
                for (ColumnChunkDecoder d : decoders) {
                    if (d != null) {
                        d.start(rowGroup.getPageReader(d.column()));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int n = (int) Math.min(BATCH_ROWS, rowGroupLeft);
        for (int c = 0; c < vectors.length; c++) {
            DecodedVector v = vectors[c];
            v.size = n;
            v.anyNull = false;
            v.dataLength = 0;
            if (c == rowIndexColumn) {
                for (int i = 0; i < n; i++) {
                    v.longs[i] = rowIndex + i;
                }
            } else if (decoders[c] == null) {
                v.anyNull = true;
                Arrays.fill(v.nulls, 0, n, true);
            } else {
                decoders[c].read(v, 0, n);
            }
        }
        batch.size = n;
        rowGroupLeft -= n;
        rowIndex += n;
        batchReady = true;
        return true;
    }

    @Override
    public ColumnarBatch next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        batchReady = false;
        return batch;
    }

    @Override
    public void close() throws IOException {
        file.close();
    }

    private final class Batch implements ColumnarBatch {
        int size;

        @Override
        public StructType getSchema() {
            return schema;
        }

        @Override
        public ColumnVector getColumnVector(int ordinal) {
            return vectors[ordinal];
        }

        @Override
        public int getSize() {
            return size;
        }
    }
}
