package dev.larder.tools.generate;

import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.engine.FileReadResult;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.FloatType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.Type;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.delta.kernel.internal.util.Utils.singletonCloseableIterator;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A generated table with the change data feed on: valid Delta at every version (read back through Kernel), and each
 * commit's {@code cdc} actions and {@code _change_data/} files shaped as Delta Spark writes them and holding exactly
 * the rows the spec says the commit changed.
 */
class ChangeDataFeedGeneratorTest {
    private static final GeneratorSpec SPEC = GeneratorSpec.builder()
            .rows(5_000).numericFeatures(5).float32Features(2).stringFeatures(2)
            .commits(3).updatesPerCommit(40).deletesPerCommit(15).insertsPerCommit(25)
            .rowsPerFile(1_000).seed(11).changeDataFeed(true).build();
    private static final Pattern CDC = Pattern.compile(
            "^\\{\"cdc\":\\{\"path\":\"(_change_data/[^\"]+\\.parquet)\",\"partitionValues\":\\{},\"size\":(\\d+),"
                    + "\"dataChange\":false}}$");

    @TempDir
    static Path dir;
    static Path table;
    static KernelTableReader reader;
    private final Engine engine = DefaultEngine.create(new Configuration());

    @BeforeAll
    static void generate() throws IOException {
        table = dir.resolve("features");
        DeltaTableGenerator.generate(SPEC, table);
        reader = new KernelTableReader(table);
    }

    @Test
    void everyVersionReadThroughKernelEqualsTheSpecState() throws IOException {
        assertEquals(SPEC.commits(), reader.latestVersion());
        for (long version = 0; version <= SPEC.commits(); version++) {
            assertMatchesSpec(reader.read(version), SPEC.stateAt(version));
        }
    }

    @Test
    void versionZeroEnablesTheChangeDataFeed() throws IOException {
        List<String> log = log(table, 0);
        assertTrue(log.stream().anyMatch(line -> line.startsWith("{\"metaData\":")
                && line.contains("\"delta.enableChangeDataFeed\":\"true\"")), String.join("\n", log));
        String protocol = log.stream().filter(line -> line.startsWith("{\"protocol\":")).findFirst().orElseThrow();
        // Writer version 4 implies changeDataFeed; table-features protocols (7) must list it.
        assertTrue(protocol.contains("\"minWriterVersion\":4") || protocol.contains("\"changeDataFeed\""), protocol);
        assertTrue(log.stream().noneMatch(line -> line.startsWith("{\"cdc\":")), "an initial write has no cdc files");
    }

    @Test
    void eachCommitAddsCdcActionsAsDeltaSparkWritesThem() throws IOException {
        for (long version = 1; version <= SPEC.commits(); version++) {
            List<String> log = log(table, version);
            assertTrue(log.get(0).startsWith("{\"commitInfo\":") && log.get(0).contains("\"operation\":\"MERGE\""),
                    log.get(0));
            List<String> cdc = log.stream().filter(line -> line.startsWith("{\"cdc\":")).toList();
            assertFalse(cdc.isEmpty(), "version " + version + " has cdc actions");
            for (String action : cdc) {
                Matcher m = CDC.matcher(action);
                assertTrue(m.matches(), action);
                assertEquals(Files.size(table.resolve(m.group(1))), Long.parseLong(m.group(2)), action);
            }
            for (String action : log) {
                if (action.startsWith("{\"add\":") || action.startsWith("{\"remove\":")) {
                    assertTrue(action.contains("\"dataChange\":true"), action);
                }
            }
            assertTrue(log.stream().anyMatch(line -> line.startsWith("{\"remove\":")), "version " + version);
            assertTrue(Files.exists(table.resolve("_delta_log").resolve(String.format("%020d.crc", version))),
                    "version " + version + " has its checksum");
        }
    }

    @Test
    void changeFilesHoldTheTableColumnsThenChangeTypeAndExactlyThePlannedChanges() throws IOException {
        StructType changeSchema = SPEC.schema().add("_change_type", StringType.STRING, true);
        List<String> expectedColumns = new ArrayList<>(changeSchema.fieldNames());
        for (long version = 1; version <= SPEC.commits(); version++) {
            TableState before = SPEC.stateAt(version - 1);
            TableState after = SPEC.stateAt(version);
            CommitPlan plan = SPEC.plan(version);
            Map<String, TreeMap<Long, Object[]>> byType = Map.of("delete", new TreeMap<>(),
                    "update_preimage", new TreeMap<>(), "update_postimage", new TreeMap<>(), "insert", new TreeMap<>());
            for (String action : log(table, version)) {
                Matcher m = CDC.matcher(action);
                if (!m.matches()) {
                    continue;
                }
                Path file = table.resolve(m.group(1));
                assertEquals(expectedColumns, parquetColumns(file), file.toString());
                readChangeRows(file, changeSchema, byType);
            }
            assertArrayEquals(plan.deletedKeys(), keys(byType.get("delete")), "deletes of version " + version);
            assertArrayEquals(plan.updatedKeys(), keys(byType.get("update_preimage")), "pre-images of " + version);
            assertArrayEquals(plan.updatedKeys(), keys(byType.get("update_postimage")), "post-images of " + version);
            long[] inserted = new long[plan.insertedCount()];
            Arrays.setAll(inserted, i -> plan.firstInsertedKey() + i);
            assertArrayEquals(inserted, keys(byType.get("insert")), "inserts of version " + version);
            assertValues(byType.get("delete"), before);
            assertValues(byType.get("update_preimage"), before);
            assertValues(byType.get("update_postimage"), after);
            assertValues(byType.get("insert"), after);
        }
    }

