package dev.larder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.store.SparkHash;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two stores each following one of two shards of a shared Delta table (a checkpoint, then inserts and deletes) hold
 * exactly the rows whose {@code pmod(hash(id), 2)} they own, together the whole table, and answer NOT_OWNED for the
 * other keys; a definition file's {@code shards:} does the same.
 */
class ShardedFollowTest {
    private static final Path TABLE = Path.of("../../shared/delta-tables/basic-with-inserts-deletes-checkpoint");

    @TempDir
    Path dir;

    /** The ids at the latest version (13), from the MANIFEST's independently computed snapshot. */
    private static Set<Long> expectedIds() throws IOException {
        Set<Long> ids = new HashSet<>();
        Matcher m = Pattern.compile("\"id\": (-?\\d+)").matcher(Files.readString(
                TABLE.resolve("computed/snapshot-v13.jsonl")));
        while (m.find()) {
            ids.add(Long.parseLong(m.group(1)));
        }
        return ids;
    }

    private static int shard(long id) {
        return SparkHash.shardOf(SparkHash.hashLong(id, SparkHash.SEED), 2);
    }

    @Test
    void eachStoreHoldsItsShardAndAnswersNotOwnedForTheOther() throws Exception {
        Set<Long> ids = expectedIds();
        assertEquals(41, ids.size());
        long held = 0;
        for (int own = 0; own < 2; own++) {
            Source src = Source.delta(TABLE.resolve("delta").toString()).key("id").shards(2, own);
            try (Larder larder = Larder.builder(dir.resolve("store" + own)).follow("t", src).open()) {
                assertTrue(larder.awaitReady(Duration.ofMinutes(1)));
                Table t = larder.table("t");
                Reader r = t.newReader();
                long mine = 0;
                for (long id = -5; id < 100; id++) {
                    ReadStatus want = shard(id) != own ? ReadStatus.NOT_OWNED
                            : ids.contains(id) ? ReadStatus.FOUND : ReadStatus.NOT_FOUND;
                    assertEquals(want, r.get(id), "id " + id + " in the store of shard " + own);
                    mine += want == ReadStatus.FOUND ? 1 : 0;
                }
                assertEquals(mine, t.size());
                assertTrue(mine > 0 && mine < ids.size(), mine + " rows in shard " + own);
                held += mine;
                Verification v = larder.verify("t", src, 10);
                assertTrue(v.equal(), v.toString());
                assertEquals(mine, v.deltaRows(), "the Delta rows of the shard held");
            }
        }
        assertEquals(ids.size(), held);
    }

    @Test
    void aDefinitionsShardsAreHeldAndBadOnesAreNamed() throws Exception {
        Path file = dir.resolve("larder.yaml");
        Files.writeString(file, "store: " + dir.resolve("store") + "\ntables:\n  t:\n    delta: "
                + TABLE.resolve("delta").toAbsolutePath() + "\n    key: id\n    shards: {count: 2, own: [1]}\n");
        try (Larder larder = Definition.read(file).open()) {
            assertTrue(larder.awaitReady(Duration.ofMinutes(1)));
            Reader r = larder.table("t").newReader();
            for (long id : expectedIds()) {
                assertEquals(shard(id) == 1 ? ReadStatus.FOUND : ReadStatus.NOT_OWNED, r.get(id), "id " + id);
            }
        }
        for (String bad : List.of("{count: 2, own: [2]}", "{count: 0, own: [0]}", "{count: 2}", "{count: 2, of: 1}",
                "{count: 2, own: [1], column: 'a@b'}", "{count: 1, own: [0], column: shard}")) {
            Files.writeString(file, "store: " + dir.resolve("s") + "\ntables:\n  t:\n    delta: "
                    + TABLE.resolve("delta").toAbsolutePath() + "\n    key: id\n    shards: " + bad + "\n");
            DefinitionException e = assertThrows(DefinitionException.class, () -> Definition.read(file), bad);
            assertTrue(e.getMessage().contains("table t: shards"), e.getMessage());
        }
    }
}
