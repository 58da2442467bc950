package dev.larder.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.ingest.ChangeSink;
import dev.larder.ingest.testkit.TestWriter;
import dev.larder.store.FeatureSchema;
import dev.larder.store.FeatureStore;
import dev.larder.store.FeatureTable;
import dev.larder.store.Lineage;
import dev.larder.store.ReadStatus;
import dev.larder.store.RowBuffer;
import dev.larder.store.TableOptions;
import dev.larder.store.TableReader;
import dev.larder.tools.generate.DeltaTableGenerator;
import dev.larder.tools.generate.GeneratorSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TableParity#verify} on tables changed behind the feed's back (under the watermark they were loaded at): every
 * changed value, missing key and extra key is counted and named, on a shared real table and on generated ones.
 */
class TableParityTest {
    private static final Pattern ENTITY = Pattern.compile("\"entity_id\": (\\d+)");

    @TempDir
    Path dir;

    private static FeatureTable load(FeatureStore store, DeltaSource src, String key, int inlineBytes) {
        long v = src.latestVersion();
        FeatureSchema schema = DeltaFeatureSchemas.toFeatureSchema(src.schema(v), List.of(key), inlineBytes);
        FeatureTable t = store.create("t", schema, TableOptions.DEFAULT);
        try (TestWriter w = TestWriter.open(store)) {
            w.larder().load(t, src.origin(v), sink -> {
                new DeltaFeed(src, schema).bootstrap(v, sink, ScanProgress.NONE);
                return v;
            });
        }
        return t;
    }

    /**
     * Applies {@code changes} behind the feed: as the next version (the engine only applies versions above the
     * watermark), so the table is then compared with the Delta version it was loaded at, which no longer matches it.
     * Returns that version.
     */
    private static long behindTheFeed(FeatureStore store, FeatureTable t, Consumer<ChangeSink> changes) {
        Lineage l = t.lineage();
        TestWriter.write(store, t, l.version() + 1, l.commitTimestampMillis(), changes);
        assertEquals(l.version() + 1, t.lineage().version());
        return l.version();
    }

    /** A copy of the stored row of {@code key} in the sink's staging row, for the caller to change and upsert. */
    private static RowBuffer stored(FeatureTable t, ChangeSink sink, Consumer<RowBuffer> key) {
        RowBuffer k = t.newRow();
        key.accept(k);
        TableReader r = t.newReader();
        assertEquals(ReadStatus.FOUND, r.get(k));
        return sink.row().copyFrom(r);
    }

