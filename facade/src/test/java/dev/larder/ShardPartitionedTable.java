package dev.larder;

import dev.larder.snapshot.ArrayColumnarBatch;
import dev.larder.snapshot.KernelAppends;
import dev.larder.snapshot.KernelInternals;
import dev.larder.snapshot.NonNullColumnVector;
import dev.larder.store.SparkHash;
import io.delta.kernel.Operation;
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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;
import org.apache.hadoop.conf.Configuration;

/**
 * Writes a Delta table with Delta Kernel as a Databricks job would for sharded serving: {@code id bigint}, features
 * {@code f0..} (double, {@code f_i = id * 0.5 + i}), partitioned by {@code shard = pmod(hash(id), N)}, one commit per
 * append with files per shard. For tests ({@link ShardColumnPruningTest}) and, through {@link #main}, for measuring a
 * sharded load: {@code java -cp <facade test classpath> dev.larder.ShardPartitionedTable PATH ROWS SHARDS FEATURES
 * FILES_PER_SHARD}. Not thread-safe.
 */
final class ShardPartitionedTable {
    private final Engine engine = DefaultEngine.create(new Configuration());
    private final String path;
    private final Path root;
    private final int shards;
    private final int features;
    private final StructType schema;

    /** Creates the table (version 0, no rows) at {@code path}, a {@code file:} URI. */
    ShardPartitionedTable(String path, int shards, int features) {
        this.path = path;
        this.root = Path.of(java.net.URI.create(path));
        this.shards = shards;
        this.features = features;
        StructType s = new StructType().add("id", LongType.LONG, false);
        for (int i = 0; i < features; i++) {
            s = s.add("f" + i, DoubleType.DOUBLE, false);
        }
        this.schema = s.add("shard", IntegerType.INTEGER, false);
        TableManager.buildCreateTableTransaction(path, schema, "larder-test")
                .withDataLayoutSpec(DataLayoutSpec.partitioned(List.of(new Column("shard"))))
                .build(engine).commit(engine, CloseableIterable.emptyIterable());
    }

    /** {@code pmod(hash(id), shards)}, as Spark computes it. */
    int shard(long id) {
        return SparkHash.shardOf(SparkHash.hashLong(id, SparkHash.SEED), shards);
    }

    /**
     * Commits ids {@code [from, to)} in {@code filesPerShard} files per shard; the files of shards {@code lost} are
     * deleted before the commit, so a reader that opens them fails.
     */
    void append(long from, long to, int filesPerShard, IntPredicate lost) throws IOException {
        Transaction txn = TableManager.loadSnapshot(path).build(engine)
                .buildUpdateTableTransaction("larder-test", Operation.WRITE).build(engine);
        Row state = txn.getTransactionState(engine);
        long[][] ids = new long[shards][];
        int[] counts = new int[shards];
        for (int s = 0; s < shards; s++) {
            ids[s] = new long[16];
        }
        for (long id = from; id < to; id++) {
            int s = shard(id);
            if (counts[s] == ids[s].length) {
                ids[s] = Arrays.copyOf(ids[s], counts[s] * 2);
            }
            ids[s][counts[s]++] = id;
        }
        List<Row> actions = new ArrayList<>();
        for (int s = 0; s < shards; s++) {
            int per = Math.max(1, (counts[s] + filesPerShard - 1) / filesPerShard);
            for (int start = 0; start < counts[s]; start += per) {
                List<Row> written = new ArrayList<>();
                KernelAppends.write(engine, state, batch(ids[s], start, Math.min(per, counts[s] - start), s),
                        Map.of("shard", Literal.ofInt(s)), written);
                if (lost.test(s)) {
                    for (Row add : written) {
                        Row a = add.getStruct(add.getSchema().indexOf("add"));
                        Files.delete(root.resolve(a.getString(a.getSchema().indexOf("path"))));
                    }
                }
                actions.addAll(written);
            }
        }
        txn.commit(engine, CloseableIterable.inMemoryIterable(KernelInternals.closeable(actions.iterator())));
    }

    private ArrayColumnarBatch batch(long[] ids, int start, int n, int shard) {
        ColumnVector[] columns = new ColumnVector[features + 2];
        columns[0] = new NonNullColumnVector(LongType.LONG, n) {
            @Override
            public long getLong(int row) {
                return ids[start + row];
            }
        };
        for (int f = 0; f < features; f++) {
            int feature = f;
            columns[1 + f] = new NonNullColumnVector(DoubleType.DOUBLE, n) {
                @Override
                public double getDouble(int row) {
                    return ids[start + row] * 0.5 + feature;
                }
            };
        }
        columns[features + 1] = new NonNullColumnVector(IntegerType.INTEGER, n) {
            @Override
            public int getInt(int row) {
                return shard;
            }
        };
        return new ArrayColumnarBatch(schema, columns, n);
    }

    /** {@code PATH ROWS SHARDS FEATURES FILES_PER_SHARD}: one commit of ids {@code 0..ROWS-1}. */
    public static void main(String[] args) throws IOException {
        String path = Path.of(args[0]).toAbsolutePath().toUri().toString();
        ShardPartitionedTable t = new ShardPartitionedTable(path, Integer.parseInt(args[2]), Integer.parseInt(args[3]));
        t.append(0, Long.parseLong(args[1]), Integer.parseInt(args[4]), s -> false);
        System.out.println("wrote " + args[1] + " rows in " + args[2] + " shard partitions to " + path);
    }
}
