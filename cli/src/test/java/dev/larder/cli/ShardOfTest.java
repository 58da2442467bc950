package dev.larder.cli;

import static dev.larder.cli.CliTest.larder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.cli.CliTest.Run;
import dev.larder.store.ColumnType;
import dev.larder.store.FeatureSchema;
import dev.larder.store.FeatureStore;
import dev.larder.store.ShardSpec;
import dev.larder.store.SparkHash;
import dev.larder.store.TableOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Random;
import org.apache.spark.unsafe.Platform;
import org.apache.spark.unsafe.hash.Murmur3_x86_32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code larder shard-of} prints Spark's {@code pmod(hash(key), N)} per key; {@link SparkHash} equals Spark's own
 * Murmur3 (spark-unsafe, as Spark SQL's {@code hash} calls it) on random ints, longs and strings of every tail length.
 */
class ShardOfTest {
    @TempDir
    Path dir;

    @Test
    void sparkHashEqualsSparksOwnOnRandomKeys() {
        Random random = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            int v = random.nextInt();
            long l = random.nextLong();
            assertEquals(Murmur3_x86_32.hashInt(v, 42), SparkHash.hashInt(v, SparkHash.SEED), "int " + v);
            assertEquals(Murmur3_x86_32.hashLong(l, 42), SparkHash.hashLong(l, SparkHash.SEED), "long " + l);
            byte[] b = new byte[random.nextInt(40)];
            for (int j = 0; j < b.length; j++) {
                b[j] = (byte) random.nextInt(256);
            }
            int seed = random.nextInt();
            assertEquals(Murmur3_x86_32.hashUnsafeBytes(b, Platform.BYTE_ARRAY_OFFSET, b.length, seed),
                    SparkHash.hashBytes(b, 0, b.length, seed), b.length + " bytes");
        }
    }

    @Test
    void printsEachKeyWithItsShard() {
        Run ints = larder("shard-of", "--shards", "4", "--type", "int32", "1", "0");
        assertEquals(0, ints.exit(), ints.err());
        // hash(1) = -559580957 and hash(0) = 933211791 in Spark: pmod 4 gives 3 and 3.
        assertEquals("1\t3\n0\t3\n", ints.out());
        Run strings = larder("shard-of", "--shards", "7", "--type", "string", "user_1", "Spark");
        assertEquals("user_1\t" + Math.floorMod(1292883468, 7) + "\nSpark\t" + Math.floorMod(228093765, 7) + "\n",
                strings.out());
        Run longs = larder("shard-of", "--shards", "10", "--type", "int64", "123456789012");
        assertEquals("123456789012\t" + Math.floorMod(-1439831649, 10) + "\n", longs.out());
    }

    /** {@code load --shards 2 --own 0} holds (and counts) its shard's rows; {@code get} of another key says so. */
    @Test
    void aShardedLoadHoldsItsShardAndGetAnswersNotOwnedForTheOthers() throws Exception {
        Path table = Path.of("../../shared/delta-tables/basic-with-inserts-deletes-checkpoint");
        java.util.List<Long> ids = new java.util.ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"id\": (-?\\d+)")
                .matcher(java.nio.file.Files.readString(table.resolve("computed/snapshot-v13.jsonl")));
        while (m.find()) {
            ids.add(Long.parseLong(m.group(1)));
        }
        long owned = ids.stream().filter(id -> SparkHash.shardOf(SparkHash.hashLong(id, 42), 2) == 0).count();
        String store = dir.resolve("store").toString();
        Run load = larder("load", "--delta", table.resolve("delta").toString(), "--key", "id", "--store", store,
                "--table", "t", "--shards", "2", "--own", "0");
        assertEquals(0, load.exit(), load.err());
        assertTrue(load.out().contains("loaded " + owned + " rows"), load.out());
        long mine = ids.stream().filter(id -> SparkHash.shardOf(SparkHash.hashLong(id, 42), 2) == 0).findFirst()
                .orElseThrow();
        long other = ids.stream().filter(id -> SparkHash.shardOf(SparkHash.hashLong(id, 42), 2) == 1).findFirst()
                .orElseThrow();
        Run found = larder("get", "--store", store, "--table", "t", Long.toString(mine));
        assertTrue(found.exit() == 0 && found.out().contains("status: FOUND"), found.out() + found.err());
        Run notOwned = larder("get", "--store", store, "--table", "t", Long.toString(other));
        assertEquals(2, notOwned.exit(), notOwned.err());
        assertTrue(notOwned.out().contains("status: NOT_OWNED") && !notOwned.out().contains("row lineage"),
                notOwned.out());
        Run half = larder("load", "--delta", table.resolve("delta").toString(), "--key", "id", "--store", store,
                "--table", "u", "--shards", "2");
        assertTrue(half.exit() != 0 && half.err().contains("give --shards N and --own I[,J...] together"), half.err());
    }

    @Test
    void aTablesCompositeKeySchemaIsUsed() {
        FeatureSchema schema = FeatureSchema.builder().keyColumn("user", ColumnType.STRING)
                .keyColumn("day", ColumnType.DATE).column("x", ColumnType.FLOAT64).build();
        try (FeatureStore s = FeatureStore.open(dir)) {
            s.create("events", schema, TableOptions.DEFAULT.withShards(ShardSpec.of(5, 2)));
        }
        Run r = larder("shard-of", "--shards", "5", "--store", dir.toString(), "--table", "events",
                "user_1,2026-11-24");
        assertEquals(0, r.exit(), r.err());
        byte[] user = "user_1".getBytes(StandardCharsets.UTF_8);
        int h = SparkHash.hashInt((int) LocalDate.parse("2026-11-24").toEpochDay(),
                SparkHash.hashBytes(user, 0, user.length, SparkHash.SEED));
        assertEquals("user_1,2026-11-24\t" + Math.floorMod(h, 5) + "\n", r.out());
        Run bad = larder("shard-of", "--shards", "5", "--store", dir.toString(), "--table", "events", "user_1");
        assertTrue(bad.exit() != 0, bad.err());
        assertTrue(bad.err().contains("table events has 2 key column(s), got 1 value(s)"), bad.err());
        Run none = larder("shard-of", "--shards", "4", "1");
        assertTrue(none.exit() != 0 && none.err().contains("give --type, or --store and --table"), none.err());
    }
}
