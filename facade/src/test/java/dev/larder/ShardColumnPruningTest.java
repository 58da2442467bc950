package dev.larder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.snapshot.ArrayColumnarBatch;
import dev.larder.snapshot.KernelAppends;
import dev.larder.snapshot.KernelInternals;
import dev.larder.snapshot.NonNullColumnVector;
import dev.larder.store.SparkHash;
import io.delta.kernel.Operation;
import io.delta.kernel.Snapshot;
import io.delta.kernel.TableManager;
import io.delta.kernel.Transaction;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.Row;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.expressions.Column;
import io.delta.kernel.expressions.Literal;
import io.delta.kernel.transaction.DataLayoutSpec;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Delta table partitioned by {@code shard = pmod(hash(id), 4)}, written here with Delta Kernel, whose shard-2 files
 * are gone: a store of shard 1 told the shard column bootstraps and follows it without reading them (it would fail on
 * the missing files otherwise, as the same store without the column does), and holds exactly shard 1's rows.
 */
class ShardColumnPruningTest {
    private static final int SHARDS = 4;
    private static final StructType SCHEMA = new StructType()
            .add("id", LongType.LONG, false).add("x", DoubleType.DOUBLE, false)
            .add("shard", IntegerType.INTEGER, false);

    @TempDir
    Path dir;

    private final Engine engine = DefaultEngine.create(new Configuration());

    private static int shard(long id) {
        return SparkHash.shardOf(SparkHash.hashLong(id, SparkHash.SEED), SHARDS);
    }

    @Test
    void aStoreOfOneShardReadsOnlyItsPartitions() throws Exception {
        String table = dir.resolve("t").toUri().toString();
        TableManager.buildCreateTableTransaction(table, SCHEMA, "larder-test")
                .withDataLayoutSpec(DataLayoutSpec.partitioned(List.of(new Column("shard"))))
                .build(engine).commit(engine, CloseableIterable.emptyIterable());
        append(table, 0, 200);
        Source plain = Source.delta(table).key("id").shards(SHARDS, 1);
        Source pruned = plain.shardColumn("shard");
        try (Larder larder = Larder.builder(dir.resolve("plain")).follow("t", plain).open()) {
            assertFalse(larder.awaitReady(Duration.ofSeconds(5)), "shard 2's files are missing");
            assertTrue(larder.table("t").status().toString().contains("MISSING_FILE"),
                    larder.table("t").status().toString());
        }
        try (Larder larder = Larder.builder(dir.resolve("pruned")).follow("t", pruned).open()) {
            assertTrue(larder.awaitReady(Duration.ofMinutes(1)));
            Table t = larder.table("t");
            append(table, 200, 300);
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while (t.lineage().version() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(2, t.lineage().version(), "the change feed skipped shard 2's new file too");
            Reader r = t.newReader();
            long mine = 0;
            for (long id = 0; id < 300; id++) {
                ReadStatus want = shard(id) == 1 ? ReadStatus.FOUND : ReadStatus.NOT_OWNED;
                assertEquals(want, r.get(id), "id " + id);
                if (want == ReadStatus.FOUND) {
                    assertEquals(id * 0.5, r.getDouble(r.column("x")));
                    mine++;
                }
            }
            assertEquals(mine, t.size());
            assertTrue(mine > 30, mine + " rows");
            Path file = dir.resolve("larder.yaml");
            Files.writeString(file, "store: " + dir.resolve("defined") + "\ntables:\n  t:\n    delta: " + table
                    + "\n    key: id\n    shards: {count: 4, own: [1], column: shard}\n");
            try (Larder defined = Definition.read(file).open()) {
                assertTrue(defined.awaitReady(Duration.ofMinutes(1)), "the definition's column prunes too");
                assertEquals(mine, defined.table("t").size());
            }
        }
    }

    @Test
    void aShardColumnNeedsShardsAndAPartitionColumn() throws Exception {
        assertThrows(IllegalStateException.class, () -> Source.delta("x").key("id").shardColumn("shard"));
        String table = dir.resolve("t").toUri().toString();
        TableManager.buildCreateTableTransaction(table, SCHEMA, "larder-test")
                .withDataLayoutSpec(DataLayoutSpec.partitioned(List.of(new Column("shard"))))
                .build(engine).commit(engine, CloseableIterable.emptyIterable());
        append(table, 0, 10);
        Source wrong = Source.delta(table).key("id").shards(SHARDS, 1).shardColumn("x");
        try (Larder larder = Larder.builder(dir.resolve("s")).follow("t", wrong).open()) {
            assertFalse(larder.awaitReady(Duration.ofSeconds(5)));
            String status = larder.table("t").status().toString();
            assertTrue(status.contains("shard column 'x' is not a partition column"), status);
        }
    }

    /** Commits ids {@code [from, to)}, one file per shard partition; shard 2's file is deleted before the commit. */
    private void append(String table, long from, long to) throws Exception {
        Snapshot snapshot = TableManager.loadSnapshot(table).build(engine);
        Transaction txn = snapshot.buildUpdateTableTransaction("larder-test", Operation.WRITE).build(engine);
        Row state = txn.getTransactionState(engine);
        List<Row> actions = new ArrayList<>();
        for (int s = 0; s < SHARDS; s++) {
            List<Long> ids = new ArrayList<>();
            for (long id = from; id < to; id++) {
                if (shard(id) == s) {
                    ids.add(id);
                }
            }
            List<Row> written = new ArrayList<>();
            KernelAppends.write(engine, state, batch(ids, s), Map.of("shard", Literal.ofInt(s)), written);
            if (s == 2) {
                for (Row add : written) {
                    Row a = add.getStruct(add.getSchema().indexOf("add"));
                    Files.delete(dir.resolve("t").resolve(a.getString(a.getSchema().indexOf("path"))));
                }
            }
            actions.addAll(written);
        }
        txn.commit(engine, CloseableIterable.inMemoryIterable(KernelInternals.closeable(actions.iterator())));
    }

    private static ArrayColumnarBatch batch(List<Long> ids, int shard) {
        int n = ids.size();
        ColumnVector id = new NonNullColumnVector(LongType.LONG, n) {
            @Override
            public long getLong(int row) {
                return ids.get(row);
            }
        };
        ColumnVector x = new NonNullColumnVector(DoubleType.DOUBLE, n) {
            @Override
            public double getDouble(int row) {
                return ids.get(row) * 0.5;
            }
        };
        ColumnVector s = new NonNullColumnVector(IntegerType.INTEGER, n) {
            @Override
            public int getInt(int row) {
                return shard;
            }
        };
        return new ArrayColumnarBatch(SCHEMA, new ColumnVector[] {id, x, s}, n);
    }
}
