package dev.larder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Delta table partitioned by {@code shard = pmod(hash(id), 4)}, written with Delta Kernel, whose shard-2 files are
 * gone: a store of shard 1 told the shard column bootstraps and follows it without reading them (it would fail on the
 * missing files otherwise, as the same store without the column does), and holds exactly shard 1's rows.
 */
class ShardColumnPruningTest {
    private static final int SHARDS = 4;

    @TempDir
    Path dir;

    @Test
    void aStoreOfOneShardReadsOnlyItsPartitions() throws Exception {
        String table = dir.resolve("t").toUri().toString();
        ShardPartitionedTable writer = new ShardPartitionedTable(table, SHARDS, 1);
        writer.append(0, 200, 1, s -> s == 2);
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
            writer.append(200, 300, 1, s -> s == 2);
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while (t.lineage().version() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(2, t.lineage().version(), "the change feed skipped shard 2's new file too");
            Reader r = t.newReader();
            long mine = 0;
            for (long id = 0; id < 300; id++) {
                ReadStatus want = writer.shard(id) == 1 ? ReadStatus.FOUND : ReadStatus.NOT_OWNED;
                assertEquals(want, r.get(id), "id " + id);
                if (want == ReadStatus.FOUND) {
                    assertEquals(id * 0.5, r.getDouble(r.column("f0")));
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
        new ShardPartitionedTable(table, SHARDS, 1).append(0, 10, 1, s -> false);
        Source wrong = Source.delta(table).key("id").shards(SHARDS, 1).shardColumn("f0");
        try (Larder larder = Larder.builder(dir.resolve("s")).follow("t", wrong).open()) {
            assertFalse(larder.awaitReady(Duration.ofSeconds(5)));
            String status = larder.table("t").status().toString();
            assertTrue(status.contains("shard column 'f0' is not a partition column"), status);
        }
    }
}
