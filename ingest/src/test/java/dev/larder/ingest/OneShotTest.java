package dev.larder.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.store.FeatureStore;
import dev.larder.store.FeatureTable;
import dev.larder.store.Lineage;
import dev.larder.store.ReadStatus;
import dev.larder.store.TableOptions;
import dev.larder.store.TableReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link LarderEngine#load} and {@link LarderEngine#applyChanges}: one-shot operations through the ring, in batches.
 */
class OneShotTest {
    private static final Lineage ORIGIN = new Lineage("id-a", "mem://a", -1, 0);
    /** Enough rows for several batches, more than a sink has buffers, so the writer must give buffers back. */
    private static final int ROWS = 40_000;

    @TempDir
    Path dir;

    /** A table of {@link #ORIGIN} loaded at version 0 with key 1 (x = 0.0). */
    private static FeatureTable loadOneRow(FeatureStore store, LarderEngine larder) {
        FeatureTable t = store.create("t", FakeSource.SCHEMA, TableOptions.DEFAULT, ORIGIN);
        larder.load(t, ORIGIN, sink -> {
            sink.begin(0, 0);
            sink.upsert(sink.row().setLong(0, 1).setDouble(1, 0.0));
            sink.end();
            return 1;
        });
        return t;
    }

    @Test
    void aLoadOfManyBatchesIsOneVersionPublishedAndDurable() {
        String huge = "y".repeat(RingSink.BATCH_BYTES + 1000);
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.create("t", FakeSource.SCHEMA, TableOptions.DEFAULT, ORIGIN);
            try (LarderEngine larder = LarderEngine.open(store, TestSupport.options())) {
                long rows = larder.load(t, ORIGIN, sink -> {
                    sink.begin(3, 3000);
                    for (long id = 0; id < ROWS; id++) {
                        sink.upsert(sink.row().setLong(0, id).setDouble(1, id * 0.5)
                                .setString(2, id == 7 ? huge : "n" + id));
                    }
                    sink.end();
                    return ROWS;
                });
                assertEquals(ROWS, rows);
                assertEquals(3, t.lineage().version());
                assertEquals("id-a", t.lineage().sourceId());
                assertEquals(ROWS, t.size());
                IngestMetricsSnapshot m = larder.metrics();
                assertEquals(ROWS, m.upserts());
                assertTrue(m.eventsApplied() < ROWS / 100, "rows travel in batches, not one event each: " + m);
            }
            TableReader r = t.newReader();
            assertEquals(ReadStatus.FOUND, r.get(7));
            assertEquals(huge, r.getString(2), "a row larger than a batch travels in a buffer of its own");
            assertEquals(ReadStatus.FOUND, r.get(ROWS - 1));
            assertEquals((ROWS - 1) * 0.5, r.getDouble(1));
        }
        try (FeatureStore store = FeatureStore.open(dir)) {
            assertEquals(3, store.table("t").lineage().version(), "durable when load returned");
        }
    }

    @Test
    void aKeyTwiceInASnapshotIsRefusedNamingItAndLeavesNoWatermark() {
        try (FeatureStore store = FeatureStore.open(dir);
             LarderEngine larder = LarderEngine.open(store, TestSupport.options())) {
            FeatureTable t = store.create("t", FakeSource.SCHEMA, TableOptions.DEFAULT, ORIGIN);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> larder.load(t, ORIGIN, sink -> {
                        sink.begin(1, 1000);
                        for (long id = 0; id < ROWS; id++) {
                            sink.upsert(sink.row().setLong(0, id).setDouble(1, 1.0));
                        }
                        sink.upsert(sink.row().setLong(0, 4242).setDouble(1, 2.0));
                        sink.end();
                        return 0;
                    }));
            assertTrue(e.getMessage().contains(ROWS + 1 + " rows but " + ROWS + " distinct keys")
                    && e.getMessage().contains("duplicate key (id=4242)"), e.getMessage());
            assertEquals(-1, t.lineage().version(), "a snapshot with a duplicate key must not become the watermark");
            assertEquals(0, t.size(), "nothing of the refused snapshot stays");
        }
    }

    /**
     * Versions apply one by one; a change the writer cannot apply in the middle of a batch of version 3 is thrown as
     * the writer saw it, and version 3 is rolled back whole while 1 and 2 stay.
     */
    @Test
    void applyChangesPublishesEachVersionAndRollsBackTheOneThatFails() {
        try (FeatureStore store = FeatureStore.open(dir);
             LarderEngine larder = LarderEngine.open(store, TestSupport.options())) {
            FeatureTable t = loadOneRow(store, larder);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> larder.applyChanges(t, sink -> {
                        for (long v = 1; v <= 3; v++) {
                            sink.begin(v, v * 1000);
                            for (long id = 0; id < ROWS; id++) {
                                if (v == 3 && id == ROWS / 2) {
                                    sink.upsert(sink.row().setDouble(1, 9.0));
                                } else {
                                    sink.upsert(sink.row().setLong(0, id).setDouble(1, v));
                                }
                            }
                            sink.delete(sink.row().setLong(0, 1));
                            sink.end();
                        }
                        return 3;
                    }));
            assertTrue(e.getMessage().contains("null value in key column 'id'"), e.getMessage());
            assertEquals(2, t.lineage().version());
            assertEquals("id-a", t.lineage().sourceId());
            assertEquals(ROWS - 1, t.size());
            TableReader r = t.newReader();
            assertEquals(ReadStatus.FOUND, r.get(0));
            assertEquals(2.0, r.getDouble(1), "what of version 3 was applied is rolled back");
            assertEquals(2, r.version());
            assertEquals(ReadStatus.NOT_FOUND, r.get(1));
        }
    }

    @Test
    void aSourceFailingMidVersionLeavesTheWatermarkAndRowsAsTheyWere() {
        try (FeatureStore store = FeatureStore.open(dir);
             LarderEngine larder = LarderEngine.open(store, TestSupport.options())) {
            FeatureTable t = loadOneRow(store, larder);
            IllegalStateException bad = new IllegalStateException("bad data file");
            assertSame(bad, assertThrows(IllegalStateException.class, () -> larder.applyChanges(t, sink -> {
                sink.begin(1, 1000);
                for (long id = 0; id < ROWS; id++) {
                    sink.upsert(sink.row().setLong(0, id).setDouble(1, 1.0));
                }
                throw bad;
            })));
            assertEquals(0, t.lineage().version());
            assertEquals(1, t.size());
            TableReader r = t.newReader();
            assertEquals(ReadStatus.FOUND, r.get(1));
            assertEquals(0.0, r.getDouble(1));
        }
    }

    /** A rebuild replaces every generation only once its own is complete; a failed one leaves them as they were. */
    @Test
    void aRebuildReplacesTheTableOnlyOnceItsNewGenerationIsComplete() {
        try (FeatureStore store = FeatureStore.open(dir);
             LarderEngine larder = LarderEngine.open(store, TestSupport.options())) {
            loadOneRow(store, larder);
            store.close("t");
            IllegalStateException bad = new IllegalStateException("source unreadable");
            assertSame(bad, assertThrows(IllegalStateException.class, () -> larder.rebuild("t", FakeSource.SCHEMA,
                    TableOptions.DEFAULT, ORIGIN, sink -> {
                        sink.begin(5, 5000);
                        sink.upsert(sink.row().setLong(0, 2).setDouble(1, 5.0));
                        throw bad;
                    })));
            assertEquals(List.of("t"), store.tableNames(), "the failed generation is dropped");
            assertEquals(0, store.table("t").lineage().version());
            store.close("t");

            long rows = larder.rebuild("t", FakeSource.SCHEMA, TableOptions.DEFAULT, ORIGIN, sink -> {
                sink.begin(5, 5000);
                for (long id = 0; id < ROWS; id++) {
                    sink.upsert(sink.row().setLong(0, id).setDouble(1, 5.0));
                }
                sink.end();
                return ROWS;
            });
            assertEquals(ROWS, rows);
            assertEquals(List.of("t.g1"), store.tableNames(), "the old generation is gone");
            FeatureTable t = store.table("t");
            assertEquals("t.g1", t.name());
            assertEquals(5, t.lineage().version());
            assertEquals(ROWS, t.size());
        }
    }

    /**
     * Fills one lane per thread with ids {@code [t * per, (t + 1) * per)} plus {@code extra} on the last, then joins.
     */
    private static long fillLanes(ChangeSink sink, int threads, int per, long extra) {
        List<ChangeSink.Lane> lanes = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            lanes.add(sink.lane());
        }
        List<Thread> started = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            ChangeSink.Lane lane = lanes.get(i);
            long first = (long) i * per;
            boolean last = i == threads - 1;
            started.add(Thread.ofPlatform().start(() -> {
                for (long id = first; id < first + per; id++) {
                    lane.upsert(lane.row().setLong(0, id).setDouble(1, id * 0.25).setString(2, "n" + id));
                }
                if (last && extra >= 0) {
                    lane.upsert(lane.row().setLong(0, extra).setDouble(1, -1.0));
                }
            }));
        }
        for (Thread t : started) {
            try {
                t.join();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
        return (long) threads * per + (extra >= 0 ? 1 : 0);
    }

    /**
     * A bootstrap's lanes take upserts from several threads at once, each into batches of its own; the version holds
     * every row of every lane (what a lane still held is delivered by end()) and nothing else.
     */
    @Test
    void lanesOfABootstrapDeliverEveryRowFromSeveralThreads() {
        try (FeatureStore store = FeatureStore.open(dir);
             LarderEngine larder = LarderEngine.open(store, TestSupport.options())) {
            FeatureTable t = store.create("t", FakeSource.SCHEMA, TableOptions.DEFAULT, ORIGIN);
            long rows = larder.load(t, ORIGIN, sink -> {
                sink.begin(2, 2000);
                long n = fillLanes(sink, 3, ROWS / 3, -1);
                sink.upsert(sink.row().setLong(0, -5).setDouble(1, 5.0));
                sink.end();
                return n + 1;
            });
            assertEquals(ROWS / 3 * 3 + 1, rows);
            assertEquals(rows, t.size());
            assertEquals(2, t.lineage().version());
            TableReader r = t.newReader();
            for (long id = 0; id < ROWS / 3 * 3; id++) {
                assertEquals(ReadStatus.FOUND, r.get(id));
                assertEquals(id * 0.25, r.getDouble(1));
                assertEquals("n" + id, r.getString(2));
            }
            assertEquals(ReadStatus.FOUND, r.get(-5));
        }
    }

    /** A key two lanes both deliver is refused by name, as one sink's would be, and nothing of the version stays. */
    @Test
    void aKeyTwiceAcrossLanesIsRefusedNamingIt() {
        try (FeatureStore store = FeatureStore.open(dir);
             LarderEngine larder = LarderEngine.open(store, TestSupport.options())) {
            FeatureTable t = store.create("t", FakeSource.SCHEMA, TableOptions.DEFAULT, ORIGIN);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> larder.load(t, ORIGIN, sink -> {
                        sink.begin(1, 1000);
                        fillLanes(sink, 2, ROWS / 2, 17);
                        sink.end();
                        return 0;
                    }));
            assertTrue(e.getMessage().contains(ROWS + 1 + " rows but " + ROWS + " distinct keys")
                    && e.getMessage().contains("duplicate key (id=17)"), e.getMessage());
            assertEquals(-1, t.lineage().version());
            assertEquals(0, t.size());
        }
    }

    /** Only a bootstrap's upserts may arrive in any order: outside a version and in a change feed there is no lane. */
    @Test
    void aChangeFeedHasNoLanes() {
        try (FeatureStore store = FeatureStore.open(dir);
             LarderEngine larder = LarderEngine.open(store, TestSupport.options())) {
            FeatureTable t = loadOneRow(store, larder);
            larder.applyChanges(t, sink -> {
                assertNull(sink.lane(), "before begin");
                sink.begin(1, 1000);
                assertNull(sink.lane(), "inside a commit");
                sink.upsert(sink.row().setLong(0, 2).setDouble(1, 1.0));
                sink.end();
                return 1;
            });
            assertEquals(2, t.size());
        }
    }
}
