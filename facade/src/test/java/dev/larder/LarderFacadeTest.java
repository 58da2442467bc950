package dev.larder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.snapshot.DeltaSource;
import dev.larder.tools.generate.DeltaTableGenerator;
import dev.larder.tools.generate.GeneratorSpec;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The facade over a generated Delta table: values equal Delta's, vectors assemble with defaults, errors name what is
 * wrong.
 */
class LarderFacadeTest {
    @TempDir
    Path dir;
    Path delta;
    /** f_0 and f_1 of every key at the latest version, read through Delta Kernel. */
    final Map<Long, double[]> expected = new HashMap<>();

    @BeforeEach
    void table() throws Exception {
        delta = dir.resolve("users");
        DeltaTableGenerator.generate(GeneratorSpec.builder().rows(2000).numericFeatures(2).float32Features(0).commits(2)
                .rowsPerFile(500).build(), delta);
        DeltaSource src = DeltaSource.open(delta.toString());
        int key = src.schema(src.latestVersion()).indexOf(GeneratorSpec.KEY_COLUMN);
        int f0 = src.schema(src.latestVersion()).indexOf("f_0");
        int f1 = src.schema(src.latestVersion()).indexOf("f_1");
        src.scan(src.latestVersion(), r -> expected.put(r.getLong(key),
                new double[] {r.isNull(f0) ? Double.NaN : r.getDouble(f0),
                        r.isNull(f1) ? Double.NaN : r.getDouble(f1)}));
    }

    Larder.Builder builder() {
        return Larder.builder(dir.resolve("store"))
                .follow("users", Source.delta(delta.toString()).key(GeneratorSpec.KEY_COLUMN))
                .vector("model", Feature.of("users.f_1", -1), Feature.of("users.f_0", -2));
    }

    @Test
    void everyKeyReadsAsDeltaHasItAndVectorsFillDefaultsForMissingKeys() throws Exception {
        try (Larder larder = builder().open()) {
            assertTrue(larder.awaitReady(Duration.ofMinutes(2)));
            Table users = larder.table("users");
            assertEquals(expected.size(), users.size());
            assertTrue(users.lineage().version() >= 0 && users.status() != null);
            Reader r = users.newReader();
            Vector.Filler filler = larder.vector("model").newFiller();
            double[] v = new double[2];
            ReadStatus[] statuses = new ReadStatus[2];
            for (long k = 0; k < 2100; k++) {
                double[] want = expected.get(k);
                ReadStatus s = r.get(k);
                filler.fill(k, v, statuses);
                if (want == null) {
                    assertEquals(ReadStatus.NOT_FOUND, s, "key " + k);
                    assertEquals(-7.5, r.getDouble("f_0", -7.5));
                    assertArrayEquals(new double[] {-1, -2}, v, "defaults for missing key " + k);
                } else {
                    assertEquals(ReadStatus.FOUND, s, "key " + k);
                    assertEquals(want[0], r.getDouble("f_0", Double.NaN), "key " + k);
                    assertEquals(want[1], r.getDouble(r.column("f_1")), "key " + k);
                    assertArrayEquals(new double[] {want[1], want[0]}, v, "vector of key " + k);
                }
            }
            assertEquals(java.util.List.of("users.f_1", "users.f_0"), larder.vector("model").features());
            assertTrue(larder.healthy());
        }
        // Reopened without following: the table is served as the store holds it.
        try (Larder larder = Larder.open(dir.resolve("store"))) {
            Reader r = larder.table("users").newReader();
            long some = expected.keySet().iterator().next();
            assertEquals(ReadStatus.FOUND, r.get(some));
            assertEquals(expected.get(some)[0], r.getDouble("f_0", Double.NaN));
            assertEquals(null, larder.table("users").status(), "served, not followed");
        }
    }

