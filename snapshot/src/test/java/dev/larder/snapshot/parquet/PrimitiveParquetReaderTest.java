package dev.larder.snapshot.parquet;

import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.BINARY;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.BOOLEAN;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.DOUBLE;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.FLOAT;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.INT32;
import static org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.INT64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.FileReadResult;
import io.delta.kernel.internal.util.Utils;
import io.delta.kernel.types.BinaryType;
import io.delta.kernel.types.BooleanType;
import io.delta.kernel.types.ByteType;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.DecimalType;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.FloatType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.ShortType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampType;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.column.ParquetProperties.WriterVersion;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fast reader must deliver exactly what Kernel's reader delivers for the same file and read schema: files written
 * by parquet-mr with every supported column type, nulls, several pages and row groups, each codec, page format v1 and
 * v2, with and without dictionaries.
 */
class PrimitiveParquetReaderTest {
    private static final int ROWS = 12_345;
    private static final String[] LABELS = {"", "gold", "silver", "bronze", "ünïcødé ✓", "中文", "a\"quote"};

    @TempDir
    Path dir;

    private final Configuration conf = new Configuration();

    private static final MessageType FILE_SCHEMA = Types.buildMessage()
            .required(INT64).named("id")
            .optional(INT32).named("i32")
            .optional(INT32).as(LogicalTypeAnnotation.intType(8, true)).named("i8")
            .optional(INT32).as(LogicalTypeAnnotation.intType(16, true)).named("i16")
            .optional(INT32).as(LogicalTypeAnnotation.dateType()).named("day")
            .optional(INT64).as(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MICROS))
            .named("ts")
            .optional(FLOAT).named("f32")
            .optional(DOUBLE).named("f64")
            .optional(BOOLEAN).named("flag")
            .optional(DOUBLE).named("few_doubles")
            .optional(INT64).named("few_longs")
            .required(DOUBLE).named("dense")
            .optional(BINARY).as(LogicalTypeAnnotation.stringType()).named("label")
            .optional(BINARY).as(LogicalTypeAnnotation.stringType()).named("text")
            .optional(BINARY).named("blob")
            .named("features");

    /** The read schema: every file column, one the file lacks (reads as null) and the row index. */
    private static final StructType READ_SCHEMA = new StructType()
            .add("id", LongType.LONG)
            .add("i32", IntegerType.INTEGER)
            .add("i8", ByteType.BYTE)
            .add("i16", ShortType.SHORT)
            .add("day", DateType.DATE)
            .add("ts", TimestampType.TIMESTAMP)
            .add("f32", FloatType.FLOAT)
            .add("f64", DoubleType.DOUBLE)
            .add("flag", BooleanType.BOOLEAN)
            .add("few_doubles", DoubleType.DOUBLE)
            .add("few_longs", LongType.LONG)
            .add("dense", DoubleType.DOUBLE)
            .add("label", StringType.STRING)
            .add("text", StringType.STRING)
            .add("blob", BinaryType.BINARY)
            .add("added_later", DoubleType.DOUBLE)
            .add(StructField.DEFAULT_ROW_INDEX_COLUMN);


    static Stream<Arguments> formats() {
        List<Arguments> out = new ArrayList<>();
        for (CompressionCodecName codec : List.of(CompressionCodecName.UNCOMPRESSED, CompressionCodecName.SNAPPY,
                CompressionCodecName.ZSTD, CompressionCodecName.GZIP)) {
            out.add(Arguments.of(WriterVersion.PARQUET_1_0, codec, true));
            out.add(Arguments.of(WriterVersion.PARQUET_1_0, codec, false));
            out.add(Arguments.of(WriterVersion.PARQUET_2_0, codec, true));
            out.add(Arguments.of(WriterVersion.PARQUET_2_0, codec, false));
        }
        return out.stream();
    }

    @ParameterizedTest
    @MethodSource("formats")
    void readsExactlyWhatKernelReads(WriterVersion version, CompressionCodecName codec, boolean dictionary)
            throws IOException {
        Path file = write(version, codec, dictionary, 0.1);
        assertSameAsKernel(file, READ_SCHEMA);
    }

    /** The field-id key the reader matches columns by is Kernel's own (kept apart from Kernel's internal class). */
    @Test
    void theFieldIdKeyIsKernels() {
        assertEquals(io.delta.kernel.internal.util.ColumnMapping.PARQUET_FIELD_ID_KEY,
                PrimitiveParquetReader.FIELD_ID_KEY);
    }

    @Test
    void columnsWithoutNullsAndAllNullColumns() throws IOException {
        assertSameAsKernel(write(WriterVersion.PARQUET_1_0, CompressionCodecName.SNAPPY, true, 0.0), READ_SCHEMA);
        assertSameAsKernel(write(WriterVersion.PARQUET_2_0, CompressionCodecName.SNAPPY, true, 1.0), READ_SCHEMA);
    }

    @Test
    void filesItCannotReadExactlyAreLeftToKernel() throws IOException {
        Path file = write(WriterVersion.PARQUET_1_0, CompressionCodecName.SNAPPY, true, 0.1);
        String path = file.toUri().toString();
        assertNull(PrimitiveParquetReader.open(conf, path, new StructType().add("id", StringType.STRING)),
                "an INT64 read as a string");
        assertNull(PrimitiveParquetReader.open(conf, path, new StructType().add("f64", new DecimalType(10, 2))),
                "decimal columns");
        assertNull(PrimitiveParquetReader.open(conf, path, new StructType().add("i32", LongType.LONG)),
                "a physical type other than the one the Delta type reads from (type widening)");
        assertNull(PrimitiveParquetReader.open(conf, path, new StructType().add("id", TimestampType.TIMESTAMP)),
                "an INT64 without the microsecond timestamp annotation read as a timestamp");
        Path split = write(WriterVersion.PARQUET_1_0, CompressionCodecName.SNAPPY, false, 0.1, true);
        assertNull(PrimitiveParquetReader.open(conf, split.toUri().toString(), READ_SCHEMA), "BYTE_STREAM_SPLIT pages");
        assertSameAsKernel(split, new StructType().add("id", LongType.LONG).add("flag", BooleanType.BOOLEAN));
    }

    @Test
    void aTruncatedFileFailsInsteadOfReadingShort() throws IOException {
        Path file = write(WriterVersion.PARQUET_1_0, CompressionCodecName.SNAPPY, true, 0.1);
        byte[] b = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(b, b.length / 2));
        assertThrows(IOException.class, () -> PrimitiveParquetReader.open(conf, file.toUri().toString(), READ_SCHEMA));
    }

    /**
     * Rows with a fraction {@code nulls} of nulls in each optional column; small pages and row groups, so many of each.
     */
    private Path write(WriterVersion version, CompressionCodecName codec, boolean dictionary, double nulls)
            throws IOException {
        return write(version, codec, dictionary, nulls, false);
    }

    private Path write(WriterVersion version, CompressionCodecName codec, boolean dictionary, double nulls,
                       boolean byteStreamSplit) throws IOException {
        Path file = dir.resolve(version + "-" + codec + "-" + dictionary + "-" + nulls + "-" + byteStreamSplit
                + ".parquet");
        Random rnd = new Random(42);
        SimpleGroupFactory groups = new SimpleGroupFactory(FILE_SCHEMA);
        try (ParquetWriter<Group> w = ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(file.toUri()))
                .withConf(conf).withType(FILE_SCHEMA).withCompressionCodec(codec).withWriterVersion(version)
                .withDictionaryEncoding(dictionary).withByteStreamSplitEncoding(byteStreamSplit).withPageSize(4096)
                .withPageRowCountLimit(700)
                .withRowGroupSize(96 * 1024L).build()) {
            for (int i = 0; i < ROWS; i++) {
                Group g = groups.newGroup().append("id", (long) i * 7919 - 50_000);
                if (rnd.nextDouble() >= nulls) {
                    g.append("i32", rnd.nextInt());
                }
                if (rnd.nextDouble() >= nulls) {
                    g.append("i8", rnd.nextInt(256) - 128);
                }
                if (rnd.nextDouble() >= nulls) {
                    g.append("i16", rnd.nextInt(65536) - 32768);
                }
                if (rnd.nextDouble() >= nulls) {
                    g.append("day", rnd.nextInt(40_000) - 10_000);
                }
                if (rnd.nextDouble() >= nulls) {
                    g.append("ts", rnd.nextLong() >> 12);
                }
                if (rnd.nextDouble() >= nulls) {
                    g.append("f32", rnd.nextFloat() * 1e6f - 5e5f);
                }
                if (rnd.nextDouble() >= nulls) {
                    g.append("f64", rnd.nextGaussian() * 1e9);
                }
                if (rnd.nextDouble() >= nulls) {
                    g.append("flag", rnd.nextBoolean());
                }
                if (rnd.nextDouble() >= nulls) {
                    g.append("few_doubles", rnd.nextInt(5) * 0.25);
                }
                if (rnd.nextDouble() >= nulls) {
                    g.append("few_longs", (long) rnd.nextInt(3));
                }
                g.append("dense", i * 0.5);
                if (rnd.nextDouble() >= nulls) {
                    g.append("label", LABELS[rnd.nextInt(LABELS.length)]);
                }
                if (rnd.nextDouble() >= nulls) {
                    // Mostly distinct, now and then long: the dictionary outgrows its limit and the chunk goes plain.
                    g.append("text", "t" + rnd.nextLong() + (rnd.nextInt(50) == 0 ? "x".repeat(3000) : ""));
                }
                if (rnd.nextDouble() >= nulls) {
                    byte[] blob = new byte[rnd.nextInt(40)];
                    rnd.nextBytes(blob);
                    g.append("blob", Binary.fromConstantByteArray(blob));
                }
                w.write(g);
            }
        }
        return file;
    }

    private void assertSameAsKernel(Path file, StructType schema) throws IOException {
        String path = file.toUri().toString();
        List<Object[]> kernel = new ArrayList<>();
        try (CloseableIterator<FileReadResult> it = DefaultEngine.create(conf).getParquetHandler().readParquetFiles(
                Utils.toCloseableIterator(List.of(FileStatus.of(path, Files.size(file), 0)).iterator()), schema,
                Optional.empty())) {
            while (it.hasNext()) {
                collect(it.next().getData(), schema, kernel);
            }
        }
        List<Object[]> fast = new ArrayList<>();
        PrimitiveParquetReader reader = PrimitiveParquetReader.open(conf, path, schema);
        assertNotNull(reader, "the fast path should take " + file.getFileName());
        int batches = 0;
        try (reader) {
            while (reader.hasNext()) {
                ColumnarBatch b = reader.next();
                assertTrue(b.getSize() > 0 && b.getSize() <= PrimitiveParquetReader.BATCH_ROWS);
                collect(b, schema, fast);
                batches++;
            }
        }
        assertFalse(reader.hasNext());
        assertEquals(ROWS, kernel.size());
        assertEquals(ROWS, fast.size());
        assertTrue(batches > 3, "several batches: " + batches);
        for (int r = 0; r < ROWS; r++) {
            for (int c = 0; c < schema.length(); c++) {
                assertEquals(kernel.get(r)[c], fast.get(r)[c], file.getFileName() + " row " + r + " column "
                        + schema.at(c).getName());
            }
        }
    }

    private static void collect(ColumnarBatch b, StructType schema, List<Object[]> out) {
        for (int r = 0; r < b.getSize(); r++) {
            Object[] row = new Object[schema.length()];
            for (int c = 0; c < schema.length(); c++) {
                row[c] = value(b.getColumnVector(c), schema.at(c).getDataType(), r);
            }
            out.add(row);
        }
    }

    private static Object value(ColumnVector v, DataType t, int r) {
        if (v.isNullAt(r)) {
            return null;
        }
        if (t instanceof BooleanType) {
            return v.getBoolean(r);
        } else if (t instanceof ByteType) {
            return v.getByte(r);
        } else if (t instanceof ShortType) {
            return v.getShort(r);
        } else if (t instanceof IntegerType || t instanceof DateType) {
            return v.getInt(r);
        } else if (t instanceof LongType || t instanceof TimestampType) {
            return v.getLong(r);
        } else if (t instanceof FloatType) {
            return v.getFloat(r);
        } else if (t instanceof StringType) {
            return v.getString(r);
        } else if (t instanceof BinaryType) {
            return HexFormat.of().formatHex(v.getBinary(r));
        }
        return v.getDouble(r);
    }
}
