package dev.larder.tools.generate;

import io.delta.kernel.TableManager;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.utils.CloseableIterable;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeltaTableGeneratorTest {
    private static final GeneratorSpec SPEC = GeneratorSpec.builder()
            .rows(5_000).numericFeatures(6).float32Features(2).stringFeatures(2)
            .commits(3).updatesPerCommit(40).deletesPerCommit(15).insertsPerCommit(25)
            .rowsPerFile(1_000).seed(7).build();
    private static final Pattern PATH = Pattern.compile("\"path\":\"([^\"]+)\"");

    @TempDir
    static Path dir;
    static Path table;
    static GenerationSummary summary;
    static KernelTableReader reader;

    @BeforeAll
    static void generate() throws IOException {
        table = dir.resolve("features");
        summary = DeltaTableGenerator.generate(SPEC, table);
        reader = new KernelTableReader(table);
    }

    @Test
    void summaryDescribesTheLatestVersion() throws IOException {
        assertEquals(3, summary.latestVersion());
        assertEquals(4, summary.versionsWritten());
        assertEquals(3, reader.latestVersion());
        assertEquals(5_000 + 3 * (25 - 15), summary.rowsAtLatest());
        assertEquals(reader.read(3).size(), summary.rowsAtLatest());
        assertEquals(liveFilePaths(table, 3).size(), summary.liveFiles());
    }

    @Test
    void everyVersionReadThroughKernelEqualsTheSpecState() throws IOException {
        for (long version = 0; version <= SPEC.commits(); version++) {
            assertMatchesSpec(reader.read(version), SPEC.stateAt(version));
        }
    }

    @Test
    void commitsDeleteUpdateAndInsertThePlannedKeys() throws IOException {
        TreeMap<Long, Object[]> before = reader.read(0);
        for (long version = 1; version <= SPEC.commits(); version++) {
            TreeMap<Long, Object[]> after = reader.read(version);
            CommitPlan plan = SPEC.plan(version);
            assertEquals(15, plan.deletedKeys().length);
            assertEquals(40, plan.updatedKeys().length);
            for (long key : plan.deletedKeys()) {
                assertTrue(before.containsKey(key), "deleted key " + key + " was live before");
                assertFalse(after.containsKey(key), "deleted key " + key + " is gone");
            }
            for (long key : plan.updatedKeys()) {
                assertNotEquals(before.get(key)[0], after.get(key)[0], "updated key " + key + " changed");
                for (int f = 0; f < SPEC.numericFeatures(); f++) {
                    assertEquals(SPEC.numericValue(key, f, version), after.get(key)[f]);
                }
            }
            for (long key = plan.firstInsertedKey(); key < plan.firstInsertedKey() + plan.insertedCount(); key++) {
                assertFalse(before.containsKey(key));
                assertEquals(SPEC.numericValue(key, 0, version), after.get(key)[0]);
            }
            assertEquals(before.size() - 15 + 25, after.size());
            before = after;
        }
    }

    @Test
    void updateCommitsRemoveRewrittenFilesAndAddReplacementsWithDataChange() throws IOException {
        assertTrue(actions(table, 0, "remove").isEmpty());
        for (long version = 1; version <= SPEC.commits(); version++) {
            List<String> removes = actions(table, version, "remove");
            List<String> adds = actions(table, version, "add");
            assertFalse(removes.isEmpty(), "version " + version + " removes rewritten files");
            // Updates and deletes touch at least one file; inserts need one more.
            assertTrue(adds.size() >= 2, "version " + version + " adds rewritten and new files");
            for (String action : concat(removes, adds)) {
                assertTrue(action.contains("\"dataChange\":true"), action);
            }
            Set<String> liveBefore = liveFilePaths(table, version - 1);
            for (String remove : removes) {
                assertTrue(liveBefore.contains(path(remove)), "removed file was live: " + remove);
            }
        }
    }

    @Test
    void appendCommitAddsExactlyOneVersionMatchingTheSpec(@TempDir Path own) throws IOException {
        Path appended = own.resolve("appended");
        DeltaTableGenerator.generate(SPEC, appended);
        KernelTableReader appendedReader = new KernelTableReader(appended);

        CommitSummary commit = DeltaTableGenerator.appendCommit(appended);

        assertEquals(4, commit.version());
        assertEquals(4, appendedReader.latestVersion());
        assertTrue(Files.exists(logFile(appended, 4)));
        assertFalse(Files.exists(logFile(appended, 5)));
        assertEquals(15, commit.deleted());
        assertEquals(40, commit.updated());
        assertEquals(25, commit.inserted());
        assertEquals(actions(appended, 4, "remove").size(), commit.filesRemoved());
        assertEquals(actions(appended, 4, "add").size(), commit.filesAdded());
        TableState expected = SPEC.stateAt(4);
        assertEquals(expected.liveCount(), commit.rowsAtVersion());
        assertMatchesSpec(appendedReader.read(4), expected);
        assertMatchesSpec(appendedReader.read(3), SPEC.stateAt(3));

        assertEquals(5, DeltaTableGenerator.appendCommit(appended).version());
        assertMatchesSpec(appendedReader.read(5), SPEC.stateAt(5));

        // The landed callback runs once the commit file exists and before its post-commit checksum is written.
        boolean[] landed = new boolean[2];
        assertEquals(6, DeltaTableGenerator.appendCommit(appended, () -> {
            landed[0] = Files.exists(logFile(appended, 6));
            landed[1] = Files.exists(appended.resolve("_delta_log").resolve(String.format("%020d.crc", 6)));
        }).version());
        assertTrue(landed[0], "the commit file had landed");
        assertFalse(landed[1], "the checksum was not yet written");
        assertTrue(Files.exists(appended.resolve("_delta_log").resolve(String.format("%020d.crc", 6))));
    }

    @Test
    void appendCommitContinuesFromACheckpoint(@TempDir Path own) throws IOException {
        GeneratorSpec small = GeneratorSpec.builder()
                .rows(2_000).numericFeatures(3).float32Features(1).stringFeatures(1)
                .commits(10).updatesPerCommit(20).deletesPerCommit(5).insertsPerCommit(10)
                .rowsPerFile(500).seed(3).build();
        Path checkpointed = own.resolve("checkpointed");
        DeltaTableGenerator.generate(small, checkpointed);
        assertTrue(Files.exists(checkpointed.resolve("_delta_log")
                .resolve(String.format("%020d.checkpoint.parquet", 10))));

        assertEquals(11, DeltaTableGenerator.appendCommit(checkpointed).version());

        TreeMap<Long, Object[]> rows = new KernelTableReader(checkpointed).read(11);
        TableState expected = small.stateAt(11);
        assertArrayEquals(expected.liveKeys(), rows.keySet().stream().mapToLong(Long::longValue).toArray());
        for (Map.Entry<Long, Object[]> row : rows.entrySet()) {
            assertEquals(expected.numericValue(row.getKey(), 2), row.getValue()[2]);
            assertEquals(expected.stringValue(row.getKey(), 0), row.getValue()[3]);
        }
    }

    /** {@code larder generate --rows 50 --features 1 --commits 1}: the first commit deletes all 50 keys. */
    @Test
    void aCommitDeletingEveryKeyOfAFileRemovesItWithoutAReplacement(@TempDir Path own) throws IOException {
        for (boolean changeDataFeed : new boolean[] {false, true}) {
            GeneratorSpec tiny = GeneratorSpec.builder().rows(50).numericFeatures(1).float32Features(1).commits(1)
                    .changeDataFeed(changeDataFeed).build();
            Path written = own.resolve("tiny-" + changeDataFeed);

            GenerationSummary generated = DeltaTableGenerator.generate(tiny, written);

            assertEquals(500, generated.rowsAtLatest());
            assertEquals(1, actions(written, 1, "remove").size());
            assertEquals(1, actions(written, 1, "add").size(), "only the inserted keys' file");
            TreeMap<Long, Object[]> rows = new KernelTableReader(written).read(1);
            assertArrayEquals(tiny.stateAt(1).liveKeys(), rows.keySet().stream().mapToLong(Long::longValue).toArray());
            try (var files = Files.list(written)) {
                assertEquals(2, files.filter(f -> f.toString().endsWith(".parquet")).count(),
                        "version 0's file and the inserts' file; no empty rewrite");
            }
        }
    }

    @Test
    void appendCommitRefusesATableItDidNotWrite(@TempDir Path own) throws IOException {
        Path foreign = own.resolve("foreign");
        Engine engine = DefaultEngine.create(new Configuration());
        TableManager.buildCreateTableTransaction(foreign.toUri().toString(), SPEC.schema(), "test").build(engine)
                .commit(engine, CloseableIterable.emptyIterable());

        assertThrows(IllegalArgumentException.class, () -> DeltaTableGenerator.appendCommit(foreign));
    }

    @Test
    void generateRefusesAnExistingTable() {
        assertThrows(IllegalArgumentException.class, () -> DeltaTableGenerator.generate(SPEC, table));
    }

    private static void assertMatchesSpec(TreeMap<Long, Object[]> rows, TableState state) {
        long[] keys = rows.keySet().stream().mapToLong(Long::longValue).toArray();
        assertArrayEquals(state.liveKeys(), keys, "live keys at version " + state.version());
        for (Map.Entry<Long, Object[]> row : rows.entrySet()) {
            long key = row.getKey();
            Object[] values = row.getValue();
            for (int f = 0; f < SPEC.numericFeatures(); f++) {
                assertEquals(state.numericValue(key, f), values[f], "key " + key + " f_" + f + " at "
                        + state.version());
            }
            for (int s = 0; s < SPEC.stringFeatures(); s++) {
                assertEquals(state.stringValue(key, s), values[SPEC.numericFeatures() + s]);
            }
        }
    }

    /** Lines of one commit file holding the given action type, e.g. {@code {"remove":{...}}}. */
    private static List<String> actions(Path table, long version, String type) throws IOException {
        return Files.readAllLines(logFile(table, version)).stream()
                .filter(line -> line.startsWith("{\"" + type + "\":"))
                .toList();
    }

    /** Data files live at {@code version}, replaying the JSON commits (the test tables have no checkpoint yet). */
    private static Set<String> liveFilePaths(Path table, long version) throws IOException {
        Set<String> live = new HashSet<>();
        for (long v = 0; v <= version; v++) {
            actions(table, v, "add").forEach(add -> live.add(path(add)));
            actions(table, v, "remove").forEach(remove -> live.remove(path(remove)));
        }
        return live;
    }

    private static String path(String action) {
        Matcher matcher = PATH.matcher(action);
        assertTrue(matcher.find(), action);
        return matcher.group(1);
    }

    private static Path logFile(Path table, long version) {
        return table.resolve("_delta_log").resolve(String.format("%020d.json", version));
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
