package dev.larder.cli;

import static dev.larder.cli.CliTest.larder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.ColumnType;
import dev.larder.Larder;
import dev.larder.Pusher;
import dev.larder.Schema;
import dev.larder.cli.CliTest.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A refused command fails with a clear error and a non-zero exit, and leaves nothing behind. */
class RefusedCommandsTest {
    @TempDir
    Path dir;

    private String generate() {
        String delta = dir.resolve("delta").toString();
        assertEquals(0, larder("generate", "--rows", "200", "--features", "1", "--commits", "2", "--out",
                delta).exit());
        return delta;
    }

    @Test
    void onlyLoadAndFollowCreateAStore() {
        Path store = dir.resolve("nothing-here");
        List<String[]> commands = List.of(
                new String[] {"get", "--store", store.toString(), "--table", "t", "1"},
                new String[] {"dump", "--store", store.toString(), "--table", "t"},
                new String[] {"verify", "--store", store.toString(), "--table", "t"},
                new String[] {"stats", "--store", store.toString()},
                new String[] {"apply-changes", "--store", store.toString(), "--table", "t"},
                new String[] {"rebuild", "--store", store.toString(), "--table", "t", "--yes"});
        for (String[] args : commands) {
            Run r = larder(args);
            assertNotEquals(0, r.exit(), String.join(" ", args) + ": " + r.out());
            assertTrue(r.err().contains("no store at " + store), String.join(" ", args) + ": " + r.err());
            assertFalse(Files.exists(store), String.join(" ", args) + " created the store directory");
        }
    }

    @Test
    void aKeyColumnNamedTwiceIsRefused() {
        String delta = generate();
        Path store = dir.resolve("store");
        Run load = larder("load", "--delta", delta, "--key", "entity_id,entity_id", "--store", store.toString(),
                "--table", "t");
        assertEquals(1, load.exit(), load.out());
        assertTrue(load.err().contains("key column 'entity_id' is named more than once"), load.err());
        Run follow = larder("follow", "--store", store.toString(), "--delta", delta, "--key", "entity_id,entity_id",
                "--table", "t", "--duration", "1s");
        assertEquals(1, follow.exit(), follow.out());
        assertTrue(follow.err().contains("key column 'entity_id' is named more than once"), follow.err());
        assertFalse(Files.exists(store));
    }

    @Test
    void applyChangesRefusesAVersionBelowTheWatermark() {
        String delta = generate();
        String store = dir.resolve("store").toString();
        assertEquals(0, larder("load", "--delta", delta, "--key", "entity_id", "--store", store, "--table", "t",
                "--version", "1").exit());
        List<String> before = larder("dump", "--store", store, "--table", "t").out().lines().toList();

        Run negative = larder("apply-changes", "--store", store, "--table", "t", "--to-version", "-3");
        assertEquals(1, negative.exit(), negative.out());
        assertTrue(negative.err().contains("--to-version must be at least 0, got -3"), negative.err());
        Run below = larder("apply-changes", "--store", store, "--table", "t", "--to-version", "0");
        assertEquals(1, below.exit(), below.out());
        assertTrue(below.err().contains("--to-version 0 is below the watermark 1 of table t"), below.err());
        Run same = larder("apply-changes", "--store", store, "--table", "t", "--to-version", "1");
        assertEquals(0, same.exit(), same.err());
        assertTrue(same.out().contains("already at version 1"), same.out());

        assertEquals(before, larder("dump", "--store", store, "--table", "t").out().lines().toList());
        Run get = larder("get", "--store", store, "--table", "t", "1");
        assertTrue(get.out().contains("version=1 "), get.out());
    }