    @Test
    void aSharedTableWithAStringKeyNamesTheChangedValueTheMissingKeyAndTheExtraKey() {
        DeltaSource src = DeltaSource.open(SharedTables.table("cdf-table-non-partitioned").toString());
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = load(store, src, "name", 16);
            TableParity.Result clean = TableParity.verify(src, t, 10);
            assertTrue(clean.equal(), clean.toString());
            assertEquals(t.size(), clean.deltaRows());
            assertEquals(0, clean.scrub().damaged());
            FeatureSchema s = t.schema();
            int name = s.indexOf("name");
            int dbl = s.indexOf("double_field");
            TableReader reader = t.newReader();
            List<String> names = new java.util.ArrayList<>();
            reader.forEach(r -> names.add(r.getString(name)));
            names.sort(null);
            String changed = names.get(0);
            String deleted = names.get(1);
            long loaded = behindTheFeed(store, t, sink -> {
                sink.upsert(stored(t, sink, k -> k.setString(name, changed)).setDouble(dbl, 2.5));
                sink.upsert(stored(t, sink, k -> k.setString(name, deleted)).setString(name, "Zed-extra"));
                RowBuffer gone = sink.row();
                gone.setString(name, deleted);
                sink.delete(gone);
            });

            TableParity.Result r = TableParity.verify(src, t, loaded, 10);
            assertFalse(r.equal());
            assertEquals(1, r.differing(), r.toString());
            assertEquals(1, r.missingFromTable(), r.toString());
            assertEquals(1, r.missingFromDelta(), r.toString());
            assertEquals(r.deltaRows(), r.tableRows(), "one key gone, one added: the counts alone hide both");
            assertEquals(3, r.differences().size(), r.toString());
            assertTrue(r.differences().stream().anyMatch(d -> d.startsWith("differs in double_field: delta {")
                    && d.contains("\"name\": \"" + changed + "\"") && d.contains("\"double_field\": 2.5")),
                    r.toString());
            assertTrue(r.differences().stream().anyMatch(d -> d.startsWith("missing from the table: {")
                    && d.contains("\"name\": \"" + deleted + "\"")), r.toString());
            assertTrue(r.differences().stream().anyMatch(d -> d.startsWith("missing from the Delta table: {")
                    && d.contains("\"name\": \"Zed-extra\"")), r.toString());
        }
    }

    @Test
    void everyDifferenceOfAGeneratedTableIsCountedAndNamedWithinTheBound() throws Exception {
        Path delta = dir.resolve("delta");
        GeneratorSpec spec = GeneratorSpec.builder().rows(3_000).numericFeatures(4).float32Features(1).stringFeatures(2)
                .commits(2).rowsPerFile(1_000).updatesPerCommit(40).deletesPerCommit(5).insertsPerCommit(9).build();
        DeltaTableGenerator.generate(spec, delta);
        DeltaSource src = DeltaSource.open(delta.toString());
        try (FeatureStore store = FeatureStore.open(dir.resolve("store"))) {
            FeatureTable t = load(store, src, GeneratorSpec.KEY_COLUMN, 8);
            assertTrue(TableParity.verify(src, t, 5).equal());
            FeatureSchema s = t.schema();
            int key = s.indexOf(GeneratorSpec.KEY_COLUMN);
            int number = s.indexOf(GeneratorSpec.numericColumn(0));
            int text = s.indexOf(GeneratorSpec.stringColumn(1));
            List<Long> live = new java.util.ArrayList<>();
            t.newReader().forEach(r -> live.add(r.getLong(key)));
            live.sort(null);
            Set<Long> changed = new TreeSet<>();
            Set<Long> deleted = new TreeSet<>();
            Set<Long> extra = new TreeSet<>();
            long loaded = behindTheFeed(store, t, sink -> {
                for (long id : live.subList(100, 110)) {
                    RowBuffer row = stored(t, sink, b -> b.setLong(key, id));
                    sink.upsert(row.setDouble(number, row.getDouble(number) + 1e-9));
                    changed.add(id);
                }
                for (long id : live.subList(200, 205)) {
                    RowBuffer row = stored(t, sink, b -> b.setLong(key, id));
                    sink.upsert(row.setString(text, row.getString(text) + "x"));
                    changed.add(id);
                }
                for (long id : live.subList(300, 307)) {
                    RowBuffer gone = sink.row();
                    gone.setLong(key, id);
                    sink.delete(gone);
                    deleted.add(id);
                }
                for (long id = 1_000_000; id < 1_000_012; id++) {
                    long newKey = id;
                    sink.upsert(stored(t, sink, b -> b.setLong(key, live.get(400))).setLong(key, newKey));
                    extra.add(id);
                }
            });

            TableParity.Result bounded = TableParity.verify(src, t, loaded, 5);
            assertEquals(15, bounded.differing(), bounded.toString());
            assertEquals(7, bounded.missingFromTable(), bounded.toString());
            assertEquals(12, bounded.missingFromDelta(), bounded.toString());
            assertEquals(5, bounded.differences().size(), "the row count first, then four rows");
            assertTrue(bounded.differences().get(0).startsWith("row count: delta " + bounded.deltaRows() + ", table "
                    + (bounded.deltaRows() + 5)), bounded.toString());
            assertEquals(0, TableParity.verify(src, t, loaded, 0).differences().size());
            assertFalse(TableParity.verify(src, t, loaded, 0).equal(), "differences are counted, whatever the bound");

            TableParity.Result all = TableParity.verify(src, t, loaded, 1_000);
            assertEquals(changed, keys(all, "differs in "));
            assertEquals(deleted, keys(all, "missing from the table: "));
            assertEquals(extra, keys(all, "missing from the Delta table: "));
            assertTrue(all.differences().stream().filter(d -> d.startsWith("differs in ")).allMatch(
                    d -> d.startsWith("differs in " + GeneratorSpec.numericColumn(0) + ":")
                            || d.startsWith("differs in " + GeneratorSpec.stringColumn(1) + ":")), all.toString());
        }
    }

    /** Values longer than their column's inline bytes live in the table's heap and a staging row's side buffer. */
    @Test
    void outOfLineValuesCompareByContent() {
        FeatureSchema schema = FeatureSchema.builder().keyColumn("id", dev.larder.store.ColumnType.INT64)
                .add(dev.larder.store.Column.variable("s", dev.larder.store.ColumnType.STRING, true, 8)).build();
        String long1 = "a value far longer than the eight bytes kept inline".repeat(3);
        String long2 = long1.substring(0, long1.length() - 1) + "?";
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.create("t", schema, TableOptions.DEFAULT);
            TestWriter.write(store, t, 1, 0, sink -> sink.upsert(sink.row().setLong(0, 7).setString(1, long1)));
            TableReader reader = t.newReader();
            RowBuffer want = t.newRow().setLong(0, 7).setString(1, long1);
            assertEquals(ReadStatus.FOUND, reader.get(want));
            RowParity parity = new RowParity(schema);
            assertEquals(-1, parity.nextDifference(want, reader, 0));
            assertEquals(1, parity.nextDifference(want.clear().setLong(0, 7).setString(1, long2), reader, 0));
            assertEquals(1, parity.nextDifference(want.clear().setLong(0, 7), reader, 0), "null against a value");
            assertEquals(parity.keyHash(want), parity.keyHash(reader));
            assertTrue(parity.keyHash(want) != parity.keyHash(want.clear().setLong(0, 8)));
        }
    }

    /** The keys named by the lines starting with {@code prefix}. */
    private static Set<Long> keys(TableParity.Result r, String prefix) {
        Set<Long> out = new TreeSet<>();
        for (String d : r.differences()) {
            if (d.startsWith(prefix)) {
                Matcher m = ENTITY.matcher(d);
                assertTrue(m.find(), d);
                out.add(Long.parseLong(m.group(1)));
            }
        }
        return out;
    }
}
