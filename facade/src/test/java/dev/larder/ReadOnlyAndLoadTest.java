package dev.larder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.snapshot.DeltaSource;
import dev.larder.tools.generate.DeltaTableGenerator;
import dev.larder.tools.generate.GeneratorSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the command line's {@code load}, {@code get} and {@code stats} do through the facade: a load copies one Delta
 * version into a new table, and a Larder opened read-only reads it beside the Larder that follows the table on.
 */
class ReadOnlyAndLoadTest {
    @TempDir
    Path dir;
    Path delta;
    Path store;

    @BeforeEach
    void table() throws Exception {
        delta = dir.resolve("users");
        store = dir.resolve("store");
        DeltaTableGenerator.generate(GeneratorSpec.builder().rows(1000).numericFeatures(2).float32Features(0).commits(2)
                .rowsPerFile(250).build(), delta);
    }

    /** f_0 of every key at {@code version}, read through Delta Kernel. */
    private Map<Long, Double> f0At(long version) {
        DeltaSource src = DeltaSource.open(delta.toString());
        int key = src.schema(version).indexOf(GeneratorSpec.KEY_COLUMN);
        int f0 = src.schema(version).indexOf("f_0");
        Map<Long, Double> out = new HashMap<>();
        src.scan(version, r -> out.put(r.getLong(key), r.isNull(f0) ? Double.NaN : r.getDouble(f0)));
        return out;
    }

    private Source source() {
        return Source.delta(delta.toString()).key(GeneratorSpec.KEY_COLUMN);
    }

    @Test
    void loadCopiesTheVersionAskedForAndRefusesATableThatHasAWatermark() {
        Map<Long, Double> v1 = f0At(1);
        AtomicLong lastRows = new AtomicLong(-1);
        AtomicLong progressVersion = new AtomicLong(-1);
        Loaded loaded = Larder.builder(store).load("users", source(), Snapshot.version(1), (version, rows, files) -> {
            progressVersion.set(version);
            lastRows.set(rows);
        });
        assertEquals(1, loaded.version());
        assertEquals(v1.size(), loaded.rows());
        assertEquals(1, loaded.lineage().version());
        assertFalse(loaded.reloaded());
        assertEquals(1, progressVersion.get());
        assertEquals(v1.size(), lastRows.get());

        IllegalArgumentException again = assertThrows(IllegalArgumentException.class,
                () -> Larder.builder(store).load("users", source(), Snapshot.latest(), LoadProgress.NONE));
        assertTrue(again.getMessage().contains("table users already exists in " + store), again.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Snapshot.version(-1));
    }

    @Test
    void verifyComparesTheTableWithItsRecordedSourceAtTheWatermark() {
        Larder.builder(store).load("users", source(), Snapshot.version(1), LoadProgress.NONE);
        try (Larder larder = Larder.builder(store).existing().open()) {
            Table users = larder.table("users");
            Source recorded = users.recordedSource();
            assertEquals(List.of(GeneratorSpec.KEY_COLUMN), recorded.keyColumns());
            Verification v = larder.verify("users", recorded, 5);
            assertTrue(v.equal() && v.damagedRows() == 0, v.toString());
            assertEquals(1, v.version());
            assertEquals(f0At(1).size(), v.tableRows());
            assertEquals(v.tableRows(), v.checkedRows());
            assertTrue(v.source().endsWith("users"), v.source());
        }
        Path none = dir.resolve("none");
        RuntimeException missing = assertThrows(RuntimeException.class, () -> Larder.builder(none).existing().open());
        assertTrue(missing.getMessage().contains("no store at " + none), missing.getMessage());
        assertFalse(none.toFile().exists());
    }

    /**
     * applyChanges brings a loaded table forward from its recorded source to the version asked for, then to the
     * latest, each time equal to the Delta table there; asking for the watermark applies nothing, a version below it
     * is refused, and so are a table the application feeds and a store that is not there.
     */
    @Test
    void applyChangesBringsALoadedTableForwardFromItsRecordedSource() {
        Larder.builder(store).load("users", source(), Snapshot.version(0), LoadProgress.NONE);
        Applied one = Larder.builder(store).applyChanges("users", null, Snapshot.version(1));
        assertTrue(one.applied());
        assertEquals(1, one.firstVersion());
        assertEquals(1, one.lastVersion());
        assertEquals(1, one.lineage().version());
        assertEquals(f0At(1).size(), one.rows());
        assertTrue(one.source().endsWith("users"), one.source());
        assertEquals(f0At(1), f0InStore());

        Applied latest = Larder.builder(store).applyChanges("users", Source.delta(delta.toString()),
                Snapshot.latest());
        assertEquals(2, latest.firstVersion());
        assertEquals(2, latest.lastVersion());
        assertEquals(f0At(2), f0InStore());
        Applied none = Larder.builder(store).applyChanges("users", null, Snapshot.version(2));
        assertFalse(none.applied());
        assertEquals(2, none.lastVersion());
        IllegalArgumentException below = assertThrows(IllegalArgumentException.class,
                () -> Larder.builder(store).applyChanges("users", null, Snapshot.version(1)));
        assertTrue(below.getMessage().contains("version 1 (version 1) is below the watermark 2 of table users"),
                below.getMessage());
        assertEquals(f0At(2), f0InStore());

        Schema schema = Schema.builder().keyColumn("id", ColumnType.INT64).column("x", ColumnType.FLOAT64).build();
        Larder.builder(store).push("clicks", schema, Duration.ZERO).open().close();
        IllegalStateException pushed = assertThrows(IllegalStateException.class,
                () -> Larder.builder(store).applyChanges("clicks", source(), Snapshot.latest()));
        assertTrue(pushed.getMessage().contains("is fed by the application (pushed rows); a table has one feeder"),
                pushed.getMessage());
        Path nowhere = dir.resolve("nowhere");
        RuntimeException missing = assertThrows(RuntimeException.class,
                () -> Larder.builder(nowhere).applyChanges("users", source(), Snapshot.latest()));
        assertTrue(missing.getMessage().contains("no store at " + nowhere), missing.getMessage());
        assertFalse(nowhere.toFile().exists());
    }

