package dev.larder.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.store.internal.TableWriter.Outcome;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A table holding some of its key shards stores only their rows, answers NOT_OWNED for the keys of the others on
 * every read path, and keeps its shards across reopening.
 */
class ShardedTableTest {
    @TempDir
    Path dir;

    private static final FeatureSchema LONGS = FeatureSchema.builder().keyColumn("id", ColumnType.INT64)
            .column("x", ColumnType.FLOAT64).build();

    private static int shardOfLong(long k, int n) {
        return SparkHash.shardOf(SparkHash.hashLong(k, SparkHash.SEED), n);
    }

    @Test
    void onlyOwnedKeysAreStoredAndOtherKeysReadAsNotOwned() {
        ShardSpec spec = ShardSpec.of(4, 1, 3);
        int n = 10_000;
        long owned = 0;
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.create("t", LONGS, TableOptions.DEFAULT.withShards(spec));
            RowBuffer row = t.newRow();
            assertTrue(t.writer().beginBulkLoad());
            for (long k = 0; k < n; k++) {
                Outcome o = t.writer().upsert(row.clear().setLong(0, k).setDouble(1, k), 1, 1);
                boolean mine = spec.owns(shardOfLong(k, 4));
                assertEquals(mine ? Outcome.INSERTED : Outcome.NOT_OWNED, o, "key " + k);
                owned += mine ? 1 : 0;
            }
            t.writer().finishBulkLoad(null);
            t.writer().publish(new Lineage("", "", 1, 1));
            assertEquals(owned, t.size());
            assertTrue(owned > n / 2 - 500 && owned < n / 2 + 500, owned + " of " + n);
            for (long k = 0; k < 10; k++) {
                Outcome o = t.writer().delete(k, 2);
                assertEquals(spec.owns(shardOfLong(k, 4)) ? Outcome.DELETED : Outcome.NOT_OWNED, o);
            }
            t.writer().publish(new Lineage("", "", 2, 2));
        }
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.table("t");
            assertEquals(spec, t.shards());
            for (TableReader r : new TableReader[] {t.newReader(), t.newCheckedReader()}) {
                checkReads(spec, r, n);
            }
        }
    }

    private static void checkReads(ShardSpec spec, TableReader r, int n) {
        Projection p = Projection.of(LONGS, -1, 1);
        double[] out = new double[1];
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            keys[i] = i;
        }
        double[] batch = new double[n];
        ReadStatus[] statuses = new ReadStatus[n];
        r.getBatch(keys, n, p, batch, statuses);
        for (long k = 0; k < n; k++) {
            boolean mine = spec.owns(shardOfLong(k, 4));
            ReadStatus expected = !mine ? ReadStatus.NOT_OWNED : k < 10 ? ReadStatus.NOT_FOUND : ReadStatus.FOUND;
            assertEquals(expected, r.get(k), "key " + k);
            assertEquals(expected, r.get(k, p, out, null), "projected key " + k);
            assertEquals(expected, statuses[(int) k], "batch key " + k);
            assertEquals(expected == ReadStatus.FOUND ? k : -1, batch[(int) k]);
            assertEquals(expected == ReadStatus.FOUND ? k : -1, out[0]);
        }
        assertEquals(spec.owns(shardOfLong(n + 7, 4)) ? ReadStatus.NOT_FOUND : ReadStatus.NOT_OWNED, r.get(n + 7));
    }

    @Test
    void stringAndCompositeKeysShardAsSparkHashesTheirColumns() {
        FeatureSchema s = FeatureSchema.builder().keyColumn("user", ColumnType.STRING)
                .keyColumn("day", ColumnType.DATE).column("x", ColumnType.FLOAT64).build();
        ShardSpec spec = ShardSpec.of(3, 0);
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.create("t", s, TableOptions.DEFAULT.withShards(spec));
            RowBuffer row = t.newRow();
            int stored = 0;
            for (int i = 0; i < 300; i++) {
                byte[] user = ("user_" + i).getBytes(StandardCharsets.UTF_8);
                int h = SparkHash.hashInt(i % 7, SparkHash.hashBytes(user, 0, user.length, SparkHash.SEED));
                boolean mine = SparkHash.shardOf(h, 3) == 0;
                Outcome o = t.writer().upsert(row.clear().setString(0, "user_" + i).setLong(1, i % 7)
                        .setDouble(2, i), 1, 1);
                assertEquals(mine ? Outcome.INSERTED : Outcome.NOT_OWNED, o, "user_" + i);
                stored += mine ? 1 : 0;
                Key k = new Key(s);
                k.setString(0, "user_" + i).setLong(1, i % 7);
                assertEquals(mine ? ReadStatus.FOUND : ReadStatus.NOT_OWNED, t.newReader().get(k));
            }
            t.writer().publish(new Lineage("", "", 1, 1));
            assertEquals(stored, t.size());
        }
    }

    @Test
    void shardSpecsParseAndRefuseWhatCannotBe() {
        assertEquals(ShardSpec.of(4, 2, 0), ShardSpec.parse("4:0,2"));
        assertEquals("4:0,2", ShardSpec.of(4, 2, 0, 2).toString());
        assertEquals(ShardSpec.ALL, ShardSpec.of(1, 0));
        assertTrue(ShardSpec.of(2, 0, 1).ownsAll());
        assertThrows(IllegalArgumentException.class, () -> ShardSpec.of(4, 4));
        assertThrows(IllegalArgumentException.class, () -> ShardSpec.of(0, 0));
        assertThrows(IllegalArgumentException.class, () -> ShardSpec.of(4));
        assertThrows(IllegalArgumentException.class, () -> ShardSpec.parse("4"));
        assertThrows(IllegalArgumentException.class, () -> ShardSpec.parse("4:x"));
    }
}