    /**
     * A follow's bootstrap tells its progress with the version it reads, ending at every row of that version; a
     * reopened store that holds the table bootstraps nothing and tells nothing; a progress for a table not followed is
     * refused before the store is touched.
     */
    @Test
    void aBootstrapTellsItsProgressWithTheVersionItReads() throws Exception {
        List<long[]> told = new CopyOnWriteArrayList<>();
        LoadProgress progress = (version, rows, files) -> told.add(new long[] {version, rows, files});
        long version;
        try (Larder larder = builder().bootstrapProgress("users", progress).open()) {
            assertTrue(larder.awaitReady(Duration.ofMinutes(2)));
            version = larder.table("users").lineage().version();
        }
        assertEquals(DeltaSource.open(delta.toString()).latestVersion(), version);
        assertFalse(told.isEmpty());
        long[] last = told.get(told.size() - 1);
        assertEquals(expected.size(), last[1], "rows delivered by the end");
        assertTrue(last[2] >= 4, "2,000 rows at 500 per file: " + last[2] + " files");
        for (long[] t : told) {
            assertEquals(version, t[0]);
        }
        told.clear();
        try (Larder larder = builder().bootstrapProgress("users", progress).open()) {
            assertTrue(larder.awaitReady(Duration.ofMinutes(2)));
            assertEquals(version, larder.table("users").lineage().version());
        }
        assertEquals(List.of(), told, "the store held the table: nothing bootstrapped");
        IllegalArgumentException other = assertThrows(IllegalArgumentException.class, () -> Larder.builder(
                dir.resolve("s3")).bootstrapProgress("users", progress).open());
        assertTrue(other.getMessage().contains("bootstrap progress for table users, which is not followed"),
                other.getMessage());
        assertFalse(Files.exists(dir.resolve("s3")), "the refused open created the store");
    }

    @Test
    void mistakesAreNamed() {
        IllegalArgumentException column = assertThrows(IllegalArgumentException.class, () -> builder()
                .vector("bad", Feature.of("users.nope"), Feature.of("other.f_0")).open());
        assertTrue(column.getMessage().contains("vector bad") && column.getMessage().contains("users.nope")
                && column.getMessage().contains("no column nope") && column.getMessage().contains("no table other"),
                column.getMessage());
        // The failed open released the store: a correct one opens it again.
        try (Larder larder = builder().open()) {
            IllegalArgumentException table = assertThrows(IllegalArgumentException.class,
                    () -> larder.table("missing"));
            assertTrue(table.getMessage().contains("no table missing"), table.getMessage());
            IllegalArgumentException vector = assertThrows(IllegalArgumentException.class, () -> larder.vector("nope"));
            assertTrue(vector.getMessage().contains("no vector nope") && vector.getMessage().contains("model"),
                    vector.getMessage());
            IllegalArgumentException name = assertThrows(IllegalArgumentException.class,
                    () -> larder.table("users").newReader().getDouble("nope", 0));
            assertTrue(name.getMessage().contains("no column nope"), name.getMessage());
        }
        IllegalArgumentException noKey = assertThrows(IllegalArgumentException.class,
                () -> Larder.builder(dir.resolve("s2")).follow("t", Source.delta(delta.toString())).open());
        assertTrue(noKey.getMessage().contains("has no key"), noKey.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Feature.of("nodot"));
    }