    /** f_0 of every key of the table {@code users} the store holds, of the keys the Delta table ever had. */
    private Map<Long, Double> f0InStore() {
        Set<Long> keys = new HashSet<>();
        for (long v = 0; v <= 2; v++) {
            keys.addAll(f0At(v).keySet());
        }
        Map<Long, Double> out = new HashMap<>();
        try (Larder larder = Larder.open(store)) {
            Reader r = larder.table("users").newReader();
            for (long key : keys) {
                if (r.get(key) == ReadStatus.FOUND) {
                    out.put(key, r.getDouble("f_0", Double.NaN));
                }
            }
        }
        return out;
    }

    @Test
    void aSourceThatDoesNotFitIsRefusedBeforeTheStoreIsCreated() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Larder.builder(store)
                .load("users", Source.delta(delta.toString()).key("no_such_column"), Snapshot.latest(),
                        LoadProgress.NONE));
        assertTrue(e.getMessage().contains("no_such_column"), e.getMessage());
        assertFalse(store.toFile().exists());
    }

    @Test
    void aReadOnlyLarderReadsBesideTheFollowingOneAndSeesWhatItPublishes() throws Exception {
        Map<Long, Double> v1 = f0At(1);
        Map<Long, Double> v2 = f0At(2);
        Larder.builder(store).load("users", source(), Snapshot.version(1), LoadProgress.NONE);
        try (Larder looking = Larder.openReadOnly(store)) {
            assertTrue(looking.readOnly());
            Table users = looking.table("users");
            Reader checked = users.newCheckedReader();
            assertEquals(1, users.readConsistently(() -> users.lineage().version()));
            for (Map.Entry<Long, Double> e : v1.entrySet()) {
                assertEquals(ReadStatus.FOUND, checked.get(e.getKey()), "key " + e.getKey());
                assertEquals(e.getValue(), checked.getDouble("f_0", Double.NaN), "key " + e.getKey());
            }

            // The follower takes the table from version 1 to 2 while the read-only Larder holds it open.
            try (Larder following = Larder.builder(store).follow("users", source()).pollInterval(Duration.ofMillis(50))
                    .open()) {
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
                while (following.table("users").lineage().version() < 2) {
                    assertTrue(System.nanoTime() < deadline, "the follower never reached version 2");
                    Thread.sleep(20);
                }
                following.flush();
                assertEquals(2, users.readConsistently(() -> users.lineage().version()));
                for (Map.Entry<Long, Double> e : v2.entrySet()) {
                    ReadStatus s = users.readConsistently(() -> checked.get(e.getKey()));
                    assertEquals(ReadStatus.FOUND, s, "key " + e.getKey());
                    assertEquals(e.getValue(), checked.getDouble("f_0", Double.NaN), "key " + e.getKey());
                }
                assertEquals(v2.size(), users.size());
                assertEquals(List.of(), looking.status());
                assertTrue(looking.healthy());
                assertThrows(IllegalStateException.class, looking::ingestMetrics);
                assertThrows(IllegalStateException.class, users::newPusher);
                assertNull(users.source());
                assertTrue(following.table("users").source().endsWith("users"), following.table("users").source());
                assertThrows(IllegalStateException.class, () -> following.tableFiles(10));

                List<TableFiles> files = looking.tableFiles(100);
                assertEquals(1, files.size());
                TableFiles f = files.get(0);
                assertEquals("users", f.table());
                assertTrue(f.current() && f.error() == null && f.openForWrite(), f.toString());
                assertEquals(2, f.lineage().version());
                assertEquals(v2.size(), f.rows());
                assertEquals(v2.size(), f.memory().liveRows());
                assertTrue(f.memory().offHeapBytes() > 0 && f.memory().sampledRows() == 100, f.toString());

                Vector v = looking.newVector("v", List.of(Feature.of("users.f_0", -1), Feature.of("users.f_1", -2)));
                Vector.Filler filler = v.newFiller();
                double[] out = new double[2];
                ReadStatus[] statuses = new ReadStatus[2];
                long key = v2.keySet().iterator().next();
                users.readConsistently(() -> filler.fill(filler.key().setLong(0, key), out, statuses));
                assertEquals(v2.get(key), out[0]);
                assertArrayEquals(new ReadStatus[] {ReadStatus.FOUND, statuses[1]}, statuses);
                IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                        () -> looking.newVector("w", List.of(Feature.of("users.nope", 0))));
                assertTrue(missing.getMessage().contains("table users has no column nope"), missing.getMessage());
            }
        }
    }
}
