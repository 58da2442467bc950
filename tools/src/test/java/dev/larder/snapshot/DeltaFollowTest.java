package dev.larder.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.ingest.FollowOptions;
import dev.larder.ingest.Follower;
import dev.larder.ingest.IngestOptions;
import dev.larder.ingest.LarderEngine;
import dev.larder.ingest.TableHandle;
import dev.larder.store.FeatureStore;
import dev.larder.store.FeatureTable;
import dev.larder.store.FeatureVector;
import dev.larder.store.FeatureVectorReader;
import dev.larder.store.ReadStatus;
import dev.larder.store.TableReader;
import dev.larder.tools.generate.DeltaTableGenerator;
import dev.larder.tools.generate.GeneratorSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Following a real (generated) Delta table through the ingest ring: bootstrap, tail new commits, restart, parity. */
class DeltaFollowTest {
    @TempDir
    Path dir;

    static void awaitWatermark(TableHandle h, long version) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (h.lineage().version() < version) {
            assertTrue(System.nanoTime() < deadline, "watermark " + h.lineage().version()
                    + " never reached " + version);
            Thread.sleep(10);
        }
    }

    /** Follows a generated table as "users", polling every 20 ms. */
    static Follower follow(LarderEngine larder, DeltaSource src) {
        return larder.follow("users",
                new DeltaChangeSource(src, List.of(GeneratorSpec.KEY_COLUMN), 32, ScanProgress.NONE),
                FollowOptions.DEFAULT.withPollInterval(Duration.ofMillis(20)));
    }

    /** Files removed by {@code version}'s commit, as named in its JSON log entry. */
    static List<String> removedBy(Path delta, long version) throws java.io.IOException {
        String json = java.nio.file.Files.readString(delta.resolve("_delta_log")
                .resolve(String.format("%020d.json", version)));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\{\"remove\":\\{\"path\":\"([^\"]+)\"")
                .matcher(json);
        List<String> out = new java.util.ArrayList<>();
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void aLocalCommitIsAppliedWithoutWaitingOutThePollInterval() throws Exception {
        Path delta = dir.resolve("delta");
        GeneratorSpec spec = GeneratorSpec.builder().rows(3000).numericFeatures(3).float32Features(1).commits(1)
                .rowsPerFile(500).changeDataFeed(true).build();
        DeltaTableGenerator.generate(spec, delta);
        DeltaSource src = DeltaSource.open(delta.toString());
        try (LarderEngine larder = LarderEngine.open(dir.resolve("store"), IngestOptions.DEFAULT)) {
            Follower f = larder.follow("users", new DeltaChangeSource(src, List.of(GeneratorSpec.KEY_COLUMN), 32,
                    ScanProgress.NONE), FollowOptions.DEFAULT.withPollInterval(Duration.ofHours(1)));
            awaitWatermark(f.handle(), 1);
            // Only the watch on the log can wake the follower before the hour is out.
            DeltaTableGenerator.appendCommit(delta);
            DeltaTableGenerator.appendCommit(delta);
            awaitWatermark(f.handle(), 3);
            TableParity.Result r = TableParity.verify(src, f.handle().table(), 5);
            assertTrue(r.equal(), r.toString());
            assertEquals(spec.stateAt(3).liveCount(), r.tableRows());
        }
    }

    @Test
    void vacuumedHistoryIsReBootstrappedIntoANewGeneration() throws Exception {
        Path delta = dir.resolve("delta");
        GeneratorSpec spec = GeneratorSpec.builder().rows(3000).numericFeatures(3).float32Features(1).commits(1)
                .rowsPerFile(500).build();
        DeltaTableGenerator.generate(spec, delta);
        DeltaSource src = DeltaSource.open(delta.toString());
        Path storeDir = dir.resolve("store");
        try (LarderEngine larder = LarderEngine.open(storeDir, IngestOptions.DEFAULT)) {
            Follower f = follow(larder, src);
            awaitWatermark(f.handle(), 1);
            f.close();
            larder.flush();
        }
        DeltaTableGenerator.appendCommit(delta);
        DeltaTableGenerator.appendCommit(delta);
        // VACUUM: the files commit 2 removed are gone, so its delete rows can no longer be read.
        List<String> vacuumed = removedBy(delta, 2);
        assertTrue(!vacuumed.isEmpty());
        for (String file : vacuumed) {
            java.nio.file.Files.delete(delta.resolve(file));
        }
        try (LarderEngine larder = LarderEngine.open(storeDir, IngestOptions.DEFAULT)) {
            Follower f = follow(larder, src);
            awaitWatermark(f.handle(), 3);
            assertEquals("users.g1", f.handle().table().name(), "re-bootstrapped into a new generation");
            TableParity.Result r = TableParity.verify(src, f.handle().table(), 5);
            assertTrue(r.equal(), r.toString());
            assertEquals(spec.stateAt(3).liveCount(), r.tableRows());
        }
    }

    /**
     * Writes commit {@code version}: the table's metaData with one more nullable double column, as ALTER TABLE ADD
     * COLUMN does.
     */
    static void addColumnCommit(Path delta, long version, String column) throws java.io.IOException {
        String metaData = null;
        for (long v = version - 1; v >= 0 && metaData == null; v--) {
            for (String line : java.nio.file.Files.readAllLines(delta.resolve("_delta_log")
                    .resolve(String.format("%020d.json", v)))) {
                if (line.startsWith("{\"metaData\"")) {
                    metaData = line;
                }
            }
        }
        assertTrue(metaData != null);
        int fieldsEnd = metaData.indexOf("]}\",\"partitionColumns\"");
        String widened = metaData.substring(0, fieldsEnd) + ",{\\\"name\\\":\\\"" + column
                + "\\\",\\\"type\\\":\\\"double\\\",\\\"nullable\\\":true,\\\"metadata\\\":{}}"
                + metaData.substring(fieldsEnd);
        String commitInfo = "{\"commitInfo\":{\"timestamp\":" + System.currentTimeMillis()
                + ",\"operation\":\"ADD COLUMNS\",\"operationParameters\":{},\"isBlindAppend\":true}}";
        java.nio.file.Files.writeString(delta.resolve("_delta_log").resolve(String.format("%020d.json", version)),
                commitInfo + "\n" + widened + "\n");
    }

    /** A table serving selected columns does not want a column added later: it follows on in its generation. */
    @Test
    void aSelectionIgnoresAnAddedColumnAndKeepsFollowing() throws Exception {
        Path delta = dir.resolve("delta");
        GeneratorSpec spec = GeneratorSpec.builder().rows(2000).numericFeatures(2).float32Features(1).commits(1)
                .rowsPerFile(500).build();
        DeltaTableGenerator.generate(spec, delta);
        DeltaSource src = DeltaSource.open(delta.toString());
        String f1 = GeneratorSpec.numericColumn(1);
        try (LarderEngine larder = LarderEngine.open(dir.resolve("store"), IngestOptions.DEFAULT)) {
            Follower f = larder.follow("users",
                    new DeltaChangeSource(src, List.of(GeneratorSpec.KEY_COLUMN), List.of(f1), 32,
                    ScanProgress.NONE), FollowOptions.DEFAULT.withPollInterval(Duration.ofMillis(20)));
            awaitWatermark(f.handle(), 1);
            assertEquals(List.of(GeneratorSpec.KEY_COLUMN, f1), f.handle().table().schema().names());
            addColumnCommit(delta, 2, "f_new");
            awaitWatermark(f.handle(), 2);
            FeatureTable now = f.handle().table();
            assertEquals("users", now.name(), "no new generation");
            assertEquals(List.of(GeneratorSpec.KEY_COLUMN, f1), now.schema().names());
            TableParity.Result r = TableParity.verify(src, now, 5);
            assertTrue(r.equal(), r.toString());
        }
    }

    @Test
    void anAddedColumnIsServedFromANewGeneration() throws Exception {
        Path delta = dir.resolve("delta");
        GeneratorSpec spec = GeneratorSpec.builder().rows(2000).numericFeatures(2).float32Features(1).commits(1)
                .rowsPerFile(500).build();
        DeltaTableGenerator.generate(spec, delta);
        DeltaSource src = DeltaSource.open(delta.toString());
        try (LarderEngine larder = LarderEngine.open(dir.resolve("store"), IngestOptions.DEFAULT)) {
            Follower f = follow(larder, src);
            awaitWatermark(f.handle(), 1);
            TableReader before = f.handle().table().newReader();
            assertTrue(!before.schema().hasColumn("f_new"));
            FeatureVectorReader vector = FeatureVector.builder().add(f.handle().table(), f.handle()::table,
                    GeneratorSpec.numericColumn(0), -1).build().newReader();
            addColumnCommit(delta, 2, "f_new");
            awaitWatermark(f.handle(), 2);
            FeatureTable now = f.handle().table();
            assertEquals("users.g1", now.name());
            long key = spec.stateAt(1).liveKeys()[0];
            double[] v = new double[1];
            assertEquals(1, vector.fill(key, v, null), "a vector built on the old generation reads the new one");
            assertEquals(spec.stateAt(1).numericValue(key, 0), v[0]);
            assertTrue(now.schema().hasColumn("f_new"), now.schema().toString());
            TableReader r = now.newReader();
            assertEquals(ReadStatus.FOUND, r.get(spec.stateAt(1).liveKeys()[0]));
            assertTrue(r.isNull(now.schema().indexOf("f_new")), "rows written before the column existed hold null");
            assertTrue(TableParity.verify(src, now, 5).equal());
        }
    }

    @Test
    void followsNewCommitsExactlyOnceAcrossARestart() throws Exception {
        Path delta = dir.resolve("delta");
        GeneratorSpec spec = GeneratorSpec.builder().rows(3000).numericFeatures(5).commits(1).rowsPerFile(1000).build();
        DeltaTableGenerator.generate(spec, delta);
        DeltaSource src = DeltaSource.open(delta.toString());
        Path storeDir = dir.resolve("store");
        try (LarderEngine larder = LarderEngine.open(storeDir, IngestOptions.DEFAULT)) {
            Follower f = follow(larder, src);
            awaitWatermark(f.handle(), 1);
            DeltaTableGenerator.appendCommit(delta);
            DeltaTableGenerator.appendCommit(delta);
            awaitWatermark(f.handle(), 3);
            assertEquals(src.tableId(3), f.handle().lineage().sourceId());
            TableReader r = f.handle().table().newReader();
            long someKey = spec.stateAt(3).liveKeys()[0];
            assertEquals(ReadStatus.FOUND, r.get(someKey));
            assertEquals(spec.stateAt(3).numericValue(someKey, 0),
                    r.getDouble(r.schema().indexOf(GeneratorSpec.numericColumn(0))));
        }
        DeltaTableGenerator.appendCommit(delta);
        try (LarderEngine larder = LarderEngine.open(storeDir, IngestOptions.DEFAULT)) {
            Follower f = follow(larder, src);
            awaitWatermark(f.handle(), 4);
            f.close();
            larder.flush();
        }
        try (FeatureStore store = FeatureStore.open(storeDir)) {
            TableParity.Result r = TableParity.verify(src, store.table("users"), 5);
            assertEquals(4, r.version());
            assertTrue(r.equal(), r.toString());
            assertEquals(spec.stateAt(4).liveCount(), r.tableRows());
        }
    }
}