    /** Application rows pushed from several threads are served once their version ends, and survive a reopen. */
    @Test
    void pushedRowsAreServedOnceTheirVersionEndsAndSurviveAReopen() throws Exception {
        Schema clicks = Schema.builder().keyColumn("user_id", ColumnType.INT64)
                .column("ctr", ColumnType.FLOAT64).build();
        try (Larder larder = builder().push("clicks", clicks, Duration.ZERO)
                .vector("both", Feature.of("users.f_0", -2), Feature.of("clicks.ctr", -3)).open()) {
            Table table = larder.table("clicks");
            Thread[] producers = new Thread[2];
            for (int p = 0; p < producers.length; p++) {
                int first = p * 500;
                producers[p] = Thread.ofPlatform().start(() -> {
                    Pusher pusher = table.newPusher();
                    int ctr = pusher.column("ctr");
                    for (long id = first; id < first + 500; id++) {
                        pusher.row().setLong(0, id).setDouble(ctr, id / 1000.0);
                        pusher.upsert(1, 1_000);
                    }
                });
            }
            for (Thread t : producers) {
                t.join();
            }
            Pusher pusher = table.newPusher();
            pusher.endVersion(1, 1_000);
            larder.flush();
            assertEquals(1, table.lineage().version());
            Reader reader = table.newReader();
            assertEquals(ReadStatus.FOUND, reader.get(7L));
            pusher.row().setLong(0, 7);
            assertEquals(PushStatus.ACCEPTED, pusher.tryDelete(2));
            pusher.endVersion(2, 2_000);
            larder.flush();
            assertEquals(2, table.lineage().version());
            assertEquals(ReadStatus.NOT_FOUND, reader.get(7L));
            assertEquals(ReadStatus.FOUND, reader.get(999L));
            assertEquals(0.999, reader.getDouble("ctr", 0), 0.0);
            assertTrue(larder.awaitReady(Duration.ofMinutes(2)));
            Vector both = larder.vector("both");
            float[] input = new float[both.size()];
            Vector.Filler filler = both.newFiller();
            filler.fill(999L, input, null);
            assertEquals((float) 0.999, input[1], "a vector reads pushed and followed tables alike");
            filler.fill(7L, input, null);
            assertEquals(-3f, input[1], "a deleted row reads as the feature's default");

            IllegalStateException followed = assertThrows(IllegalStateException.class,
                    () -> larder.table("users").newPusher());
            assertTrue(followed.getMessage().contains("table users is not fed by the application")
                    && followed.getMessage().contains(delta.toString()), followed.getMessage());
        }
        try (Larder reopened = Larder.builder(dir.resolve("store")).push("clicks", clicks, Duration.ZERO).open()) {
            Reader reader = reopened.table("clicks").newReader();
            assertEquals(ReadStatus.FOUND, reader.get(0L));
            assertEquals(1, reader.version(), "the row's lineage: the version that wrote it");
            assertEquals(ReadStatus.NOT_FOUND, reader.get(7L));
            assertEquals(2, reopened.table("clicks").lineage().version());
        }
        Schema other = Schema.builder().keyColumn("user_id", ColumnType.INT64)
                .column("ctr", ColumnType.FLOAT32).build();
        IllegalArgumentException changed = assertThrows(IllegalArgumentException.class,
                () -> Larder.builder(dir.resolve("store")).push("clicks", other, Duration.ZERO).open());
        assertTrue(changed.getMessage().contains("table clicks in " + dir.resolve("store") + " has schema"),
                changed.getMessage());
    }

