package dev.larder.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.ingest.testkit.TestWriter;
import dev.larder.store.Column;
import dev.larder.store.FeatureSchema;
import dev.larder.store.FeatureStore;
import dev.larder.store.FeatureTable;
import dev.larder.store.Lineage;
import dev.larder.store.TableOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parity of store tables with the shared real Delta tables: bootstrap at every version and apply the change feed
 * version by version, comparing {@link TableParity#dump} with {@code computed/snapshot-vN.jsonl} and running
 * {@link TableParity#verify} each time. Two tables are deliberate exceptions (see their tests below).
 */
class StoreParityTest {
    /** Key column of each keyed table, from MANIFEST.md. */
    static final Map<String, String> KEYS = new TreeMap<>(Map.ofEntries(
            Map.entry("simple_table", "id"), Map.entry("basic_partitioned", "number"),
            Map.entry("basic-with-inserts-deletes-checkpoint", "id"),
            Map.entry("dv-partitioned-with-checkpoint", "col1"),
            Map.entry("dv-with-columnmapping", "col1"), Map.entry("table-with-dv-small", "value"),
            Map.entry("cdf-table", "id"), Map.entry("cdf-table-non-partitioned", "name"),
            Map.entry("cdf-table-with-cdc-and-dvs", "id"), Map.entry("simple_table_with_cdc", "id"),
            Map.entry("cdc_ict_table", "name"), Map.entry("cdf-column-mapping-name-mode", "id"),
            Map.entry("cdf-column-mapping-id-mode", "id"), Map.entry("cdf-table-simple", "id"),
            Map.entry("cdf-table-update-ops", "id"), Map.entry("cdf-table-data-change", "id"),
            Map.entry("cdf-table-delete-unconditional", "id"), Map.entry("cdf-table-delete-conditional-all-rows", "id"),
            Map.entry("cdf-table-delete-conditional-two-rows", "id"),
            Map.entry("cdf-table-backtick-column-names", "id.num")));

    private static final Pattern SNAPSHOT_FILE = Pattern.compile("snapshot-v(\\d+)\\.jsonl");

    @TempDir
    Path dir;

    static TreeMap<Long, Path> snapshots(String table) {
        TreeMap<Long, Path> out = new TreeMap<>();
        try (Stream<Path> s = Files.list(SharedTables.root().resolve(table).resolve("computed"))) {
            s.forEach(p -> {
                Matcher m = SNAPSHOT_FILE.matcher(p.getFileName().toString());
                if (m.matches()) {
                    out.put(Long.parseLong(m.group(1)), p);
                }
            });
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }

    static List<String> expected(Path file) {
        List<String> lines = new ArrayList<>(SharedTables.lines(file));
        lines.sort(null);
        return lines;
    }

    FeatureTable newTable(FeatureStore store, String name, DeltaSource src, long version, String key) {
        // The default inline capacity: strings past 12 bytes are read back from the heap.
        FeatureSchema schema = DeltaFeatureSchemas.toFeatureSchema(src.schema(version), List.of(key),
                Column.DEFAULT_VARIABLE_CAPACITY);
        return store.create(name, schema, TableOptions.DEFAULT);
    }

    /** Bootstraps {@code t} at {@code version} through the engine ({@code Larder.load}); returns the rows loaded. */
    static long load(FeatureStore store, FeatureTable t, DeltaFeed feed, DeltaSource src, long version) {
        try (TestWriter w = TestWriter.open(store)) {
            return w.larder().load(t, new Lineage(src.tableId(version), src.tablePath(), -1, 0),
                    sink -> feed.bootstrap(version, sink, ScanProgress.NONE));
        }
    }

    /** Applies commits {@code from..to} to {@code t} through the engine ({@code Larder.applyChanges}). */
    static long apply(FeatureStore store, FeatureTable t, DeltaFeed feed, long from, long to) {
        try (TestWriter w = TestWriter.open(store)) {
            return w.larder().applyChanges(t, sink -> feed.applyChanges(from, to, sink));
        }
    }

    @TestFactory
    Stream<DynamicTest> bootstrapAtEveryVersionEqualsTheComputedSnapshot() {
        SharedTables.root();
        return KEYS.keySet().stream().map(table -> DynamicTest.dynamicTest(table, () -> {
            DeltaSource src = DeltaSource.open(SharedTables.table(table).toString());
            try (FeatureStore store = FeatureStore.open(dir.resolve("boot-" + table))) {
                for (Map.Entry<Long, Path> e : snapshots(table).entrySet()) {
                    long v = e.getKey();
                    FeatureTable t = newTable(store, "v" + v, src, v, KEYS.get(table));
                    load(store, t, new DeltaFeed(src, t.schema()), src, v);
                    assertEquals(expected(e.getValue()), TableParity.dump(t), table + " v" + v);
                    assertEquals(v, t.lineage().version());
                    assertEquals(src.tableId(v), t.lineage().sourceId());
                    TableParity.Result r = TableParity.verify(src, t, 5);
                    assertTrue(r.equal(), table + " v" + v + ": " + r);
                    store.close("v" + v);
                }
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> changeFeedConvergesOnEveryVersion() {
        SharedTables.root();
        return KEYS.keySet().stream()
                .filter(t -> !t.equals("cdf-table-simple") && !t.equals("cdf-table-update-ops"))
                .map(table -> DynamicTest.dynamicTest(table, () -> {
                    DeltaSource src = DeltaSource.open(SharedTables.table(table).toString());
                    TreeMap<Long, Path> snaps = snapshots(table);
                    long first = snaps.firstKey();
                    try (FeatureStore store = FeatureStore.open(dir.resolve("feed-" + table))) {
                        FeatureTable t = newTable(store, "t", src, first, KEYS.get(table));
                        DeltaFeed feed = new DeltaFeed(src, t.schema());
                        load(store, t, feed, src, first);
                        for (long v : snaps.tailMap(first, false).keySet()) {
                            long from = t.lineage().version() + 1;
                            // The engine's sink answers storedVersion: no commit of a real table is taken for a
                            // duplicate.
                            assertEquals(v, apply(store, t, feed, from, v));
                            assertEquals(v, t.lineage().version());
                            assertEquals(expected(snaps.get(v)), TableParity.dump(t), table + " v" + v);
                            assertTrue(TableParity.verify(src, t, 5).equal(), table + " v" + v);
                        }
                    }
                }));
    }

    /**
     * v2 of cdf-table-simple is a hand-made commit of cdc actions only: the feed trusts them, so the table diverges.
     */
    @Test
    void cdcOnlyCommitIsTrustedEvenWhenTheSnapshotDisagrees() {
        DeltaSource src = DeltaSource.open(SharedTables.table("cdf-table-simple").toString());
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = newTable(store, "t", src, 0, "id");
            DeltaFeed feed = new DeltaFeed(src, t.schema());
            load(store, t, feed, src, 0);
            assertEquals(2, apply(store, t, feed, 1, 2));
            assertEquals(List.of("{\"id\": 20}", "{\"id\": 21}", "{\"id\": 22}", "{\"id\": 23}", "{\"id\": 24}"),
                    TableParity.dump(t));
            TableParity.Result r = TableParity.verify(src, t, 5);
            assertFalse(r.equal());
            assertEquals(0, r.deltaRows());
            assertTrue(r.differences().get(0).contains("table holds keys the Delta table does not"), r.toString());
        }
    }

    /**
     * cdf-table-update-ops uses non-spec change types; the feed stops at that version and the table stays as it was.
     */
    @Test
    void nonSpecChangeTypesStopTheFeedAndLeaveTheTableUnchanged() {
        DeltaSource src = DeltaSource.open(SharedTables.table("cdf-table-update-ops").toString());
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = newTable(store, "t", src, 0, "id");
            DeltaFeed feed = new DeltaFeed(src, t.schema());
            load(store, t, feed, src, 0);
            List<String> before = TableParity.dump(t);
            DeltaReadException e = assertThrows(DeltaReadException.class, () -> apply(store, t, feed, 1, 2));
            assertEquals(DeltaReadException.Reason.INVALID_DATA, e.reason());
            assertEquals(1, e.version());
            assertTrue(e.getMessage().contains("update_pre"), e.getMessage());
            assertEquals(0, t.lineage().version());
            assertEquals(before, TableParity.dump(t));
        }
    }

    @Test
    void badKeysAreRejectedWithClearErrors() {
        DeltaSource src = DeltaSource.open(SharedTables.table("basic_partitioned").toString());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> DeltaFeatureSchemas.toFeatureSchema(src.schema(1), List.of("nope"), 16));
        assertTrue(missing.getMessage().contains("'nope'") && missing.getMessage().contains("letter"),
                missing.getMessage());
        IllegalArgumentException floaty = assertThrows(IllegalArgumentException.class,
                () -> DeltaFeatureSchemas.toFeatureSchema(src.schema(1), List.of("a_float"), 16));
        assertTrue(floaty.getMessage().contains("a_float"), floaty.getMessage());
        try (FeatureStore store = FeatureStore.open(dir)) {
            // letter has a null partition value: as a key it must be refused, naming the column and version.
            FeatureTable t = newTable(store, "nullkey", src, 1, "letter");
            DeltaReadException nullKey = assertThrows(DeltaReadException.class,
                    () -> load(store, t, new DeltaFeed(src, t.schema()), src, 1));
            assertTrue(nullKey.getMessage().contains("null value in key column 'letter'") && nullKey.version() == 1,
                    nullKey.getMessage());
            assertEquals(-1, t.lineage().version(), "no watermark after a failed bootstrap");
        }
    }

    @Test
    void duplicateKeysInASnapshotAreRejected() {
        DeltaSource src = DeltaSource.open(SharedTables.table("cdf-table-non-partitioned").toString());
        long v = src.latestVersion();
        try (FeatureStore store = FeatureStore.open(dir)) {
            // birthday repeats across people in this table.
            FeatureTable t = newTable(store, "dup", src, v, "birthday");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> load(store, t, new DeltaFeed(src, t.schema()), src, v));
            assertTrue(e.getMessage().contains("duplicate key (birthday="), e.getMessage());
        }
    }
}