    @Test
    void appendCommitKeepsWritingChangeFilesAcrossACheckpoint(@TempDir Path own) throws IOException {
        GeneratorSpec small = GeneratorSpec.builder()
                .rows(2_000).numericFeatures(3).float32Features(1).stringFeatures(1)
                .commits(10).updatesPerCommit(20).deletesPerCommit(5).insertsPerCommit(10)
                .rowsPerFile(500).seed(3).changeDataFeed(true).build();
        Path checkpointed = own.resolve("checkpointed");
        DeltaTableGenerator.generate(small, checkpointed);
        assertTrue(Files.exists(
                checkpointed.resolve("_delta_log").resolve(String.format("%020d.checkpoint.parquet", 10))));

        long before = System.nanoTime();
        CommitSummary commit = DeltaTableGenerator.appendCommit(checkpointed);

        assertEquals(11, commit.version());
        assertTrue(commit.landedNanos() > before && commit.landedNanos() < System.nanoTime(), "landed during the call");
        assertEquals(log(checkpointed, 11).stream().filter(line -> line.startsWith("{\"cdc\":")).count(),
                commit.changeFilesAdded());
        assertTrue(commit.changeFilesAdded() >= 2, "a rewrite and the inserts each write a cdc file");
        TreeMap<Long, Object[]> rows = new KernelTableReader(checkpointed).read(11);
        TableState expected = small.stateAt(11);
        assertArrayEquals(expected.liveKeys(), keys(rows));
        for (Map.Entry<Long, Object[]> row : rows.entrySet()) {
            assertEquals(expected.numericValue(row.getKey(), 2), row.getValue()[2]);
            assertEquals(expected.stringValue(row.getKey(), 0), row.getValue()[3]);
        }
    }

    @Test
    void aTableWithoutTheFeedGetsNoChangeFiles(@TempDir Path own) throws IOException {
        Path plain = own.resolve("plain");
        DeltaTableGenerator.generate(SPEC.withChangeDataFeed(false), plain);

        CommitSummary commit = DeltaTableGenerator.appendCommit(plain);

        assertEquals(0, commit.changeFilesAdded());
        assertFalse(Files.exists(plain.resolve("_change_data")));
        assertTrue(log(plain, 0).stream().noneMatch(line -> line.contains("enableChangeDataFeed")));
    }

    private void readChangeRows(Path file, StructType changeSchema, Map<String, TreeMap<Long, Object[]>> byType)
            throws IOException {
        FileStatus status = FileStatus.of(file.toUri().toString(), Files.size(file), 0);
        int typeColumn = changeSchema.length() - 1;
        try (CloseableIterator<FileReadResult> batches = engine.getParquetHandler()
                .readParquetFiles(singletonCloseableIterator(status), changeSchema, Optional.empty())) {
            while (batches.hasNext()) {
                ColumnarBatch batch = batches.next().getData();
                for (int row = 0; row < batch.getSize(); row++) {
                    String type = batch.getColumnVector(typeColumn).getString(row);
                    Object[] values = new Object[typeColumn - 1];
                    for (int c = 1; c < typeColumn; c++) {
                        values[c - 1] = value(batch.getColumnVector(c), row);
                    }
                    TreeMap<Long, Object[]> rows = byType.get(type);
                    assertTrue(rows != null, "unexpected _change_type " + type + " in " + file);
                    long key = batch.getColumnVector(0).getLong(row);
                    assertTrue(rows.put(key, values) == null, type + " of key " + key + " appears twice");
                }
            }
        }
    }

    private static Object value(ColumnVector vector, int row) {
        if (vector.isNullAt(row)) {
            return null;
        }
        if (vector.getDataType() instanceof DoubleType) {
            return vector.getDouble(row);
        }
        if (vector.getDataType() instanceof FloatType) {
            return (double) vector.getFloat(row);
        }
        return vector.getString(row);
    }

    private static List<String> parquetColumns(Path file) throws IOException {
        try (ParquetFileReader parquet = ParquetFileReader.open(HadoopInputFile.fromPath(
                new org.apache.hadoop.fs.Path(file.toUri()), new Configuration()))) {
            return parquet.getFileMetaData().getSchema().getFields().stream().map(Type::getName).toList();
        }
    }

    private static void assertValues(TreeMap<Long, Object[]> rows, TableState state) {
        for (Map.Entry<Long, Object[]> row : rows.entrySet()) {
            long key = row.getKey();
            for (int f = 0; f < SPEC.numericFeatures(); f++) {
                assertEquals(state.numericValue(key, f), row.getValue()[f], "key " + key + " f_" + f);
            }
            for (int s = 0; s < SPEC.stringFeatures(); s++) {
                assertEquals(state.stringValue(key, s), row.getValue()[SPEC.numericFeatures() + s]);
            }
        }
    }

    private static void assertMatchesSpec(TreeMap<Long, Object[]> rows, TableState state) {
        assertArrayEquals(state.liveKeys(), keys(rows), "live keys at version " + state.version());
        assertValues(rows, state);
    }

    private static long[] keys(TreeMap<Long, Object[]> rows) {
        return rows.keySet().stream().mapToLong(Long::longValue).toArray();
    }

    private static List<String> log(Path table, long version) throws IOException {
        return Files.readAllLines(table.resolve("_delta_log").resolve(String.format("%020d.json", version)));
    }
}