    /**
     * A changed selection is not applied to a table the store serves, not even by a re-bootstrap forced by VACUUMed
     * history: the new generation keeps the served columns, so a running model's features stay.
     */
    @Test
    void aReBootstrapKeepsTheServedColumnsWhenTheSelectionChanged() throws Exception {
        Path table = dir.resolve("narrow");
        DeltaTableGenerator.generate(GeneratorSpec.builder().rows(1000).numericFeatures(2).float32Features(0).commits(1)
                .rowsPerFile(250).build(), table);
        Source first = Source.delta(table.toString()).key(GeneratorSpec.KEY_COLUMN).columns("f_1");
        try (Larder larder = Larder.builder(dir.resolve("narrow-store")).follow("t", first)
                .pollInterval(Duration.ofMillis(20)).open()) {
            assertTrue(larder.awaitReady(Duration.ofMinutes(2)));
            assertEquals(List.of(GeneratorSpec.KEY_COLUMN, "f_1"), larder.table("t").columns());
        }
        DeltaTableGenerator.appendCommit(table);
        DeltaTableGenerator.appendCommit(table);
        // VACUUM: the files commit 2 removed are gone, so the follower must bootstrap a new generation.
        String commit2 = Files.readString(table.resolve("_delta_log").resolve(String.format("%020d.json", 2)));
        Matcher removed = Pattern.compile("\\{\"remove\":\\{\"path\":\"([^\"]+)\"").matcher(commit2);
        int vacuumed = 0;
        while (removed.find()) {
            Files.delete(table.resolve(removed.group(1)));
            vacuumed++;
        }
        assertTrue(vacuumed > 0);
        Source changed = Source.delta(table.toString()).key(GeneratorSpec.KEY_COLUMN).columns("f_0");
        try (Larder larder = Larder.builder(dir.resolve("narrow-store")).follow("t", changed)
                .pollInterval(Duration.ofMillis(20)).vector("model", Feature.of("t.f_1", -7)).open()) {
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (larder.table("t").lineage().version() < 3) {
                assertTrue(System.nanoTime() < deadline, "never reached version 3: " + larder.table("t").status());
                Thread.sleep(10);
            }
            assertEquals("t.g1", larder.table("t").status().generation(), "re-bootstrapped");
            assertEquals(List.of(GeneratorSpec.KEY_COLUMN, "f_1"), larder.table("t").columns());
            Reader r = larder.table("t").newReader();
            long key = -1;
            for (long k = 0; k < 1000 && key < 0; k++) {
                if (r.get(k) == ReadStatus.FOUND && !r.isNull(r.column("f_1"))) {
                    key = k;
                }
            }
            assertTrue(key >= 0);
            double[] v = new double[1];
            larder.vector("model").newFiller().fill(key, v, null);
            assertEquals(r.getDouble("f_1", Double.NaN), v[0]);
        }
    }

