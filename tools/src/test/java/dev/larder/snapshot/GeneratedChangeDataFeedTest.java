package dev.larder.snapshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.ingest.Follower;
import dev.larder.ingest.IngestOptions;
import dev.larder.ingest.LarderEngine;
import dev.larder.store.FeatureTable;
import dev.larder.store.ReadStatus;
import dev.larder.store.TableReader;
import dev.larder.tools.generate.CommitPlan;
import dev.larder.tools.generate.CommitSummary;
import dev.larder.tools.generate.DeltaTableGenerator;
import dev.larder.tools.generate.GeneratorSpec;
import dev.larder.tools.generate.TableState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Larder's change feed on a table the generator wrote with the Change Data Feed on: the feed comes from the commits'
 * {@code _change_data/} files, and a table following it equals the Delta table at every version.
 */
class GeneratedChangeDataFeedTest {
    private static final GeneratorSpec SPEC = GeneratorSpec.builder()
            .rows(6_000).numericFeatures(4).float32Features(1).stringFeatures(2)
            .commits(0).updatesPerCommit(60).deletesPerCommit(20).insertsPerCommit(30)
            .rowsPerFile(1_500).seed(5).changeDataFeed(true).build();

    @TempDir
    Path dir;

    @Test
    void theFeedOfEachCommitIsReadFromItsChangeFiles() throws Exception {
        Path delta = dir.resolve("delta");
        DeltaTableGenerator.generate(SPEC, delta);
        for (int c = 0; c < 3; c++) {
            DeltaTableGenerator.appendCommit(delta);
        }
        DeltaSource src = DeltaSource.open(delta.toString());
        for (long version = 1; version <= 3; version++) {
            Map<ChangeKind, TreeMap<Long, Double>> rows = new EnumMap<>(ChangeKind.class);
            for (ChangeKind kind : ChangeKind.values()) {
                rows.put(kind, new TreeMap<>());
            }
            List<String> files = new ArrayList<>();
            int f0 = src.schema(version).indexOf(GeneratorSpec.numericColumn(0));
            assertEquals(version, src.changes(version, version, new ChangeConsumer() {
                @Override
                public boolean beginCommit(DeltaCommit commit) {
                    return true;
                }

                @Override
                public void beginFile(String file) {
                    files.add(file);
                }

                @Override
                public void change(ChangeKind kind, DeltaRow row) {
                    rows.get(kind).put(row.getLong(0), row.getDouble(f0));
                }

                @Override
                public void endCommit(DeltaCommit commit) {
                }
            }));
            assertTrue(!files.isEmpty() && files.stream().allMatch(f -> f.contains("/_change_data/")),
                    files.toString());
            CommitPlan plan = SPEC.plan(version);
            TableState before = SPEC.stateAt(version - 1);
            TableState after = SPEC.stateAt(version);
            assertArrayEquals(plan.deletedKeys(), keys(rows.get(ChangeKind.DELETE)));
            assertArrayEquals(plan.updatedKeys(), keys(rows.get(ChangeKind.UPDATE_PREIMAGE)));
            assertArrayEquals(plan.updatedKeys(), keys(rows.get(ChangeKind.UPDATE_POSTIMAGE)));
            long[] inserted = new long[plan.insertedCount()];
            Arrays.setAll(inserted, i -> plan.firstInsertedKey() + i);
            assertArrayEquals(inserted, keys(rows.get(ChangeKind.INSERT)));
            for (long key : plan.updatedKeys()) {
                assertEquals(before.numericValue(key, 0), rows.get(ChangeKind.UPDATE_PREIMAGE).get(key));
                assertEquals(after.numericValue(key, 0), rows.get(ChangeKind.UPDATE_POSTIMAGE).get(key));
            }
        }
    }

    @Test
    void aFollowingTableEqualsTheDeltaTableAtEveryVersion() throws Exception {
        Path delta = dir.resolve("delta");
        DeltaTableGenerator.generate(SPEC, delta);
        DeltaSource src = DeltaSource.open(delta.toString());
        try (LarderEngine larder = LarderEngine.open(dir.resolve("store"), IngestOptions.DEFAULT)) {
            Follower f = DeltaFollowTest.follow(larder, src);
            DeltaFollowTest.awaitWatermark(f.handle(), 0);
            assertMatches(f.handle().table(), SPEC.stateAt(0));
            for (long version = 1; version <= 4; version++) {
                CommitSummary commit = DeltaTableGenerator.appendCommit(delta);
                assertEquals(version, commit.version());
                assertTrue(commit.changeFilesAdded() > 0, "version " + version + " wrote change files");
                DeltaFollowTest.awaitWatermark(f.handle(), version);
                assertEquals("users", f.handle().table().name(), "followed in place, not re-bootstrapped");
                assertMatches(f.handle().table(), SPEC.stateAt(version));
            }
        }
    }

    @Test
    void aFollowerReadsEachChangeFileOnce() throws Exception {
        Path delta = dir.resolve("delta");
        DeltaTableGenerator.generate(SPEC, delta);
        DeltaSource src = DeltaSource.open(delta.toString());
        try (LarderEngine larder = LarderEngine.open(dir.resolve("store"), IngestOptions.DEFAULT)) {
            Follower f = DeltaFollowTest.follow(larder, src);
            DeltaFollowTest.awaitWatermark(f.handle(), 0);
            for (long version = 1; version <= 3; version++) {
                long read = filesRead(src);
                CommitSummary commit = DeltaTableGenerator.appendCommit(delta);
                DeltaFollowTest.awaitWatermark(f.handle(), version);
                assertEquals(commit.changeFilesAdded(), filesRead(src) - read, "files read for version " + version);
                assertMatches(f.handle().table(), SPEC.stateAt(version));
            }
            assertEquals(0, f.failureCount());
        }
    }

    private static long filesRead(DeltaSource src) {
        return src.reader().fastFiles.sum() + src.reader().kernelFiles.sum();
    }

    /** Every live key holds its values at the state's version, every other key ever written is absent. */
    private static void assertMatches(FeatureTable table, TableState state) {
        assertEquals(state.liveCount(), table.size(), "rows at version " + state.version());
        TableReader r = table.newReader();
        int[] numeric = new int[SPEC.numericFeatures()];
        for (int i = 0; i < numeric.length; i++) {
            numeric[i] = r.schema().indexOf(GeneratorSpec.numericColumn(i));
        }
        int[] strings = new int[SPEC.stringFeatures()];
        for (int i = 0; i < strings.length; i++) {
            strings[i] = r.schema().indexOf(GeneratorSpec.stringColumn(i));
        }
        for (long key = 0; key < state.keyUpperBound(); key++) {
            ReadStatus status = r.get(key);
            if (!state.contains(key)) {
                assertEquals(ReadStatus.NOT_FOUND, status, "key " + key + " at version " + state.version());
                continue;
            }
            assertEquals(ReadStatus.FOUND, status, "key " + key + " at version " + state.version());
            for (int i = 0; i < numeric.length; i++) {
                double actual = SPEC.isFloat32(i) ? r.getFloat(numeric[i]) : r.getDouble(numeric[i]);
                assertEquals(state.numericValue(key, i), actual, "key " + key + " f_" + i + " at " + state.version());
            }
            for (int i = 0; i < strings.length; i++) {
                assertEquals(state.stringValue(key, i), r.getString(strings[i]), "key " + key + " c_" + i);
            }
        }
    }

    private static long[] keys(TreeMap<Long, Double> rows) {
        return rows.keySet().stream().mapToLong(Long::longValue).toArray();
    }
}