    @Test
    void numericOptionsOutOfRangeAreRefusedNamingTheOption() {
        String delta = generate();
        Path store = dir.resolve("store");
        String s = store.toString();
        String[][] cases = {
            {"--poll", "follow", "--store", s, "--delta", delta, "--key", "entity_id", "--table", "t", "--duration",
                    "1s", "--poll", "0s"},
            {"--status-every", "follow", "--store", s, "--delta", delta, "--key", "entity_id", "--table", "t",
                    "--status-every", "0ms"},
            {"--max-staleness", "follow", "--store", s, "--delta", delta, "--key", "entity_id", "--table", "t",
                    "--max-staleness", "PT-1S"},
            {"--duration", "follow", "--store", s, "--delta", delta, "--key", "entity_id", "--table", "t",
                    "--duration", "0s"},
            {"--inline-bytes", "follow", "--store", s, "--delta", delta, "--key", "entity_id", "--table", "t",
                    "--inline-bytes", "0"},
            {"--inline-bytes", "load", "--store", s, "--delta", delta, "--key", "entity_id", "--table", "t",
                    "--inline-bytes", "-5"},
            {"--version", "load", "--store", s, "--delta", delta, "--key", "entity_id", "--table", "t",
                    "--version", "-1"},
            {"--ttl", "load", "--store", s, "--delta", delta, "--key", "entity_id", "--table", "t", "--ttl", "PT-1H"},
            {"--rows", "generate", "--out", dir.resolve("g").toString(), "--rows", "-1"},
            {"--rows-per-file", "generate", "--out", dir.resolve("g").toString(), "--rows-per-file", "0"},
            {"--updates", "generate", "--out", dir.resolve("g").toString(), "--updates", "-1"},
            {"--deletes", "generate", "--out", dir.resolve("g").toString(), "--deletes", "-1"},
            {"--inserts", "generate", "--out", dir.resolve("g").toString(), "--inserts", "-1"},
            {"--readers", "demo", "--dir", dir.resolve("demo").toString(), "--readers", "0"},
            {"--lookup-rate", "demo", "--dir", dir.resolve("demo").toString(), "--lookup-rate", "0"},
            {"--features", "demo", "--dir", dir.resolve("demo").toString(), "--features", "0"},
            {"--log-sample", "demo", "--dir", dir.resolve("demo").toString(), "--log-sample", "1.5"},
            {"--keys", "bench", "--keys", "0"},
            {"--scenario", "bench", "--scenario", "kv,e2e"},
        };
        for (String[] c : cases) {
            String[] args = java.util.Arrays.copyOfRange(c, 1, c.length);
            Run r = larder(args);
            assertNotEquals(0, r.exit(), String.join(" ", args) + ": " + r.out());
            assertTrue(r.err().contains("larder " + args[0] + ": " + c[0] + " must "),
                    String.join(" ", args) + ": " + r.err());
            assertFalse(Files.exists(store), String.join(" ", args) + " created the store directory");
            assertFalse(Files.exists(dir.resolve("g")) || Files.exists(dir.resolve("demo")),
                    String.join(" ", args) + " left output behind");
        }
    }

    /**
     * A table the application pushes into has one feeder: follow, load and apply-changes refuse it, naming the feeder,
     * whether or not a version was pushed yet, and the pushed rows stay as they were.
     */
    @Test
    void followAndLoadRefuseATableTheApplicationFeeds() {
        String delta = generate();
        Path store = dir.resolve("store");
        Schema schema = Schema.builder().keyColumn("entity_id", ColumnType.INT64)
                .column("ctr", ColumnType.FLOAT64).build();
        try (Larder app = Larder.builder(store).push("clicks", schema, Duration.ZERO)
                .push("fresh", schema, Duration.ZERO).open()) {
            Pusher pusher = app.table("clicks").newPusher();
            pusher.row().setLong(0, 1).setDouble(1, 0.5);
            pusher.upsert(1, 1_000);
            pusher.endVersion(1, 1_000);
            app.flush();
        }
        List<String> before = larder("dump", "--store", store.toString(), "--table", "clicks").out().lines().toList();
        assertEquals(1, before.size(), before.toString());
        for (String table : List.of("clicks", "fresh")) {
            String fedBy = "table " + table + " in " + store + " is fed by the application (pushed rows); ";
            String refused = fedBy + "a table has one feeder";
            Run follow = larder("follow", "--store", store.toString(), "--delta", delta, "--key", "entity_id",
                    "--table", table, "--duration", "1s");
            assertEquals(1, follow.exit(), follow.out());
            assertTrue(follow.err().contains(refused), follow.err());
            Run load = larder("load", "--delta", delta, "--key", "entity_id", "--store", store.toString(),
                    "--table", table);
            assertEquals(1, load.exit(), load.out());
            assertTrue(load.err().contains(refused), load.err());
            Run apply = larder("apply-changes", "--store", store.toString(), "--table", table, "--delta", delta);
            assertEquals(1, apply.exit(), apply.out());
            assertTrue(apply.err().contains(fedBy + "a table has one feeder, so no Delta table's commits are applied"),
                    apply.err());
        }
        assertEquals(before, larder("dump", "--store", store.toString(), "--table", "clicks").out().lines().toList());
        Run get = larder("get", "--store", store.toString(), "--table", "clicks", "1");
        assertTrue(get.out().contains("version=1 "), get.out());
        Run fresh = larder("dump", "--store", store.toString(), "--table", "fresh");
        assertEquals(0, fresh.exit(), fresh.err());
        assertEquals("", fresh.out(), "the pushed table without a version was neither dropped nor loaded");
    }
}
