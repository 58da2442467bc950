package dev.larder.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.store.engine.IndexDescriptor;
import dev.larder.store.engine.KeyCodec;
import dev.larder.store.engine.RowLayoutDescriptor;
import dev.larder.store.engine.StateDescriptor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BulkLoadTest {
    @TempDir
    Path dir;

    private static final FeatureSchema SCHEMA = FeatureTableTest.SCHEMA;

    @Test
    void bulkLoadedRowsAppearAtFinishAndTheLastUpsertOfAKeyWins() {
        Map<Long, Double> model = new HashMap<>();
        Random rnd = new Random(7);
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.create("t", SCHEMA, TableOptions.DEFAULT.withInitialRows(16));
            MappedTableWriter w = t.writer();
            TableReader r = t.newReader();
            assertTrue(w.beginBulkLoad());
            RowBuffer row = t.newRow();
            long upserts = 0;
            for (int i = 0; i < 100_000; i++) {
                long id = rnd.nextInt(80_000);
                double x = rnd.nextDouble();
                assertEquals(MappedTableWriter.Outcome.INSERTED, w.upsert(row.clear().setLong(0, id).setDouble(1, x)
                        .setString(2, "t" + id), 3, 3000));
                model.put(id, x);
                upserts++;
            }
            assertEquals(ReadStatus.NOT_FOUND, r.get(model.keySet().iterator().next()),
                    "rows are invisible until finished");
            RowBuffer dup = t.newRow();
            long duplicates = w.finishBulkLoad(dup);
            assertEquals(upserts - model.size(), duplicates);
            assertTrue(model.containsKey(dup.getLong(0)), "the reported duplicate carries a loaded key");
            assertEquals(model.size(), t.size());
            for (Map.Entry<Long, Double> e : model.entrySet()) {
                assertEquals(ReadStatus.FOUND, r.get(e.getKey()), "key " + e.getKey());
                assertEquals(e.getValue(), r.getDouble(1));
                assertEquals("t" + e.getKey(), r.getString(2));
            }
            assertEquals(ReadStatus.NOT_FOUND, r.get(80_001));
            // Replaced rows went back to the free list: the next inserts reuse them instead of growing the file.
            long highWater = t.state.getLong(StateDescriptor.HIGH_WATER);
            for (long id = 100_000; id < 100_000 + duplicates; id++) {
                w.upsert(row.clear().setLong(0, id).setDouble(1, 1), 4, 4000);
            }
            assertEquals(highWater, t.state.getLong(StateDescriptor.HIGH_WATER));
            assertFalse(w.beginBulkLoad(), "a table holding rows loads row by row");
            w.publish(new Lineage("", "", 4, 4000));
        }
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.table("t");
            TableReader r = t.newReader();
            for (Map.Entry<Long, Double> e : model.entrySet()) {
                assertEquals(ReadStatus.FOUND, r.get(e.getKey()));
                assertEquals(e.getValue(), r.getDouble(1));
            }
        }
    }

    /**
     * A bulk load maps only the rows it handed out, not what its doubling reserved, and leaves its index 70% full,
     * whatever the row count; the table reopens at those sizes and grows by an eighth from there.
     */
    @Test
    void aBulkLoadLeavesNoSpareRowsAndAnIndexSeventyPercentFull() throws Exception {
        int n = 100_003;
        int rowSize;
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.create("t", SCHEMA, TableOptions.DEFAULT);
            rowSize = t.layout().rowSize();
            MappedTableWriter w = t.writer();
            assertTrue(w.beginBulkLoad());
            RowBuffer row = t.newRow();
            for (long id = 0; id < n; id++) {
                w.upsert(row.clear().setLong(0, id).setDouble(1, id).setString(2, "t" + id), 1, 1000);
            }
            assertEquals(0, w.finishBulkLoad(null));
            w.publish(new Lineage("", "", 1, 1000));
            MemoryUse m = t.memoryUse(0);
            assertEquals((long) n * rowSize, m.rowsBytes());
            long slots = m.indexBytes() / Long.BYTES;
            assertEquals(Math.ceilDiv((n + 1) * 100L, IndexDescriptor.BULK_LOAD_PERCENT), slots);
            assertTrue(slots % 2 == 1, "not a power of two: homes come from the multiply-shift");
        }
        long fileBytes = java.nio.file.Files.size(dir.resolve("t").resolve(RowLayoutDescriptor.FILE));
        assertTrue(fileBytes > (long) n * rowSize, "the file keeps what the load reserved, for growth: " + fileBytes);
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.table("t");
            assertEquals((long) n * rowSize, t.memoryUse(0).rowsBytes(), "reopened, it maps the rows only");
            TableReader r = t.newReader();
            for (long id = 0; id < n; id++) {
                assertEquals(ReadStatus.FOUND, r.get(id), "key " + id);
                assertEquals(id, r.getDouble(1));
            }
            assertEquals(ReadStatus.NOT_FOUND, r.get(n));
            t.writer().upsert(t.newRow().setLong(0, n).setDouble(1, n), 2, 2000);
            t.writer().publish(new Lineage("", "", 2, 2000));
            assertEquals((n + n / 8L) * rowSize, t.memoryUse(0).rowsBytes());
            assertEquals(ReadStatus.FOUND, r.get(n));
        }
    }

    /**
     * Keys whose homes are the index's last slot force the sequential placement past the end, so the remainder wraps to
     * the front, where a lookup's probe sequence also wraps.
     */
    @Test
    void entriesPastTheLastSlotWrapToTheFront() {
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.create("t", SCHEMA, TableOptions.DEFAULT.withInitialRows(16));
            MappedTableWriter w = t.writer();
            // 30 keys: the load's index has 45 slots, not a power of two, so homes come from the multiply-shift.
            int keys = 30;
            long slots = IndexDescriptor.bulkIndexSlotsFor(keys + 1);
            assertEquals(45, slots);
            List<Long> lastHome = new ArrayList<>();
            List<Long> firstHome = new ArrayList<>();
            List<Long> others = new ArrayList<>();
            for (long k = 0; lastHome.size() < 6 || firstHome.size() < 3 || others.size() < keys - 9; k++) {
                long home = ((KeyCodec.hashLong(k) >>> 32) * slots) >>> 32;
                if (home == slots - 1) {
                    if (lastHome.size() < 6) {
                        lastHome.add(k);
                    }
                } else if (home == 0) {
                    if (firstHome.size() < 3) {
                        firstHome.add(k);
                    }
                } else if (others.size() < keys - 9) {
                    others.add(k);
                }
            }
            assertTrue(w.beginBulkLoad());
            RowBuffer row = t.newRow();
            List<Long> all = new ArrayList<>(lastHome);
            all.addAll(firstHome);
            all.addAll(others);
            for (long k : all) {
                w.upsert(row.clear().setLong(0, k).setDouble(1, k * 0.5), 1, 1000);
            }
            assertEquals(0, w.finishBulkLoad(null));
            assertEquals(slots, t.view().indexSlots, "the keys' homes are as computed");
            for (long k : lastHome) {
                assertEquals(slots - 1, t.view().home((int) (KeyCodec.hashLong(k) >>> 32)));
            }
            TableReader r = t.newReader();
            for (long k : all) {
                assertEquals(ReadStatus.FOUND, r.get(k), "key " + k);
                assertEquals(k * 0.5, r.getDouble(1));
            }
            // The front slots hold the wrapped entries and the keys whose home is slot 0; deleting one of them keeps
            // the others reachable through the tombstone.
            assertEquals(MappedTableWriter.Outcome.DELETED, w.delete(lastHome.get(2), 2));
            for (long k : all) {
                assertEquals(k == lastHome.get(2) ? ReadStatus.NOT_FOUND : ReadStatus.FOUND, r.get(k), "key " + k);
            }
        }
    }

    /** A table emptied by deletes keeps a free list: a bulk load reuses those slots, then appends fresh ones. */
    @Test
    void aBulkLoadIntoAnEmptiedTableReusesFreedSlots() {
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.create("t", SCHEMA, TableOptions.DEFAULT);
            MappedTableWriter w = t.writer();
            RowBuffer row = t.newRow();
            for (long id = 0; id < 500; id++) {
                w.upsert(row.clear().setLong(0, id).setDouble(1, -1), 1, 1000);
            }
            for (long id = 0; id < 500; id++) {
                w.delete(id, 2);
            }
            // Deleted rows are freed once the deletes are durable.
            w.publish(new Lineage("", "", 2, 2000));
            w.sync();
            assertTrue(w.beginBulkLoad(), "an emptied table can bulk load");
            for (long id = 1_000; id < 3_000; id++) {
                w.upsert(row.clear().setLong(0, id).setDouble(1, id * 2.0).setString(2, "value number " + id), 3, 3000);
            }
            assertEquals(0, w.finishBulkLoad(null));
            assertEquals(2_000, t.size());
            assertEquals(2_000, t.state.getLong(StateDescriptor.HIGH_WATER), "500 freed slots reused, 1500 appended");
            TableReader r = t.newReader();
            for (long id = 1_000; id < 3_000; id++) {
                assertEquals(ReadStatus.FOUND, r.get(id));
                assertEquals(id * 2.0, r.getDouble(1));
                assertEquals("value number " + id, r.getString(2));
            }
            assertEquals(ReadStatus.NOT_FOUND, r.get(7));
        }
    }

    /**
     * A bootstrap rolled back in the same process (a failed first version, retried by the follower) leaves nothing
     * queued behind: rows it had queued for fresh slots must not be written over the retry's rows (the retry takes the
     * freed slots first, then fresh ones).
     */
    @Test
    void aBulkLoadRetriedAfterARollbackServesOnlyTheRetrysRows() {
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.create("t", SCHEMA, TableOptions.DEFAULT);
            MappedTableWriter w = t.writer();
            RowBuffer row = t.newRow();
            assertTrue(w.beginBulkLoad());
            for (long id = 1000; id < 1010; id++) {
                w.upsert(row.clear().setLong(0, id).setDouble(1, -id).setString(2, "discarded " + id), 1, 1000);
            }
            w.rollback();
            assertTrue(w.beginBulkLoad());
            for (long id = 0; id < 25; id++) {
                w.upsert(row.clear().setLong(0, id).setDouble(1, id).setString(2, "kept " + id), 1, 1000);
            }
            w.publish(new Lineage("", "", 1, 1000));
            TableReader r = t.newReader();
            for (long id = 0; id < 25; id++) {
                assertEquals(ReadStatus.FOUND, r.get(id), "key " + id);
                assertEquals(id, r.getDouble(1));
                assertEquals("kept " + id, r.getString(2));
            }
            assertEquals(ReadStatus.NOT_FOUND, r.get(1000));
            assertEquals(25, t.size());
        }
    }

    /** An unfinished bootstrap is not part of the watermark: closing discards it, and its slots are free again. */
    @Test
    void closingDiscardsAnUnfinishedBulkLoadAndFreesItsSlots() {
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.create("t", SCHEMA, TableOptions.DEFAULT);
            assertTrue(t.writer().beginBulkLoad());
            RowBuffer row = t.newRow();
            for (long id = 0; id < 300; id++) {
                t.writer().upsert(row.clear().setLong(0, id).setDouble(1, id), 1, 1000);
            }
        }
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.table("t");
            assertEquals(0, t.size());
            assertEquals(ReadStatus.NOT_FOUND, t.newReader().get(299));
            assertTrue(t.writer().beginBulkLoad());
            RowBuffer row = t.newRow();
            for (long id = 0; id < 300; id++) {
                t.writer().upsert(row.clear().setLong(0, id).setDouble(1, id), 1, 1000);
            }
            t.writer().publish(new Lineage("", "", 1, 1000));
            assertEquals(300, t.size());
            assertEquals(300, t.state.getLong(StateDescriptor.HIGH_WATER), "the discarded load's slots were reused");
            assertEquals(ReadStatus.FOUND, t.newReader().get(299));
        }
    }

    @Test
    void aDeleteThatFinishesABulkLoadWithDuplicatesDeletesItsOwnKey() {
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.create("t", SCHEMA, TableOptions.DEFAULT);
            MappedTableWriter w = t.writer();
            RowBuffer row = t.newRow();
            assertTrue(w.beginBulkLoad());
            for (long id = 0; id < 100; id++) {
                w.upsert(row.clear().setLong(0, id).setDouble(1, id), 1, 1000);
            }
            // A duplicate makes finishing compare keys, which must not clobber the key the delete is about.
            w.upsert(row.clear().setLong(0, 7).setDouble(1, 70), 1, 1000);
            assertEquals(MappedTableWriter.Outcome.DELETED, w.delete(5, 1));
            assertEquals(99, t.size());
            assertEquals(ReadStatus.NOT_FOUND, t.newReader().get(5));
            assertEquals(ReadStatus.FOUND, t.newReader().get(7));
        }
    }

    @Test
    void publishAndDeletesFinishAnOpenBulkLoad() {
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.create("t", SCHEMA, TableOptions.DEFAULT);
            MappedTableWriter w = t.writer();
            RowBuffer row = t.newRow();
            assertTrue(w.beginBulkLoad());
            for (long id = 0; id < 100; id++) {
                w.upsert(row.clear().setLong(0, id).setDouble(1, id), 1, 1000);
            }
            assertEquals(MappedTableWriter.Outcome.DELETED, w.delete(5, 1), "a delete sees the rows loaded before it");
            assertEquals(99, t.size());
            assertFalse(w.beginBulkLoad());

            FeatureTable u = store.create("u", SCHEMA, TableOptions.DEFAULT);
            assertTrue(u.writer().beginBulkLoad());
            for (long id = 0; id < 10; id++) {
                u.writer().upsert(row.clear().setLong(0, id).setDouble(1, id), 1, 1000);
            }
            assertEquals(ReadStatus.NOT_FOUND, u.newReader().get(3));
            u.writer().publish(new Lineage("id", "path", 1, 1000));
            assertEquals(10, u.size());
            assertEquals(ReadStatus.FOUND, u.newReader().get(3));
            assertEquals(1, u.lineage().version());
        }
    }
}
