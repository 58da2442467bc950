package dev.larder.cli;

import dev.larder.cloud.SharedTables;
import dev.larder.ingest.testkit.TestWriter;
import dev.larder.store.FeatureStore;
import dev.larder.store.FeatureTable;
import dev.larder.tools.generate.DeltaTableGenerator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line end to end, in-process: generate, load, apply-changes, get, dump, verify. */
class CliTest {
    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
    }

    static synchronized Run larder(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int code = LarderCli.run(args);
            return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void generatedTableLoadsFollowsAndVerifies() throws Exception {
        String delta = dir.resolve("delta").toString();
        String store = dir.resolve("store").toString();
        Run gen = larder("generate", "--rows", "2000", "--features", "4", "--commits", "3", "--rows-per-file", "500",
                "--out", delta);
        assertEquals(0, gen.exit(), gen.err());
        assertTrue(gen.out().contains("versions 0..3"), gen.out());

        Run load = larder("load", "--delta", delta, "--key", "entity_id", "--store", store, "--table", "users",
                "--version", "1");
        assertEquals(0, load.exit(), load.err());
        assertTrue(load.out().contains("loaded 2,000 rows") || load.out().contains("rows of"), load.out());
        assertEquals(0, larder("verify", "--store", store, "--table", "users").exit());

        Run apply = larder("apply-changes", "--store", store, "--table", "users");
        assertEquals(0, apply.exit(), apply.err());
        assertTrue(apply.out().contains("watermark 3"), apply.out());
        Run verify = larder("verify", "--store", store, "--table", "users");
        assertEquals(0, verify.exit(), verify.out());
        assertTrue(verify.out().startsWith("OK"), verify.out());

        Run get = larder("get", "--store", store, "--table", "users", "10");
        assertEquals(0, get.exit(), get.err());
        assertTrue(get.out().contains("status: FOUND") && get.out().contains("entity_id (int64) = 10"), get.out());
        assertEquals(2, larder("get", "--store", store, "--table", "users", "99999999").exit());

        Run dump = larder("dump", "--store", store, "--table", "users");
        List<String> lines = dump.out().lines().toList();
        List<String> sorted = new ArrayList<>(lines);
        sorted.sort(null);
        assertEquals(sorted, lines, "dump is sorted");
        assertTrue(lines.get(0).startsWith("{\"entity_id\": "), lines.get(0));

        // The Delta table gains version 4; the table gets a version 4 of its own, deleting key 10, which the Delta
        // table keeps: the table now differs from its source at its watermark.
        DeltaTableGenerator.appendCommit(Path.of(delta));
        try (FeatureStore s = FeatureStore.open(Path.of(store))) {
            FeatureTable t = s.table("users");
            TestWriter.write(s, t, 4, t.lineage().commitTimestampMillis() + 1,
                    sink -> sink.delete(sink.row().setLong(0, 10)));
        }
        Run broken = larder("verify", "--store", store, "--table", "users", "--max-differences", "100000");
        assertEquals(1, broken.exit(), broken.out());
        assertTrue(broken.out().contains("missing from the table: {\"entity_id\": 10,"), broken.out());
    }

    /** Rows changed behind the feed's back: verify counts every kind of difference and prints at most the bound. */
    @Test
    void verifyCountsEveryDifferenceAndPrintsTheFirst() throws Exception {
        String delta = dir.resolve("delta").toString();
        String store = dir.resolve("store").toString();
        // Version 1 of the Delta table inserts one key; the table's own version 1 changes others instead (the engine
        // applies only versions above the watermark, so the change behind the feed's back takes the next version).
        assertEquals(0, larder("generate", "--rows", "2000", "--features", "4", "--commits", "1", "--updates", "0",
                "--deletes", "0", "--inserts", "1", "--out", delta).exit());
        assertEquals(0, larder("load", "--delta", delta, "--key", "entity_id", "--store", store,
                "--table", "users", "--version", "0").exit());
        try (FeatureStore s = FeatureStore.open(Path.of(store))) {
            FeatureTable t = s.table("users");
            dev.larder.store.TableReader r = t.newReader();
            dev.larder.ingest.testkit.TestWriter.write(s, t, 1, t.lineage().commitTimestampMillis(), sink -> {
                for (long k = 10; k < 13; k++) {
                    assertEquals(dev.larder.store.ReadStatus.FOUND, r.get(k));
                    sink.upsert(sink.row().copyFrom(r).setString(t.schema().indexOf("c_0"), "changed"));
                }
                assertEquals(dev.larder.store.ReadStatus.FOUND, r.get(20));
                sink.upsert(sink.row().copyFrom(r).setLong(t.schema().indexOf("entity_id"), 5_000_000));
                sink.delete(sink.row().setLong(t.schema().indexOf("entity_id"), 30));
                sink.delete(sink.row().setLong(t.schema().indexOf("entity_id"), 31));
            });
        }
        Run verify = larder("verify", "--store", store, "--table", "users", "--max-differences", "2");
        assertEquals(1, verify.exit(), verify.out());
        assertTrue(verify.out().startsWith("DIFFERENT: users vs "), verify.out());
        assertTrue(verify.out().contains("(delta 2,001 rows, table 1,999 rows): 3 missing from the table, "
                + "1 missing from the Delta table, 3 with different values"), verify.out());
        assertTrue(verify.out().contains("  row count: delta 2001, table 1999"), verify.out());
        assertEquals(4, verify.out().lines().count(), "the summary, two lines and the rest counted: " + verify.out());
        assertTrue(verify.out().contains("  ... and 6 more (--max-differences 2)"), verify.out());
        Run all = larder("verify", "--store", store, "--table", "users");
        assertTrue(all.out().contains("differs in c_0: delta {\"entity_id\": 10,"), all.out());
        assertTrue(all.out().contains("missing from the table: {\"entity_id\": 31,"), all.out());
        assertTrue(all.out().contains("missing from the Delta table: {\"entity_id\": 5000000,"), all.out());
    }

    /** One changed byte of a stored row: verify reports the row by key as failing its checksum and exits 1. */
    @Test
    void verifyReportsARowThatFailsItsChecksum() throws Exception {
        String delta = dir.resolve("delta").toString();
        Path store = dir.resolve("store");
        assertEquals(0, larder("generate", "--rows", "2000", "--features", "4", "--commits", "0", "--rows-per-file",
                "1000", "--out", delta).exit());
        assertEquals(0, larder("load", "--delta", delta, "--key", "entity_id", "--store", store.toString(), "--table",
                "users").exit());
        int rowSize;
        try (FeatureStore s = FeatureStore.open(store)) {
            rowSize = s.table("users").rowSize();
        }
        Path rows = store.resolve("users").resolve("rows.dat");
        byte[] b = Files.readAllBytes(rows);
        b[3 * rowSize + rowSize - 3] ^= 0x40;
        Files.write(rows, b);
        Run verify = larder("verify", "--store", store.toString(), "--table", "users");
        assertEquals(1, verify.exit(), verify.out());
        assertTrue(verify.out().contains("DAMAGED: 1 of 2,000 rows of users fail their checksum"), verify.out());
        assertTrue(verify.out().contains("entity_id="), verify.out());
        assertTrue(verify.out().contains("./larder rebuild"), verify.out());
    }

    @Test
    void followTailsTheDeltaLogAndStatsReportsIt() throws Exception {
        String delta = dir.resolve("delta").toString();
        String store = dir.resolve("store").toString();
        assertEquals(0, larder("generate", "--rows", "3000", "--features", "3", "--commits", "2",
                "--rows-per-file", "1000", "--out", delta).exit());
        Run follow = larder("follow", "--store", store, "--delta", delta, "--key", "entity_id", "--table", "users",
                "--poll", "100ms", "--status-every", "1s", "--duration", "4s");
        assertEquals(0, follow.exit(), follow.err());
        assertTrue(follow.out().contains("users [users] FOLLOWING: watermark v2"), follow.out());
        assertTrue(follow.out().contains("HEALTHY"), follow.out());
        assertEquals(0, larder("verify", "--store", store, "--table", "users").exit());
        Run stats = larder("stats", "--store", store);
        assertEquals(0, stats.exit(), stats.err());
        assertTrue(stats.out().contains("users: ") && stats.out().contains("watermark v2"), stats.out());
        assertTrue(java.util.regex.Pattern.compile("off-heap [0-9.]+ B/row \\(rows.dat .*\\), payload [0-9.]+ B/row "
                + "\\(values' bytes, over [0-9,]+ rows\\): [0-9.]+x the payload").matcher(stats.out()).find(),
                stats.out());
        assertTrue(stats.out().contains("live status from the follow process"), stats.out());
        assertTrue(stats.out().contains("ingest: events="), stats.out());
    }

    @Test
    void aDamagedTableIsReportedAndRebuiltFromItsDeltaSource() throws Exception {
        String delta = dir.resolve("delta").toString();
        String store = dir.resolve("store").toString();
        assertEquals(0, larder("generate", "--rows", "1000", "--features", "2", "--commits", "1", "--out",
                delta).exit());
        assertEquals(0, larder("load", "--delta", delta, "--key", "entity_id", "--store", store,
                "--table", "t").exit());
        List<String> before = larder("dump", "--store", store, "--table", "t").out().lines().toList();
        Files.write(dir.resolve("store/t/state.dat"), new byte[4096]);

        Run get = larder("get", "--store", store, "--table", "t", "1");
        assertEquals(1, get.exit());
        assertTrue(get.err().contains("state.dat") && get.err().contains("bad magic"), get.err());
        assertTrue(get.err().contains("./larder rebuild --store " + store + " --table t"), get.err());

        Run refused = larder("rebuild", "--store", store, "--table", "t");
        assertEquals(1, refused.exit(), "no terminal to confirm on");
        assertTrue(refused.err().contains("--yes"), refused.err());
        Run rebuild = larder("rebuild", "--store", store, "--table", "t", "--yes");
        assertEquals(0, rebuild.exit(), rebuild.err());
        assertTrue(rebuild.out().contains("rebuilt t from"), rebuild.out());
        assertEquals(before, larder("dump", "--store", store, "--table", "t").out().lines().toList());
        assertEquals(0, larder("verify", "--store", store, "--table", "t").exit());
    }

    @Test
    void loadFromSharedTableAndErrorsAreClear() throws java.io.IOException {
        Path shared = SharedTables.table("cdf-table");
        String store = dir.resolve("s").toString();
        assertEquals(0, larder("load", "--delta", shared.toString(), "--key", "id", "--store", store, "--table", "t",
                "--version", "0").exit());
        assertEquals(0, larder("apply-changes", "--store", store, "--table", "t", "--to-version", "2").exit());
        Run dump = larder("dump", "--store", store, "--table", "t");
        List<String> expected = new ArrayList<>(Files.readAllLines(shared.resolveSibling("computed")
                .resolve("snapshot-v2.jsonl")));
        expected.sort(null);
        assertEquals(expected, dump.out().lines().toList());
        assertEquals(0, larder("verify", "--store", store, "--table", "t").exit());

        Run again = larder("load", "--delta", shared.toString(), "--key", "id", "--store", store, "--table", "t");
        assertEquals(1, again.exit());
        assertTrue(again.err().contains("already exists"), again.err());
        Run badKey = larder("load", "--delta", shared.toString(), "--key", "nope", "--store", store, "--table", "u");
        assertEquals(1, badKey.exit());
        assertTrue(badKey.err().contains("key column 'nope'"), badKey.err());
        Run noTable = larder("load", "--delta", dir.resolve("missing").toString(), "--key", "id", "--store", store,
                "--table", "u");
        assertEquals(1, noTable.exit());
        assertTrue(noTable.err().contains("NOT_FOUND"), noTable.err());
    }

    /**
     * With the default inline capacity, strings past 12 bytes are read back from heap.dat ({@code after-large-delete},
     * {@code merge1-insert}) in dumps and lookups, and a string key keeps its 64 bytes.
     */
    @Test
    void loadKeepsTwelveBytesOfEachStringInlineAndKeysWhole() throws java.io.IOException {
        Path shared = SharedTables.table("cdf-table-with-cdc-and-dvs");
        String store = dir.resolve("s").toString();
        assertEquals(0, larder("load", "--delta", shared.toString(), "--key", "id", "--store", store,
                "--table", "t").exit());
        Run dump = larder("dump", "--store", store, "--table", "t");
        List<String> expected = new ArrayList<>(Files.readAllLines(shared.resolveSibling("computed")
                .resolve("snapshot-v25.jsonl")));
        expected.sort(null);
        assertEquals(expected, dump.out().lines().toList());
        Run get = larder("get", "--store", store, "--table", "t", "1");
        assertTrue(get.out().contains("comment (string(12)) = after-large-delete"), get.out());
        Path keyed = SharedTables.table("cdc_ict_table");
        assertEquals(0, larder("load", "--delta", keyed.toString(), "--key", "name", "--store", store,
                "--table", "k").exit());
        Run byName = larder("get", "--store", store, "--table", "k", "Steve");
        assertTrue(byName.out().contains("name (string(64)) = Steve") && byName.out().contains("age (int32) = 41"),
                byName.out());
    }

    /**
     * {@code users.g1} would be taken by follow for a newer generation of {@code users}: no command accepts it as a
     * name.
     */
    @Test
    void generationNamesAreRefusedAsTableNames() {
        String delta = dir.resolve("delta").toString();
        String store = dir.resolve("store").toString();
        assertEquals(0, larder("generate", "--rows", "500", "--features", "2", "--commits", "1", "--out",
                delta).exit());
        assertEquals(0, larder("load", "--delta", delta, "--key", "entity_id", "--store", store, "--table",
                "users").exit());
        for (String[] args : List.of(
                new String[] {"load", "--delta", delta, "--key", "entity_id", "--store", store, "--table", "users.g1"},
                new String[] {"follow", "--delta", delta, "--key", "entity_id", "--store", store, "--table", "users.g1",
                        "--duration", "1s"},
                new String[] {"get", "--store", store, "--table", "users.g1", "1"},
                new String[] {"verify", "--store", store, "--table", "users.g7"},
                new String[] {"rebuild", "--store", store, "--table", "users.g1", "--yes"})) {
            Run r = larder(args);
            assertEquals(2, r.exit(), String.join(" ", args) + ": " + r.err());
            assertTrue(r.err().contains("reserved for the generations of table users"), r.err());
        }
        try (FeatureStore s = FeatureStore.open(Path.of(store))) {
            assertEquals(List.of("users"), s.tableNames());
        }
        assertEquals(0, larder("verify", "--store", store, "--table", "users").exit());
    }

    /**
     * VACUUM: deletes the data files {@code version}'s commit removed, so the changes of that version cannot be read.
     */
    static void vacuumFilesRemovedBy(Path delta, long version) throws java.io.IOException {
        String json = Files.readString(delta.resolve("_delta_log").resolve(String.format("%020d.json", version)));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\{\"remove\":\\{\"path\":\"([^\"]+)\"")
                .matcher(json);
        int deleted = 0;
        while (m.find()) {
            Files.delete(delta.resolve(m.group(1)));
            deleted++;
        }
        assertTrue(deleted > 0, "commit " + version + " removed no files");
    }

    /**
     * After follow re-bootstraps a table whose history was vacuumed, the table lives on as {@code t.g1}; every command
     * must still find it as {@code t}.
     */
    @Test
    void aTableKeepsItsNameAcrossGenerations() throws Exception {
        Path delta = dir.resolve("delta");
        String store = dir.resolve("store").toString();
        assertEquals(0, larder("generate", "--rows", "2000", "--features", "3", "--commits", "2",
                "--rows-per-file", "500", "--out", delta.toString()).exit());
        assertEquals(0, larder("load", "--delta", delta.toString(), "--key", "entity_id", "--store", store,
                "--table", "t", "--version", "0").exit());
        vacuumFilesRemovedBy(delta, 1);
        Run follow = larder("follow", "--store", store, "--delta", delta.toString(), "--key", "entity_id",
                "--table", "t", "--poll", "100ms", "--status-every", "1s", "--duration", "4s");
        assertEquals(0, follow.exit(), follow.err());
        assertTrue(follow.out().contains("t [t.g1] FOLLOWING: watermark v2"), follow.out());
        try (FeatureStore s = FeatureStore.open(Path.of(store))) {
            assertEquals(List.of("t.g1"), s.tableNames());
        }

        Run verify = larder("verify", "--store", store, "--table", "t");
        assertEquals(0, verify.exit(), verify.out() + verify.err());
        assertTrue(verify.out().startsWith("OK: t equals") && verify.out().contains("at version 2"), verify.out());
        List<String> dump = larder("dump", "--store", store, "--table", "t").out().lines().toList();
        assertTrue(dump.size() > 1000, "dump of t: " + dump.size() + " lines");
        String key = dump.get(0).substring("{\"entity_id\": ".length(), dump.get(0).indexOf(','));
        Run get = larder("get", "--store", store, "--table", "t", key);
        assertEquals(0, get.exit(), get.err());
        assertTrue(get.out().contains("status: FOUND") && get.out().contains("version=2"), get.out());
        Run stats = larder("stats", "--store", store);
        assertEquals(0, stats.exit(), stats.err());
        assertTrue(stats.out().contains("t [t.g1]: ") && stats.out().contains("watermark v2"), stats.out());
        Run again = larder("load", "--delta", delta.toString(), "--key", "entity_id", "--store", store, "--table", "t");
        assertEquals(1, again.exit());
        assertTrue(again.err().contains("already exists"), again.err());

        DeltaTableGenerator.appendCommit(delta);
        Run apply = larder("apply-changes", "--store", store, "--table", "t");
        assertEquals(0, apply.exit(), apply.err());
        assertTrue(apply.out().contains("watermark 3"), apply.out());
        assertEquals(0, larder("verify", "--store", store, "--table", "t").exit());
    }

    /** The data files of a Delta table, with their bytes, so a test can damage them and put them back. */
    static Map<Path, byte[]> dataFiles(Path delta) throws java.io.IOException {
        Map<Path, byte[]> out = new java.util.TreeMap<>();
        try (var files = Files.walk(delta)) {
            for (Path p : files.filter(p -> p.toString().endsWith(".parquet")).toList()) {
                out.put(p, Files.readAllBytes(p));
            }
        }
        return out;
    }

    /**
     * rebuild is what every damaged-file error recommends: it builds the new copy beside the old table, so a rebuild
     * that fails (here on a corrupt Delta data file) leaves the table as it was; and it works when the table's files,
     * its metadata included, are damaged beyond opening.
     */
    @Test
    void rebuildReplacesTheTableOnlyOnceTheNewCopyIsComplete() throws Exception {
        Path delta = dir.resolve("delta");
        String store = dir.resolve("store").toString();
        assertEquals(0, larder("generate", "--rows", "3000", "--features", "2", "--commits", "1",
                "--rows-per-file", "500", "--out", delta.toString()).exit());
        assertEquals(0, larder("load", "--delta", delta.toString(), "--key", "entity_id", "--store", store,
                "--table", "t").exit());
        List<String> before = larder("dump", "--store", store, "--table", "t").out().lines().toList();
        Map<Path, byte[]> files = dataFiles(delta);
        for (Path p : files.keySet()) {
            Files.write(p, new byte[100]);
        }
        Run failed = larder("rebuild", "--store", store, "--table", "t", "--yes");
        assertEquals(1, failed.exit(), failed.out());
        assertTrue(failed.err().contains("CORRUPT_FILE") && failed.err().contains(".parquet"), failed.err());
        try (FeatureStore s = FeatureStore.open(Path.of(store))) {
            assertEquals(List.of("t"), s.tableNames(), "the half-built copy is gone, the table is not");
        }
        assertEquals(before, larder("dump", "--store", store, "--table", "t").out().lines().toList());

        for (Map.Entry<Path, byte[]> f : files.entrySet()) {
            Files.write(f.getKey(), f.getValue());
        }
        Run rebuilt = larder("rebuild", "--store", store, "--table", "t", "--yes");
        assertEquals(0, rebuilt.exit(), rebuilt.err());
        assertTrue(rebuilt.out().contains("rebuilt t from") && rebuilt.out().contains("(in t.g1)"), rebuilt.out());
        try (FeatureStore s = FeatureStore.open(Path.of(store))) {
            assertEquals(List.of("t.g1"), s.tableNames());
        }
        assertEquals(before, larder("dump", "--store", store, "--table", "t").out().lines().toList());

        // Every file of the table damaged, the metadata included: the source is unknown, so --delta/--key are required.
        try (var damaged = Files.list(dir.resolve("store/t.g1"))) {
            for (Path p : damaged.toList()) {
                Files.write(p, new byte[64]);
            }
        }
        Run get = larder("get", "--store", store, "--table", "t", "1");
        assertEquals(1, get.exit());
        assertTrue(get.err().contains("./larder rebuild --store " + store + " --table t --delta PATH --key COLUMNS"),
                get.err());
        Run unknown = larder("rebuild", "--store", store, "--table", "t", "--yes");
        assertEquals(1, unknown.exit());
        assertTrue(unknown.err().contains("table.properties") && unknown.err().contains("--delta PATH --key COLUMNS"),
                unknown.err());
        Run explicit = larder("rebuild", "--store", store, "--table", "t", "--yes", "--delta", delta.toString(),
                "--key", "entity_id");
        assertEquals(0, explicit.exit(), explicit.err());
        try (FeatureStore s = FeatureStore.open(Path.of(store))) {
            assertEquals(List.of("t.g2"), s.tableNames());
        }
        assertEquals(before, larder("dump", "--store", store, "--table", "t").out().lines().toList());
        assertEquals(0, larder("verify", "--store", store, "--table", "t").exit());
    }
}
