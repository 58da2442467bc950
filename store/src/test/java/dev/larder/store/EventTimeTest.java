package dev.larder.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.store.internal.TableWriter.Outcome;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The event-time rule of the single writer: an older event never overwrites a newer value, in whatever order. */
class EventTimeTest {
    @TempDir
    Path dir;

    static final FeatureSchema SCHEMA = FeatureSchema.builder()
            .keyColumn("id", ColumnType.INT64)
            .column("x", ColumnType.FLOAT64)
            .column("ts", ColumnType.TIMESTAMP)
            .build();

    private static final TableOptions OPTIONS = TableOptions.DEFAULT.withEventTime("ts");

    private static Outcome put(FeatureTable t, long id, double x, Long ts, long version) {
        RowBuffer row = t.newRow();
        row.setLong(0, id).setDouble(1, x);
        if (ts != null) {
            row.setLong(2, ts);
        }
        return t.writer().upsert(row, version, version * 1000);
    }

    private static Outcome delete(FeatureTable t, long id, Long ts, long version) {
        RowBuffer row = t.newRow();
        row.setLong(0, id);
        if (ts != null) {
            row.setLong(2, ts);
        }
        return t.writer().delete(row, version);
    }

    private static double x(FeatureTable t, long id) {
        TableReader r = t.newReader();
        return r.get(id) == ReadStatus.FOUND ? r.getDouble(1) : Double.NaN;
    }

    @Test
    void anOlderEventNeverOverwritesANewerOneWhateverTheVersions() {
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.create("t", SCHEMA, OPTIONS);
            assertEquals(2, t.eventTimeColumn());
            assertEquals(Outcome.INSERTED, put(t, 1, 1.0, 200L, 1));
            // A later version with an older event (a stream lagging behind a batch) is skipped and counted.
            assertEquals(Outcome.IGNORED_OLDER, put(t, 1, 2.0, 100L, 2));
            assertEquals(1.0, x(t, 1));
            assertEquals(1, t.olderEventsSkipped());
            // An earlier version with a newer event applies: versions of two sources do not order each other.
            assertEquals(Outcome.UPDATED, put(t, 1, 3.0, 300L, 0));
            assertEquals(3.0, x(t, 1));
            // Ties: the change applied later wins.
            assertEquals(Outcome.UPDATED, put(t, 1, 4.0, 300L, 3));
            assertEquals(4.0, x(t, 1));
            // A null event time is older than any other, and anything overwrites it.
            assertEquals(Outcome.IGNORED_OLDER, put(t, 1, 5.0, null, 4));
            assertEquals(Outcome.INSERTED, put(t, 2, 1.0, null, 4));
            assertEquals(Outcome.UPDATED, put(t, 2, 2.0, Long.MIN_VALUE + 1, 5));
            assertEquals(2.0, x(t, 2));
            assertEquals(2, t.olderEventsSkipped());
        }
    }

    @Test
    void aDeleteWithAnOlderEventTimeIsSkippedOneWithoutAlwaysApplies() {
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.create("t", SCHEMA, OPTIONS);
            put(t, 1, 1.0, 200L, 1);
            put(t, 2, 1.0, 200L, 1);
            assertEquals(Outcome.IGNORED_OLDER, delete(t, 1, 199L, 2));
            assertEquals(1.0, x(t, 1));
            assertEquals(Outcome.DELETED, delete(t, 1, 200L, 2));
            assertTrue(Double.isNaN(x(t, 1)));
            assertEquals(Outcome.DELETED, delete(t, 2, null, 0));
            assertTrue(Double.isNaN(x(t, 2)));
            assertEquals(1, t.olderEventsSkipped());
        }
    }

    /** Any arrival order of the same events leaves each key with its newest event's value. */
    @Test
    void everyArrivalOrderEndsOnTheNewestEvent() {
        Random random = new Random(22);
        List<long[]> events = new ArrayList<>();
        Map<Long, Long> newest = new HashMap<>();
        for (int i = 0; i < 2000; i++) {
            long id = random.nextInt(50);
            long ts = random.nextLong(1_000_000);
            events.add(new long[] {id, ts});
            newest.merge(id, ts, Math::max);
        }
        for (int round = 0; round < 3; round++) {
            Collections.shuffle(events, random);
            try (FeatureStore store = FeatureStore.open(dir.resolve("r" + round))) {
                FeatureTable t = store.create("t", SCHEMA, OPTIONS);
                long version = 0;
                for (long[] e : events) {
                    put(t, e[0], e[1], e[1], ++version);
                    if (version % 100 == 0) {
                        t.writer().publish(new Lineage("", "", version, version));
                    }
                }
                t.writer().publish(new Lineage("", "", version, version));
                TableReader r = t.newReader();
                for (Map.Entry<Long, Long> n : newest.entrySet()) {
                    assertEquals(ReadStatus.FOUND, r.get(n.getKey()));
                    assertEquals((double) n.getValue(), r.getDouble(1), "key " + n.getKey());
                    assertEquals(n.getValue(), r.getLong(2));
                }
            }
        }
    }

    @Test
    void theColumnIsKeptInTheMetadataAndChecked() {
        try (FeatureStore store = FeatureStore.open(dir)) {
            store.create("t", SCHEMA, OPTIONS);
            store.close("t");
            FeatureTable t = store.table("t");
            assertEquals("ts", t.metadata().eventTime());
            put(t, 1, 1.0, 10L, 1);
            assertEquals(Outcome.IGNORED_OLDER, put(t, 1, 2.0, 9L, 2));
            IllegalArgumentException notAColumn = assertThrows(IllegalArgumentException.class,
                    () -> store.create("u", SCHEMA, TableOptions.DEFAULT.withEventTime("when")));
            assertTrue(notAColumn.getMessage().contains("event-time column when is not a column"),
                    notAColumn.getMessage());
            IllegalArgumentException wrongType = assertThrows(IllegalArgumentException.class,
                    () -> store.create("v", SCHEMA, TableOptions.DEFAULT.withEventTime("x")));
            assertTrue(wrongType.getMessage().contains("event-time column x is float64"), wrongType.getMessage());
            IllegalArgumentException key = assertThrows(IllegalArgumentException.class,
                    () -> store.create("w", FeatureSchema.builder().keyColumn("id", ColumnType.INT64)
                            .column("ts", ColumnType.INT64).build(), TableOptions.DEFAULT.withEventTime("id")));
            assertTrue(key.getMessage().contains("is a key column"), key.getMessage());
        }
    }
}
