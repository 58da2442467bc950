package dev.larder.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.store.engine.HeapDescriptor;
import dev.larder.store.engine.StateDescriptor;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeatureTableTest {
    @TempDir
    Path dir;

    static final FeatureSchema SCHEMA = FeatureSchema.builder()
            .keyColumn("id", ColumnType.INT64)
            .column("x", ColumnType.FLOAT64)
            .add(Column.variable("tag", ColumnType.STRING, true, 16))
            .build();

    static void put(FeatureTable t, long id, double x, long version) {
        RowBuffer row = t.newRow();
        row.setLong(0, id).setDouble(1, x).setString(2, "t" + id);
        t.writer().upsert(row, version, version * 1000);
    }

    /**
     * The single-writer rule is asserted, not only documented: a second thread's change fails until it claims the
     * writer.
     */
    @Test
    void onlyTheOwningThreadMayChangeATable() throws Exception {
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.create("t", SCHEMA, TableOptions.DEFAULT);
            put(t, 1, 1.0, 1);
            Throwable[] seen = new Throwable[2];
            Thread intruder = new Thread(() -> {
                try {
                    put(t, 2, 2.0, 1);
                } catch (Throwable e) {
                    seen[0] = e;
                }
                t.writer().claim();
                try {
                    put(t, 3, 3.0, 1);
                } catch (Throwable e) {
                    seen[1] = e;
                }
            }, "intruder");
            intruder.start();
            intruder.join();
            AssertionError refused = (AssertionError) seen[0];
            assertTrue(refused.getMessage().contains("table t is written by thread " + Thread.currentThread().getName()
                    + ", not by intruder"), refused.getMessage());
            assertEquals(null, seen[1], "after claim() the new thread is the writer");
            assertThrows(AssertionError.class, () -> put(t, 4, 4.0, 1), "and the old one no longer is");
            t.writer().claim();
            t.writer().publish(new Lineage("", "", 1, 1000));
            assertEquals(List.of(1L, 3L), ids(t));
        }
    }

    private static List<Long> ids(FeatureTable t) {
        TableReader r = t.newReader();
        List<Long> found = new ArrayList<>();
        for (long id = 1; id <= 4; id++) {
            if (r.get(id) == ReadStatus.FOUND) {
                found.add(id);
            }
        }
        return found;
    }

    @Test
    void upsertDeleteAndVersionOrdering() {
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.create("t", SCHEMA, TableOptions.DEFAULT);
            MappedTableWriter w = t.writer();
            TableReader r = t.newReader();
            RowBuffer row = t.newRow();
            assertEquals(MappedTableWriter.Outcome.INSERTED, w.upsert(row.setLong(0, 1).setDouble(1, 1.0), 5, 5000));
            assertEquals(MappedTableWriter.Outcome.IGNORED_OLDER, w.upsert(row.setDouble(1, 0.5), 4, 4000));
            assertEquals(ReadStatus.FOUND, r.get(1));
            assertEquals(1.0, r.getDouble(1));
            assertEquals(5, r.version());
            assertEquals(5000, r.commitTimestampMillis());
            assertEquals(MappedTableWriter.Outcome.UPDATED, w.upsert(row.setDouble(1, 2.0), 5, 5000),
                    "same version re-applies");
            assertEquals(MappedTableWriter.Outcome.UPDATED, w.upsert(row.setDouble(1, 3.0), 6, 6000));
            assertEquals(ReadStatus.FOUND, r.get(1));
            assertEquals(3.0, r.getDouble(1));
            assertEquals(MappedTableWriter.Outcome.IGNORED_OLDER, w.delete(1, 5));
            assertEquals(ReadStatus.FOUND, r.get(1));
            assertEquals(MappedTableWriter.Outcome.DELETED, w.delete(1, 7));
            assertEquals(ReadStatus.NOT_FOUND, r.get(1));
            assertEquals(MappedTableWriter.Outcome.ABSENT, w.delete(1, 8));
            assertEquals(0, t.size());
            assertEquals(MappedTableWriter.Outcome.INSERTED, w.upsert(row.setDouble(1, 4.0), 9, 9000));
            assertEquals(ReadStatus.FOUND, r.get(1));
            assertEquals(4.0, r.getDouble(1));
        }
    }

    @Test
    void randomOperationsMatchAModelAcrossGrowthAndReopen() {
        Map<Long, Double> model = new HashMap<>();
        Random rnd = new Random(42);
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.create("t", SCHEMA, TableOptions.DEFAULT.withInitialRows(16));
            for (int i = 0; i < 50_000; i++) {
                long id = rnd.nextInt(5_000);
                if (rnd.nextInt(4) == 0) {
                    t.writer().delete(id, i);
                    model.remove(id);
                } else {
                    double x = rnd.nextDouble();
                    put(t, id, x, i);
                    model.put(id, x);
                }
            }
            t.writer().publish(new Lineage("", "", 50_000, 0));
            assertEquals(model.size(), t.size());
            checkModel(t, model);
        }
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.table("t");
            assertEquals(false, t.recoveredOnOpen());
            assertEquals(model.size(), t.size());
            checkModel(t, model);
        }
    }

    static void checkModel(FeatureTable t, Map<Long, Double> model) {
        TableReader r = t.newReader();
        for (long id = 0; id < 5_000; id++) {
            Double x = model.get(id);
            if (x == null) {
                assertEquals(ReadStatus.NOT_FOUND, r.get(id), "id " + id);
            } else {
                assertEquals(ReadStatus.FOUND, r.get(id), "id " + id);
                assertEquals(x, r.getDouble(1), "id " + id);
                assertEquals("t" + id, r.getString(2));
            }
        }
    }

    @Test
    void growthPastInitialCapacityWhileReadersRun() throws Exception {
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.create("t", SCHEMA, TableOptions.DEFAULT.withInitialRows(16));
            put(t, 0, 0.0, 1);
            int n = 200_000;
            AtomicLong published = new AtomicLong(0);
            AtomicLong failures = new AtomicLong();
            Thread[] readers = new Thread[2];
            for (int i = 0; i < readers.length; i++) {
                readers[i] = new Thread(() -> {
                    TableReader r = t.newReader();
                    Random rnd = new Random();
                    while (published.get() < n) {
                        long upTo = published.get();
                        long id = upTo == 0 ? 0 : rnd.nextLong(upTo + 1);
                        if (r.get(id) != ReadStatus.FOUND || r.getDouble(1) != id * 0.5) {
                            failures.incrementAndGet();
                        }
                    }
                });
                readers[i].start();
            }
            for (long id = 1; id <= n; id++) {
                put(t, id, id * 0.5, 1);
                published.set(id);
            }
            for (Thread th : readers) {
                th.join();
            }
            assertEquals(0, failures.get(), "every key inserted before a read was found with its value");
            assertEquals(n + 1, t.size());
        }
    }

    @Test
    void reopenAfterAbandonedWriterRecoversLeakedSlots() {
        Map<Long, Double> model = new HashMap<>();
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.create("t", SCHEMA, TableOptions.DEFAULT);
            for (long id = 0; id < 1000; id++) {
                put(t, id, id, 1);
                model.put(id, (double) id);
            }
            t.writer().publish(new Lineage("src", "/x", 1, 1000));
            t.writer().sync();
            // Version 2 is cut short by the crash: reopening takes all of it back.
            for (long id = 0; id < 500; id++) {
                put(t, id, -id, 2);
            }
            t.writer().delete(999, 2);
            put(t, 5000, 1, 2);
            // A crash between allocating a slot and publishing it leaks the slot; simulate it.
            long leaked = t.writer().allocate();
            t.abandon();
            assertTrue(leaked >= 0);
        }
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.table("t");
            assertTrue(t.recoveredOnOpen());
            assertEquals(502, t.rolledBackOnOpen(), "every change of the unfinished version 2 was undone");
            assertEquals(1, t.lineage().version(), "watermark of the last sync");
            assertEquals("src", t.lineage().sourceId());
            assertEquals(1000, t.size());
            checkModel(t, model);
            assertEquals(ReadStatus.NOT_FOUND, t.newReader().get(5000), "the insert of version 2 was undone");
            long high = t.state.getLong(StateDescriptor.HIGH_WATER);
            for (long id = 1000; id < high; id++) {
                put(t, id, id, 3);
            }
            assertEquals(high, t.state.getLong(StateDescriptor.HIGH_WATER),
                    "every freed and leaked slot was reused before a fresh one was taken");
        }
    }

    /**
     * A published version's replaced rows are not freed by its publish (a pass over rows scattered over the file):
     * the next version's upserts write over them and its deletes free them; what it leaves is freed at its own
     * publish, at a rollback or at close. Whatever path the versions take, no slot is served twice or lost, across a
     * clean close and a crash too.
     */
    @Test
    void rowsAVersionReplacedAreReusedByTheNextOneAndNoSlotIsLost() {
        Map<Long, Double> model = new HashMap<>();
        Random rnd = new Random(11);
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.create("t", SCHEMA, TableOptions.DEFAULT.withInitialRows(16));
            for (long id = 0; id < 1000; id++) {
                put(t, id, id, 1);
                model.put(id, (double) id);
            }
            t.writer().publish(new Lineage("", "", 1, 0));
            for (int v = 2; v <= 3; v++) {
                for (long id = 0; id < 1000; id++) {
                    put(t, id, id * v, v);
                    model.put(id, (double) id * v);
                }
                t.writer().publish(new Lineage("", "", v, 0));
                assertEquals(-1, t.state.getLong(StateDescriptor.FREE_HEAD), "publishing " + v + " freed a row");
            }
            assertEquals(2000, t.state.getLong(StateDescriptor.HIGH_WATER), "version 3 took fresh slots");
            model = applyRandomVersions(t, model, rnd, 4, 200);
            checkModel(t, model);
            assertEquals(model.size(), t.size());
            t.writer().rollback();
            assertNoSlotLost(t);
            model = applyRandomVersions(t, model, rnd, 200, 210);
        }
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.table("t");
            assertFalse(t.recoveredOnOpen());
            checkModel(t, model);
            assertNoSlotLost(t);
            model = applyRandomVersions(t, model, rnd, 210, 220);
            t.abandon();
        }
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.table("t");
            assertTrue(t.recoveredOnOpen());
            checkModel(t, model);
            assertNoSlotLost(t);
        }
    }

    /** Versions {@code from..to-1} of random upserts and deletes over keys 0..1499, a quarter of them rolled back. */
    private static Map<Long, Double> applyRandomVersions(FeatureTable t, Map<Long, Double> model, Random rnd, int from,
                                                         int to) {
        for (int v = from; v < to; v++) {
            Map<Long, Double> next = new HashMap<>(model);
            int changes = rnd.nextInt(600);
            for (int i = 0; i < changes; i++) {
                long id = rnd.nextInt(1500);
                if (rnd.nextInt(3) == 0) {
                    t.writer().delete(id, v);
                    next.remove(id);
                } else {
                    double x = rnd.nextDouble();
                    put(t, id, x, v);
                    next.put(id, x);
                }
            }
            if (rnd.nextInt(4) == 0) {
                t.writer().rollback();
            } else {
                t.writer().publish(new Lineage("", "", v, 0));
                model = next;
            }
        }
        return model;
    }

    /**
     * With no version open and none retired (after a rollback, a reopen): every slot no key reaches is free, so that
     * many inserts take no fresh one (they are then rolled back).
     */
    private static void assertNoSlotLost(FeatureTable t) {
        long high = t.state.getLong(StateDescriptor.HIGH_WATER);
        long unreachable = high - t.size();
        for (long i = 0; i < unreachable; i++) {
            put(t, 1_000_000 + i, 0, 1_000_000_000L);
        }
        assertEquals(high, t.state.getLong(StateDescriptor.HIGH_WATER), "a slot no key reaches was not free");
        t.writer().rollback();
    }

    @Test
    void valuesLongerThanTheirInlineCapacityLiveInTheHeap() {
        Map<Long, String> model = new HashMap<>();
        Random rnd = new Random(3);
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.create("t", SCHEMA, TableOptions.DEFAULT);
            RowBuffer row = t.newRow();
            for (int i = 0; i < 3000; i++) {
                long id = rnd.nextInt(500);
                String tag = "x".repeat(rnd.nextInt(3) == 0 ? rnd.nextInt(16) : 17 + rnd.nextInt(5000)) + id;
                t.writer().upsert(row.clear().setLong(0, id).setString(2, tag), i, i);
                model.put(id, tag);
            }
            checkTags(t, model);
            // Replaced rows (and their heap values) are released once their version is durable.
            t.writer().publish(new Lineage("", "", 3000, 3000));
            t.writer().sync();
            assertTrue(t.state.getLong(StateDescriptor.HEAP_GARBAGE) > 0,
                    "replaced long values are counted as garbage");
            assertTrue(t.state.getLong(StateDescriptor.HEAP_CAPACITY) > HeapDescriptor.MIN_CAPACITY, "the heap grew");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> row.setBytes(2, new byte[RowBuffer.MAX_VALUE_BYTES + 1]));
            assertTrue(e.getMessage().contains("column tag"), e.getMessage());
        }
        try (FeatureStore store = FeatureStore.open(dir)) {
            checkTags(store.table("t"), model);
        }
    }

    private static void checkTags(FeatureTable t, Map<Long, String> model) {
        TableReader r = t.newReader();
        byte[] buf = new byte[8192];
        for (Map.Entry<Long, String> e : model.entrySet()) {
            assertEquals(ReadStatus.FOUND, r.get(e.getKey()));
            assertEquals(e.getValue(), r.getString(2));
            assertEquals(e.getValue().length(), r.getBytes(2, buf, 0));
            assertEquals(e.getValue(), new String(buf, 0, r.getLength(2), java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    @Test
    void oversizedKeysAreRejectedNamingTheColumn() {
        FeatureSchema schema = FeatureSchema.builder().add(Column.variable("k", ColumnType.STRING, false, 8)).key("k")
                .build();
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.create("k", schema, TableOptions.DEFAULT);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> t.newRow().setString(0, "123456789"));
            assertTrue(e.getMessage().contains("key column k"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> t.newKey().setString(0, "123456789"));
        }
    }

    @Test
    void ttlMakesOldRowsExpired() {
        AtomicLong now = new AtomicLong(10_000);
        InstantSource clock = () -> Instant.ofEpochMilli(now.get());
        try (FeatureStore store = FeatureStore.open(dir, clock)) {
            FeatureTable t = store.create("t", SCHEMA,
                    TableOptions.DEFAULT.withTtl(Duration.ofSeconds(5)).withClock(clock));
            RowBuffer row = t.newRow().setLong(0, 1).setDouble(1, 1.0);
            t.writer().upsert(row, 1, 9_000);
            t.writer().publish(new Lineage("", "", 1, 9_000));
            TableReader r = t.newReader();
            assertEquals(ReadStatus.FOUND, r.get(1));
            now.set(14_000);
            assertEquals(ReadStatus.FOUND, r.get(1));
            now.set(14_001);
            assertEquals(ReadStatus.EXPIRED, r.get(1));
            assertEquals(1.0, r.getDouble(1), "expired rows stay readable");
        }
        try (FeatureStore store = FeatureStore.open(dir, clock)) {
            assertEquals(Duration.ofSeconds(5), store.table("t").ttl(), "TTL persists");
            assertEquals(ReadStatus.EXPIRED, store.table("t").newReader().get(1));
        }
    }

    @Test
    void instrumentedReadersCountEachLookupOnceByItsFinalStatus() {
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable a = store.create("a", SCHEMA, TableOptions.DEFAULT);
            // An INT32 key takes the batch's fallback path (a full lookup per key), an INT64 key its direct path.
            FeatureTable b = store.create("b", FeatureSchema.builder().keyColumn("user", ColumnType.INT32)
                    .column("ctr", ColumnType.FLOAT32).build(), TableOptions.DEFAULT);
            put(a, 1, 1.5, 1);
            a.writer().upsert(a.newRow().setLong(0, 3), 1, 0);
            b.writer().upsert(b.newRow().setLong(0, 1).setFloat(1, 0.25f), 1, 0);
            b.writer().upsert(b.newRow().setLong(0, 2), 1, 0);

            TableReader single = a.newReader(1);
            assertEquals(ReadStatus.FOUND, single.get(1));
            assertEquals(ReadStatus.NOT_FOUND, single.get(2));
            TableReader direct = a.newReader(1);
            ReadStatus[] st = new ReadStatus[3];
            direct.getBatch(new long[] {1, 3, 4}, 3, 1, new double[3], 0, st);
            assertEquals(List.of(ReadStatus.FOUND, ReadStatus.NULL, ReadStatus.NOT_FOUND), List.of(st));
            a.newReader().get(1);
            TableReader fallback = b.newReader(1);
            fallback.getBatch(new long[] {1, 2, 3}, 3, 1, new double[3], 0, st);
            assertEquals(List.of(ReadStatus.FOUND, ReadStatus.NULL, ReadStatus.NOT_FOUND), List.of(st));

            ReadMetrics ma = a.readMetrics();
            assertEquals(2, ma.lookups(ReadStatus.FOUND), "the plain reader's lookup is not counted");
            assertEquals(2, ma.lookups(ReadStatus.NOT_FOUND));
            assertEquals(1, ma.lookups(ReadStatus.NULL));
            assertEquals(0, ma.lookups(ReadStatus.EXPIRED));
            assertEquals(5, ma.snapshot().lookups());
            ReadMetrics mb = b.readMetrics();
            assertEquals(List.of(1L, 1L, 1L, 0L), List.of(mb.lookups(ReadStatus.FOUND), mb.lookups(ReadStatus.NULL),
                    mb.lookups(ReadStatus.NOT_FOUND), mb.lookups(ReadStatus.EXPIRED)));
            assertEquals(3, mb.snapshot().lookups());
        }
    }

    @Test
    void batchAndFeatureVectorFillCallerArraysWithDefaults() {
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable a = store.create("a", SCHEMA, TableOptions.DEFAULT);
            FeatureTable b = store.create("b", FeatureSchema.builder().keyColumn("user", ColumnType.INT32)
                    .column("clicks", ColumnType.INT64).column("ctr", ColumnType.FLOAT32).build(),
                    TableOptions.DEFAULT);
            put(a, 1, 1.5, 1);
            put(a, 2, 2.5, 1);
            a.writer().upsert(a.newRow().setLong(0, 3), 1, 0);
            b.writer().upsert(b.newRow().setLong(0, 1).setLong(1, 10).setFloat(2, 0.25f), 1, 0);

            float[] out = new float[4];
            ReadStatus[] st = new ReadStatus[4];
            int found = a.newReader().getBatch(new long[] {1, 2, 3, 4}, 4, 1, out, -1f, st);
            assertEquals(2, found);
            assertEquals(1.5f, out[0]);
            assertEquals(2.5f, out[1]);
            assertEquals(-1f, out[2]);
            assertEquals(-1f, out[3]);
            assertEquals(ReadStatus.NULL, st[2]);
            assertEquals(ReadStatus.NOT_FOUND, st[3]);

            FeatureVector fv = FeatureVector.builder().add(a, "x", -1).add(b, "clicks", 0).add(b, "ctr", 0.01).build();
            FeatureVectorReader vr = fv.newReader();
            double[] v = new double[3];
            ReadStatus[] vs = new ReadStatus[3];
            assertEquals(3, vr.fill(1, v, vs));
            assertEquals(1.5, v[0]);
            assertEquals(10.0, v[1]);
            assertEquals(0.25, v[2]);
            assertEquals(1, vr.fill(2, v, vs));
            assertEquals(2.5, v[0]);
            assertEquals(0.0, v[1]);
            assertEquals(0.01, v[2]);
            assertEquals(ReadStatus.NOT_FOUND, vs[1]);
            assertEquals(java.util.List.of("a.x", "b.clicks", "b.ctr"), fv.names());
        }
    }

    @Test
    void batchLookupsAgreeWithSingleLookups() {
        AtomicLong now = new AtomicLong(100_000);
        InstantSource clock = () -> Instant.ofEpochMilli(now.get());
        FeatureSchema ints = FeatureSchema.builder().keyColumn("id", ColumnType.INT64).column("n", ColumnType.INT32)
                .column("f", ColumnType.FLOAT32).build();
        try (FeatureStore store = FeatureStore.open(dir, clock)) {
            for (FeatureTable t : new FeatureTable[] {
                    store.create("x", SCHEMA, TableOptions.DEFAULT.withTtl(Duration.ofSeconds(10)).withClock(clock)),
                    store.create("ints", ints,
                            TableOptions.DEFAULT.withTtl(Duration.ofSeconds(10)).withClock(clock))}) {
                Random rnd = new Random(9);
                RowBuffer row = t.newRow();
                for (int i = 0; i < 20_000; i++) {
                    long id = rnd.nextInt(8_000);
                    if (rnd.nextInt(5) == 0) {
                        t.writer().delete(id, i);
                    } else {
                        row.clear().setLong(0, id);
                        if (rnd.nextInt(7) != 0) {
                            if (t.schema().column(1).type() == ColumnType.FLOAT64) {
                                row.setDouble(1, rnd.nextGaussian());
                            } else {
                                row.setLong(1, rnd.nextInt());
                            }
                        }
                        t.writer().upsert(row, i, rnd.nextInt(2) == 0 ? 95_000 : 80_000);
                    }
                }
                TableReader batch = t.newReader();
                TableReader single = t.newReader();
                long[] keys = new long[500];
                double[] out = new double[500];
                ReadStatus[] st = new ReadStatus[500];
                for (int round = 0; round < 20; round++) {
                    for (int i = 0; i < keys.length; i++) {
                        keys[i] = rnd.nextInt(9_000);
                    }
                    batch.getBatch(keys, keys.length, 1, out, -7, st);
                    for (int i = 0; i < keys.length; i++) {
                        ReadStatus s = single.get(keys[i]);
                        if (s != ReadStatus.NOT_FOUND && single.isNull(1)) {
                            s = ReadStatus.NULL;
                        }
                        assertEquals(s, st[i], t.name() + " key " + keys[i]);
                        assertEquals(s == ReadStatus.FOUND ? single.getDouble(1) : -7, out[i],
                                t.name() + " key " + keys[i]);
                    }
                }
            }
        }
    }

    @Test
    void instrumentedReadersCountLookupsAndSampleLatency() {
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.create("t", SCHEMA, TableOptions.DEFAULT);
            put(t, 1, 1.0, 1);
            TableReader every = t.newReader(1);
            TableReader someTimes = t.newReader(16);
            TableReader plain = t.newReader();
            for (int i = 0; i < 64; i++) {
                every.get(1);
                someTimes.get(i);
                plain.get(1);
            }
            ReadMetrics.Snapshot s = t.readMetrics().snapshot();
            assertEquals(128, s.lookups(), "instrumented readers only");
            assertEquals(64 + 4, s.latency().getTotalCount(), "every lookup of one reader, one in 16 of the other");
            assertTrue(s.latencyNanos(50) > 0);
            every.get(1);
            assertEquals(129, t.readMetrics().snapshot().lookups());
            assertEquals(69, t.readMetrics().snapshot().latency().getTotalCount(),
                    "samples accumulate across snapshots");
        }
    }

    @Test
    void featureVectorsMoveToTheGenerationTheirHolderServes() {
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable old = store.create("t", SCHEMA, TableOptions.DEFAULT);
            put(old, 1, 1.5, 1);
            AtomicReference<FeatureTable> serving = new AtomicReference<>(old);
            FeatureVectorReader vr = FeatureVector.builder().add(old, serving::get, "x", -1).build().newReader();
            double[] v = new double[1];
            assertEquals(1, vr.fill(1, v, null));
            assertEquals(1.5, v[0]);

            FeatureSchema wider = FeatureSchema.builder().keyColumn("id", ColumnType.INT64)
                    .column("added", ColumnType.INT32)
                    .column("x", ColumnType.FLOAT64).build();
            FeatureTable next = store.createGeneration("t", 1, wider, TableOptions.DEFAULT);
            next.writer().upsert(next.newRow().setLong(0, 1).setLong(1, 7).setDouble(2, 2.5), 2, 0);
            serving.set(next);
            store.close("t");
            assertEquals(1, vr.fill(1, v, null));
            assertEquals(2.5, v[0], "read from the new generation, column found by name");
        }
    }

    /**
     * A generation that lost a feature's column serves its default (status NULL) and still serves the other features.
     */
    @Test
    void aFeatureWhoseColumnIsGoneFromTheNewGenerationReadsAsItsDefault() {
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureSchema wide = FeatureSchema.builder().keyColumn("id", ColumnType.INT64)
                    .column("y", ColumnType.FLOAT64)
                    .column("x", ColumnType.FLOAT64).build();
            FeatureTable old = store.create("t", wide, TableOptions.DEFAULT);
            old.writer().upsert(old.newRow().setLong(0, 1).setDouble(1, 0.5).setDouble(2, 1.5), 1, 0);
            AtomicReference<FeatureTable> serving = new AtomicReference<>(old);
            FeatureVector vector = FeatureVector.builder().add(old, serving::get, "y", -1)
                    .add(old, serving::get, "x", -2)
                    .build();
            FeatureVectorReader vr = vector.newReader();
            double[] before = new double[2];
            assertEquals(2, vr.fill(1, before, null));
            FeatureSchema narrower = FeatureSchema.builder().keyColumn("id", ColumnType.INT64)
                    .column("x", ColumnType.FLOAT64).build();
            FeatureTable next = store.createGeneration("t", 1, narrower, TableOptions.DEFAULT);
            next.writer().upsert(next.newRow().setLong(0, 1).setDouble(1, 2.5), 2, 0);
            serving.set(next);
            store.close("t");
            double[] v = new double[2];
            ReadStatus[] s = new ReadStatus[2];
            FeatureVectorReader late = vector.newReader();
            for (int round = 0; round < 3; round++) {
                assertEquals(1, (round < 2 ? vr : late).fill(1, v, s),
                        "a reader made after the swap reads the new generation");
                assertEquals(-1, v[0]);
                assertEquals(ReadStatus.NULL, s[0]);
                assertEquals(2.5, v[1]);
                assertEquals(ReadStatus.FOUND, s[1]);
            }
        }
    }

    @Test
    void filesAreOwnerOnly() throws IOException {
        try (FeatureStore store = FeatureStore.open(dir.resolve("store"))) {
            store.create("t", SCHEMA, TableOptions.DEFAULT);
        }
        assertEquals(EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                        PosixFilePermission.OWNER_EXECUTE),
                Files.getPosixFilePermissions(dir.resolve("store")));
        try (var files = Files.list(dir.resolve("store/t"))) {
            for (Path p : files.toList()) {
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
                assertEquals(EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE), perms,
                        p.toString());
            }
        }
    }

    @Test
    void damagedFilesAreReportedByName() throws IOException {
        try (FeatureStore store = FeatureStore.open(dir)) {
            put(store.create("t", SCHEMA, TableOptions.DEFAULT), 1, 1, 1);
        }
        Path state = dir.resolve("t/state.dat");
        byte[] original = Files.readAllBytes(state);
        Files.write(state, new byte[StateDescriptor.SIZE]);
        try (FeatureStore store = FeatureStore.open(dir)) {
            StoreCorruptedException e = assertThrows(StoreCorruptedException.class, () -> store.table("t"));
            assertEquals(state, e.file());
            assertTrue(e.getMessage().contains("magic"), e.getMessage());
        }
        Files.write(state, original);
        try (FileChannel ch = FileChannel.open(dir.resolve("t/rows.dat"), StandardOpenOption.WRITE)) {
            ch.truncate(10);
        }
        try (FeatureStore store = FeatureStore.open(dir)) {
            StoreCorruptedException e = assertThrows(StoreCorruptedException.class, () -> store.table("t"));
            assertTrue(e.getMessage().contains("rows.dat") && e.getMessage().contains("truncated"), e.getMessage());
        }
        Path md = dir.resolve("t/table.properties");
        Files.writeString(md, Files.readString(md).replace("lineage.version=-1", "lineage.version=7"));
        try (FeatureStore store = FeatureStore.open(dir)) {
            StoreCorruptedException e = assertThrows(StoreCorruptedException.class, () -> store.table("t"));
            assertTrue(e.getMessage().contains("table.properties") && e.getMessage().contains("checksum"),
                    e.getMessage());
        }
    }

    @Test
    void aTableCannotBeOpenedTwiceAndNamesCannotEscapeTheStore() {
        try (FeatureStore store = FeatureStore.open(dir)) {
            store.create("t", SCHEMA, TableOptions.DEFAULT);
            try (FeatureStore other = FeatureStore.open(dir)) {
                StoreException e = assertThrows(StoreException.class, () -> other.table("t"));
                assertTrue(e.getMessage().contains("already open"), e.getMessage());
            }
            assertThrows(IllegalArgumentException.class, () -> store.create("../evil", SCHEMA, TableOptions.DEFAULT));
            assertThrows(IllegalArgumentException.class, () -> store.table(".hidden"));
        }
    }

    @Test
    void generationNamesAreReservedForGenerations() {
        try (FeatureStore store = FeatureStore.open(dir)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> store.create("users.g1", SCHEMA, TableOptions.DEFAULT));
            assertTrue(e.getMessage().contains("reserved for the generations of table users"), e.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> store.createGeneration("users.g1", 2, SCHEMA, TableOptions.DEFAULT));
            assertTrue(store.tableNames().isEmpty(), "nothing was created: " + store.tableNames());
            // Names that merely look alike are ordinary tables.
            store.create("users.g", SCHEMA, TableOptions.DEFAULT);
            store.create("users.g01x", SCHEMA, TableOptions.DEFAULT);
            store.create("users.gold", SCHEMA, TableOptions.DEFAULT);
            store.createGeneration("users", 1, SCHEMA, TableOptions.DEFAULT);
            assertEquals(List.of("users.g", "users.g01x", "users.g1", "users.gold"), store.tableNames());
            StoreException exists = assertThrows(StoreException.class,
                    () -> store.create("users", SCHEMA, TableOptions.DEFAULT));
            assertTrue(exists.getMessage().contains("already exists") && exists.getMessage().contains("users.g1"),
                    exists.getMessage());
        }
    }

    /**
     * A table's name opens its current generation: the newest with a watermark, else (bootstrap unfinished) the newest.
     */
    @Test
    void aTableNameResolvesToItsCurrentGeneration() {
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable g0 = store.create("t", SCHEMA, TableOptions.DEFAULT);
            put(g0, 1, 1.0, 1);
            g0.writer().publish(new Lineage("src", "/delta", 1, 1000));
            FeatureTable g2 = store.createGeneration("t", 2, SCHEMA, TableOptions.DEFAULT);
            put(g2, 1, 2.0, 2);
            assertEquals("t", store.resolve("t"), "an unfinished generation is not current");
            g2.writer().publish(new Lineage("src", "/delta", 2, 2000));
            assertEquals("t.g2", store.resolve("t"), "the open generation's live watermark counts");
            store.createGeneration("t", 3, SCHEMA, TableOptions.DEFAULT);
        }
        try (FeatureStore store = FeatureStore.open(dir)) {
            assertEquals(List.of(0L, 2L, 3L), store.generations("t"));
            assertEquals(2, store.currentGeneration("t"));
            assertTrue(store.exists("t"));
            assertEquals("t.g2", store.table("t").name());
            assertEquals(2, store.metadata("t").lineage().version());
            assertEquals("t", store.generation("t", 0).name(), "a generation opens exactly");
            assertEquals("t.g3", store.table("t.g3").name(), "a generation's directory name opens that generation");
            store.close("t.g2");
            store.drop("t.g2");
            store.close("t");
            store.drop("t");
            assertEquals(-1, store.currentGeneration("t"), "no generation has a watermark");
            assertEquals("t.g3", store.resolve("t"));
            store.close("t.g3");
            store.drop("t.g3");
            assertFalse(store.exists("t"));
            StoreException e = assertThrows(StoreException.class, () -> store.table("t"));
            assertTrue(e.getMessage().contains("no table t"), e.getMessage());
        }
    }
}
