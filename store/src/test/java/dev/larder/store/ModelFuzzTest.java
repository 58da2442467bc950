package dev.larder.store;

import dev.larder.store.internal.TableWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Model-based fuzz test: random upserts and deletes with random (not monotonic) versions against the store and a plain
 * in-memory model of the contract (an older version never overwrites a newer one; equal versions re-apply), with
 * closes and clean reopens along the way; the touched key is checked after every step and the whole table regularly.
 * Random per-row versions are the table writer's own contract, below the ingest ring (whose versions only grow), so
 * this drives the writer directly. {@code -Dlarder.stress.profile=long} runs 25 times the steps.
 */
class ModelFuzzTest {
    record Entry(long version, long value, String tag) {
    }

    @TempDir
    Path dir;

    static final FeatureSchema SCHEMA = FeatureSchema.builder()
            .add(Column.variable("user", ColumnType.STRING, false, 12))
            .add(Column.of("slot", ColumnType.INT16, false))
            .column("value", ColumnType.INT64)
            .add(Column.variable("tag", ColumnType.STRING, true, 10))
            .key("user", "slot")
            .build();

    @Test
    void storeFollowsTheModel() {
        long steps = "long".equals(System.getProperty("larder.stress.profile")) ? 5_000_000 : 200_000;
        int users = 300;
        SplittableRandom rnd = new SplittableRandom(12345);
        Map<String, Entry> model = new HashMap<>();
        FeatureStore store = FeatureStore.open(dir);
        FeatureTable t = store.create("fuzz", SCHEMA, TableOptions.DEFAULT.withInitialRows(4));
        for (long step = 0; step < steps; step++) {
            String user = "u" + rnd.nextInt(users);
            short slot = (short) rnd.nextInt(3);
            String id = user + "/" + slot;
            long version = rnd.nextLong(1000);
            MappedTableWriter w = t.writer();
            RowBuffer row = t.newRow().setString(0, user).setLong(1, slot);
            Entry current = model.get(id);
            if (rnd.nextInt(3) == 0) {
                TableWriter.Outcome out = w.delete(row, version);
                TableWriter.Outcome expected = current == null ? TableWriter.Outcome.ABSENT
                        : current.version() > version ? TableWriter.Outcome.IGNORED_OLDER : TableWriter.Outcome.DELETED;
                assertEquals(expected, out, "step " + step + " delete " + id + "@" + version);
                if (expected == TableWriter.Outcome.DELETED) {
                    model.remove(id);
                }
            } else {
                long value = rnd.nextLong();
                String tag = rnd.nextInt(4) == 0 ? null : "t" + rnd.nextInt(100_000);
                row.setLong(2, value);
                if (tag != null) {
                    row.setString(3, tag);
                }
                TableWriter.Outcome out = w.upsert(row, version, version * 10);
                TableWriter.Outcome expected = current == null ? TableWriter.Outcome.INSERTED
                        : current.version() > version ? TableWriter.Outcome.IGNORED_OLDER : TableWriter.Outcome.UPDATED;
                assertEquals(expected, out, "step " + step + " upsert " + id + "@" + version);
                if (expected != TableWriter.Outcome.IGNORED_OLDER) {
                    model.put(id, new Entry(version, value, tag));
                }
            }
            check(t, t.newReader(), t.newKey(), user, slot, model.get(id), step);
            if (step % 20_000 == 19_999) {
                checkAll(t, model, users);
                // Versions are below 1000: this watermark commits every change so far (closing discards the rest).
                t.writer().publish(new Lineage("", "", 1000, 0));
                store.close();
                store = FeatureStore.open(dir);
                t = store.table("fuzz");
                checkAll(t, model, users);
            }
        }
        checkAll(t, model, users);
        t.writer().publish(new Lineage("", "", 1000, 0));
        store.close();
    }

    private static void check(FeatureTable t, TableReader r, Key k, String user, short slot, Entry e, long step) {
        ReadStatus s = r.get(k.setString(0, user).setLong(1, slot));
        if (e == null) {
            assertEquals(ReadStatus.NOT_FOUND, s, "step " + step + " " + user + "/" + slot);
            return;
        }
        assertEquals(ReadStatus.FOUND, s, "step " + step + " " + user + "/" + slot);
        assertEquals(e.version(), r.version());
        assertEquals(e.version() * 10, r.commitTimestampMillis());
        assertEquals(e.value(), r.getLong(2));
        assertEquals(e.tag(), r.isNull(3) ? null : r.getString(3));
    }

    private static void checkAll(FeatureTable t, Map<String, Entry> model, int users) {
        TableReader r = t.newReader();
        Key k = t.newKey();
        for (int u = 0; u < users; u++) {
            for (short slot = 0; slot < 3; slot++) {
                check(t, r, k, "u" + u, slot, model.get("u" + u + "/" + slot), -1);
            }
        }
        assertEquals(model.size(), t.size());
    }
}