    /** A table keeps the key it was bootstrapped with: opened under another key it is refused, not served. */
    @Test
    void aChangedKeyIsRefusedNotServedByTheOldOne() throws Exception {
        try (Larder larder = builder().open()) {
            assertTrue(larder.awaitReady(Duration.ofMinutes(2)));
        }
        Source rekeyed = Source.delta(delta.toString()).key(GeneratorSpec.KEY_COLUMN, "c_0");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Larder.builder(dir.resolve("store")).follow("users", rekeyed).open());
        Path store = dir.resolve("store");
        assertEquals("table users in " + store + " is keyed by [entity_id], not [entity_id, c_0]; declare its key, or "
                + "rebuild it with the new one (./larder rebuild --store " + store + " --table users --delta " + delta
                + " --key entity_id,c_0) or drop it", e.getMessage());
        try (Larder larder = builder().open()) {
            assertTrue(larder.awaitReady(Duration.ofMinutes(2)), "the refused open left the table as it was");
        }
    }

    /** A table has one feeder: no Delta table follows into a pushed table, no rows are pushed into a followed one. */
    @Test
    void aTableHasOneFeeder() throws Exception {
        Path store = dir.resolve("store");
        Schema clicks = Schema.builder().keyColumn("user_id", ColumnType.INT64)
                .column("ctr", ColumnType.FLOAT64).build();
        try (Larder larder = Larder.builder(store).push("clicks", clicks, Duration.ZERO).open()) {
            Pusher pusher = larder.table("clicks").newPusher();
            pusher.row().setLong(0, 1).setDouble(1, 0.5);
            pusher.upsert(1, 1_000);
            pusher.endVersion(1, 1_000);
            larder.flush();
        }
        IllegalStateException follow = assertThrows(IllegalStateException.class, () -> Larder.builder(store)
                .follow("clicks", Source.delta(delta.toString()).key(GeneratorSpec.KEY_COLUMN)).open());
        assertTrue(follow.getMessage().contains("table clicks in " + store + " is fed by the application (pushed rows);"
                + " a table has one feeder, so Delta table ")
                && follow.getMessage().contains(delta.getFileName() + " cannot feed it too"), follow.getMessage());
        try (Larder larder = Larder.open(store)) {
            Table t = larder.table("clicks");
            assertEquals(1, t.lineage().version());
            assertEquals("application", t.lineage().sourceId());
            assertEquals(1, t.size(), "no row of the Delta table reached the pushed one");
        }

        Schema users;
        long version;
        try (Larder larder = Larder.builder(store)
                .follow("users", Source.delta(delta.toString()).key(GeneratorSpec.KEY_COLUMN)).open()) {
            assertTrue(larder.awaitReady(Duration.ofMinutes(2)));
            users = larder.table("users").schema();
            version = larder.table("users").lineage().version();
        }
        IllegalStateException push = assertThrows(IllegalStateException.class,
                () -> Larder.builder(store).push("users", users, Duration.ZERO).open());
        assertTrue(push.getMessage().contains("table users in " + store + " is fed by Delta table ")
                && push.getMessage().contains(delta.getFileName() + "; a table has one feeder, so the application"
                + " (pushed rows) cannot feed it too"), push.getMessage());
        try (Larder larder = Larder.open(store)) {
            assertEquals(expected.size(), larder.table("users").size());
            assertEquals(version, larder.table("users").lineage().version());
        }
    }

    /** A row without its key, or of a version already ended, is refused at its own call; the table goes on. */
    @Test
    void pushesTheTableWouldLoseAreRefusedAtTheirCall() throws Exception {
        Path store = dir.resolve("store");
        Schema clicks = Schema.builder().keyColumn("user_id", ColumnType.INT64)
                .column("ctr", ColumnType.FLOAT64).build();
        try (Larder larder = Larder.builder(store).push("clicks", clicks, Duration.ZERO).open()) {
            Pusher pusher = larder.table("clicks").newPusher();
            int ctr = pusher.column("ctr");
            pusher.row().setDouble(ctr, 0.1);
            IllegalArgumentException keyless = assertThrows(IllegalArgumentException.class,
                    () -> pusher.upsert(1, 1_000));
            assertTrue(keyless.getMessage().contains("table clicks: row refused, null value in key column 'user_id'"),
                    keyless.getMessage());
            assertThrows(IllegalArgumentException.class, () -> pusher.tryUpsert(1, 1_000));
            assertThrows(IllegalArgumentException.class, () -> pusher.delete(1));

            pusher.row().setLong(0, 1).setDouble(ctr, 0.5);
            pusher.upsert(1, 1_000);
            pusher.endVersion(1, 1_000);
            pusher.row().setLong(0, 2).setDouble(ctr, 0.6);
            pusher.upsert(2, 2_000);
            pusher.endVersion(2, 2_000);
            pusher.row().setLong(0, 3).setDouble(ctr, 0.7);
            IllegalArgumentException stale = assertThrows(IllegalArgumentException.class,
                    () -> pusher.upsert(2, 2_000));
            assertTrue(stale.getMessage().contains("table clicks: cannot push version 2, not above version 2, which is"
                    + " already ended"), stale.getMessage());
            assertEquals(PushStatus.STALE_VERSION, pusher.tryUpsert(1, 1_000));
            assertEquals(PushStatus.STALE_VERSION, pusher.tryDelete(-1));
            assertEquals(PushStatus.STALE_VERSION, pusher.tryEndVersion(1, 1_000));
            IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                    () -> pusher.endVersion(-1, 0));
            assertTrue(negative.getMessage().contains("cannot push version -1, versions are not negative"),
                    negative.getMessage());
            larder.flush();
            assertEquals(2, larder.table("clicks").lineage().version());
        }
        try (Larder larder = Larder.open(store)) {
            Reader r = larder.table("clicks").newReader();
            assertEquals(ReadStatus.FOUND, r.get(1L));
            assertEquals(ReadStatus.FOUND, r.get(2L));
            assertEquals(ReadStatus.NOT_FOUND, r.get(3L));
            assertEquals(2, larder.table("clicks").size());
        }
    }

    /** The refusals of stale versions keep the try calls allocation-free. */
    @Test
    void tryCallsAllocateNothingWhateverTheirStatus() throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Schema clicks = Schema.builder().keyColumn("user_id", ColumnType.INT64)
                .column("ctr", ColumnType.FLOAT64).build();
        try (Larder larder = Larder.builder(dir.resolve("store")).push("clicks", clicks, Duration.ZERO).open()) {
            Pusher pusher = larder.table("clicks").newPusher();
            pusher.row().setLong(0, 1).setDouble(1, 0.5);
            assertEquals(PushStatus.ACCEPTED, pusher.tryEndVersion(1, 1_000));
            long[] statuses = new long[PushStatus.values().length];
            long id = Thread.currentThread().threadId();
            // A round may allocate once (a deoptimization rematerializes what escape analysis removed): a steady round
            // must allocate nothing, and every round allocating would fail.
            long fewest = Long.MAX_VALUE;
            for (int round = 0; round < 6 && fewest != 0; round++) {
                long before = threads.getThreadAllocatedBytes(id);
                for (int i = 0; i < 20_000; i++) {
                    statuses[pusher.tryUpsert(2, 2_000).ordinal()]++;
                    statuses[pusher.tryUpsert(1, 1_000).ordinal()]++;
                    statuses[pusher.tryDelete(-1).ordinal()]++;
                    statuses[pusher.tryEndVersion(0, 0).ordinal()]++;
                }
                long allocated = threads.getThreadAllocatedBytes(id) - before;
                if (round > 0) {
                    fewest = Math.min(fewest, allocated);
                }
            }
            assertEquals(0, fewest, "bytes allocated by 80,000 try calls in the steadiest round after a warm-up one");
            assertTrue(statuses[PushStatus.ACCEPTED.ordinal()] > 0);
            assertEquals(0, statuses[PushStatus.STALE_VERSION.ordinal()] % 60_000);
            assertTrue(statuses[PushStatus.STALE_VERSION.ordinal()] >= 120_000);
        }
    }

    /**
     * A reader's lookups and getters allocate nothing once warm: the reader moves to a new generation by itself (one
     * volatile read per lookup), not through another reader layer.
     */
    @Test
    void readerLookupsAllocateNothing() throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Schema clicks = Schema.builder().keyColumn("user_id", ColumnType.INT64)
                .column("ctr", ColumnType.FLOAT64).column("n", ColumnType.INT64).build();
        try (Larder larder = Larder.builder(dir.resolve("store")).push("clicks", clicks, Duration.ZERO).open()) {
            Pusher pusher = larder.table("clicks").newPusher();
            for (long k = 0; k < 100; k++) {
                pusher.row().setLong(0, k).setDouble(1, k / 10.0).setLong(2, k);
                pusher.upsert(1, 1_000);
            }
            pusher.endVersion(1, 1_000);
            larder.flush();
            Reader r = larder.table("clicks").newReader();
            Columns both = r.columns(-1, "ctr", "n");
            double[] out = new double[2];
            ReadStatus[] statuses = new ReadStatus[4];
            long[] keys = {1, 2, 300, 4};
            double[] batch = new double[8];
            long id = Thread.currentThread().threadId();
            double sum = 0;
            long fewest = Long.MAX_VALUE;
            for (int round = 0; round < 6 && fewest != 0; round++) {
                long before = threads.getThreadAllocatedBytes(id);
                for (int i = 0; i < 20_000; i++) {
                    long k = i % 120;
                    if (r.get(k) == ReadStatus.FOUND) {
                        sum += r.getDouble("ctr", 0) + r.getLong(2) + r.version();
                    }
                    r.get(r.key().setLong(0, k));
                    r.get(k, both, out, statuses);
                    sum += out[0] + r.getBatch(keys, 4, both, batch, statuses);
                }
                long allocated = threads.getThreadAllocatedBytes(id) - before;
                if (round > 0) {
                    fewest = Math.min(fewest, allocated);
                }
            }
            assertEquals(0, fewest, "bytes allocated by 80,000 lookups in the steadiest round after a warm-up one");
            assertTrue(sum > 0);
        }
    }
}
