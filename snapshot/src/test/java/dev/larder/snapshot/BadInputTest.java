package dev.larder.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.ingest.testkit.TestWriter;
import dev.larder.store.FeatureSchema;
import dev.larder.store.FeatureStore;
import dev.larder.store.FeatureTable;
import dev.larder.store.Lineage;
import dev.larder.store.TableOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damaged copies of simple_table (in a temp dir, never in the repo) must fail with a precise error. */
class BadInputTest {
    /** The only file added by simple_table's v4; the v4 snapshot is v3's files minus two removes plus it. */
    private static final String V4_FILE = "part-00000-2befed33-c358-4768-a43c-3eda0d2a499d-c000.snappy.parquet";
    /** One of the files live at v4 that holds a row (v4's own file holds none). */
    private static final String V4_ROW_FILE = "part-00007-3a0e4727-de0d-41b6-81ef-5223cf40f025-c000.snappy.parquet";

    @TempDir
    Path temp;
    Path table;

    @BeforeEach
    void copyTable() throws IOException {
        table = temp.resolve("table");
        SharedTables.copyWithoutChecksums(SharedTables.table("simple_table"), table);
    }

    private void commit(long version, String... actions) throws IOException {
        Files.writeString(table.resolve("_delta_log").resolve(String.format("%020d.json", version)),
                String.join("\n", actions) + "\n", StandardCharsets.UTF_8);
    }

    private static String add(String path) {
        return add(path, 262);
    }

    private static String add(String path, long size) {
        return "{\"add\":{\"path\":\"" + path + "\",\"partitionValues\":{},\"size\":" + size + ","
                + "\"modificationTime\":1587968626000,\"dataChange\":true}}";
    }

    private List<String> scanAll(DeltaSource source, long version) {
        List<String> rows = new ArrayList<>();
        source.scan(version, row -> rows.add(JsonRowFormat.toJson(row)));
        return rows;
    }

    @Test
    void copyReadsLikeTheOriginal() {
        assertEquals(List.of("{\"id\": 5}", "{\"id\": 7}", "{\"id\": 9}"),
                scanAll(DeltaSource.open(table.toString()), 4).stream().sorted().toList());
    }

    @Test
    void pathsOutsideTheRootAreRefusedUnread() throws IOException {
        // A readable parquet file really sits there: refusal must not depend on the read failing.
        Files.copy(table.resolve(V4_FILE), temp.resolve("outside.parquet"));
        for (String escaping : List.of("../outside.parquet", "file:" + temp.resolve("outside.parquet"),
                "%2E%2E/outside.parquet", "/etc/hosts")) {
            commit(5, add(escaping));
            DeltaSource source = DeltaSource.open(table.toString());
            DeltaReadException scan = assertThrows(DeltaReadException.class, () -> scanAll(source, 5), escaping);
            assertEquals(DeltaReadException.Reason.PATH_OUTSIDE_TABLE, scan.reason(), scan.getMessage());
            assertEquals(escaping, scan.file());
            assertEquals(5, scan.version());
            DeltaReadException feed = assertThrows(DeltaReadException.class,
                    () -> source.changes(5, 5, new ChangeFeedTest.Recorder()));
            assertEquals(DeltaReadException.Reason.PATH_OUTSIDE_TABLE, feed.reason(), feed.getMessage());
        }
    }

    private void assertRefusedAsSymlinkEscape(DeltaReadException e, String file, long version) {
        assertEquals(DeltaReadException.Reason.PATH_OUTSIDE_TABLE, e.reason(), e.getMessage());
        assertEquals(file, e.file());
        assertEquals(version, e.version());
        assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
    }

    @Test
    void dataFileLinkedOutsideTheRootIsRefusedUnread() throws IOException {
        // The link's target is the very file the table had: only where it lives makes it wrong.
        Path outside = temp.resolve("outside.parquet");
        Files.move(table.resolve(V4_FILE), outside);
        Files.createSymbolicLink(table.resolve(V4_FILE), outside);
        DeltaSource source = DeltaSource.open(table.toString());
        assertRefusedAsSymlinkEscape(assertThrows(DeltaReadException.class, () -> scanAll(source, 4)), V4_FILE, 4);
        assertRefusedAsSymlinkEscape(assertThrows(DeltaReadException.class,
                () -> source.changes(4, 4, new ChangeFeedTest.Recorder())), V4_FILE, 4);
    }

    @Test
    void directoryLinkedOutsideTheRootIsRefusedUnread() throws IOException {
        Path outside = Files.createDirectories(temp.resolve("outside"));
        Files.copy(table.resolve(V4_FILE), outside.resolve("part.parquet"));
        Files.createSymbolicLink(table.resolve("sub"), outside);
        commit(5, add("sub/part.parquet"));
        DeltaSource source = DeltaSource.open(table.toString());
        assertRefusedAsSymlinkEscape(assertThrows(DeltaReadException.class, () -> scanAll(source, 5)),
                "sub/part.parquet", 5);
        assertRefusedAsSymlinkEscape(assertThrows(DeltaReadException.class,
                () -> source.changes(5, 5, new ChangeFeedTest.Recorder())), "sub/part.parquet", 5);
    }

    @Test
    void deletionVectorLinkedOutsideTheRootIsRefusedUnread() throws IOException {
        Path dvTable = temp.resolve("dv");
        SharedTables.copyWithoutChecksums(SharedTables.table("table-with-dv-small"), dvTable);
        String dvFile = "deletion_vector_61d16c75-6994-46b7-a15b-8b538852e50e.bin";
        Path outside = temp.resolve("outside.bin");
        Files.move(dvTable.resolve(dvFile), outside);
        Files.createSymbolicLink(dvTable.resolve(dvFile), outside);
        DeltaSource source = DeltaSource.open(dvTable.toString());
        DeltaReadException e = assertThrows(DeltaReadException.class, () -> scanAll(source, 1));
        assertEquals(DeltaReadException.Reason.PATH_OUTSIDE_TABLE, e.reason(), e.getMessage());
        assertTrue(e.file().endsWith("/" + dvFile), e.file());
        assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
    }

    @Test
    void linksThatStayInsideTheRootAreRead() throws IOException {
        // A linked table root, and a data file linked to another place under the same root.
        Path linkedRoot = Files.createSymbolicLink(temp.resolve("linked-root"), table);
        Files.createDirectories(table.resolve("moved"));
        Files.move(table.resolve(V4_FILE), table.resolve("moved").resolve(V4_FILE));
        Files.createSymbolicLink(table.resolve(V4_FILE), table.resolve("moved").resolve(V4_FILE));
        for (Path root : List.of(table, linkedRoot)) {
            assertEquals(List.of("{\"id\": 5}", "{\"id\": 7}", "{\"id\": 9}"),
                    scanAll(DeltaSource.open(root.toString()), 4).stream().sorted().toList(), root.toString());
        }
    }

    private static String remove(String path) {
        return "{\"remove\":{\"path\":\"" + path + "\",\"deletionTimestamp\":1587968626000,\"dataChange\":true}}";
    }

    /**
     * Bootstraps {@code tableRoot} at {@code version} into a fresh store table, applies the change feed from
     * {@code version + 1} to {@code to} through a sink that knows which keys the table holds, and returns the failure.
     */
    private DeltaReadException feedFailure(Path tableRoot, long version, long to) {
        DeltaSource source = DeltaSource.open(tableRoot.toString());
        try (FeatureStore store = FeatureStore.open(temp.resolve("store"))) {
            FeatureSchema schema = DeltaFeatureSchemas.toFeatureSchema(source.schema(version), List.of("id"), 16);
            FeatureTable t = store.create("t", schema, TableOptions.DEFAULT);
            Lineage lineage = new Lineage(source.tableId(version), source.tablePath(), -1, 0);
            DeltaFeed feed = new DeltaFeed(source, schema);
            try (TestWriter w = TestWriter.open(store)) {
                w.larder().load(t, lineage, sink -> feed.bootstrap(version, sink, ScanProgress.NONE));
                DeltaReadException e = assertThrows(DeltaReadException.class,
                        () -> w.larder().applyChanges(t, sink -> feed.applyChanges(version + 1, to, sink)));
                assertEquals(version, t.lineage().version(), "the failed commit must not become the watermark");
                return e;
            }
        }
    }

    private static void assertDuplicate(DeltaReadException e, long version, String file, String... mentions) {
        assertEquals(DeltaReadException.Reason.DUPLICATE_KEY, e.reason(), e.getMessage());
        assertEquals(version, e.version());
        assertTrue(e.file().endsWith("/" + file), e.file());
        for (String m : mentions) {
            assertTrue(e.getMessage().contains(m), "'" + m + "' not named in: " + e.getMessage());
        }
    }

    @Test
    void feedRefusesAKeyAddedWhileAnotherLiveFileHoldsIt() throws IOException {
        // A second copy of a file live at v4, added without removing the first.
        Files.copy(table.resolve(V4_ROW_FILE), table.resolve("copy.parquet"));
        commit(5, add("copy.parquet", Files.size(table.resolve("copy.parquet"))));
        assertDuplicate(feedFailure(table, 4, 5), 5, "copy.parquet", "duplicate key (id=",
                "copy.parquet adds it while file",
                V4_ROW_FILE + " still holds it", "version 5");
    }

    @Test
    void feedRefusesAKeyAddedByTwoFilesOfOneCommit() throws IOException {
        Files.copy(table.resolve(V4_ROW_FILE), table.resolve("a.parquet"));
        Files.copy(table.resolve(V4_ROW_FILE), table.resolve("b.parquet"));
        long size = Files.size(table.resolve("a.parquet"));
        commit(5, remove(V4_ROW_FILE), add("a.parquet", size), add("b.parquet", size));
        assertDuplicate(feedFailure(table, 4, 5), 5, "b.parquet", "duplicate key (id=", "a.parquet and again by file",
                "version 5");
    }

    @Test
    void feedRefusesTwoPostImagesOfOneKey() throws IOException {
        Path cdcTable = temp.resolve("cdc");
        SharedTables.copyWithoutChecksums(SharedTables.table("simple_table_with_cdc"), cdcTable);
        // v2 is an UPDATE of id 0 read from its one cdc file; naming that file twice delivers the post-image twice.
        Path v2 = cdcTable.resolve("_delta_log").resolve(String.format("%020d.json", 2));
        List<String> lines = new ArrayList<>(Files.readAllLines(v2));
        lines.add(lines.stream().filter(l -> l.startsWith("{\"cdc\"")).findFirst().orElseThrow());
        Files.write(v2, lines);
        assertDuplicate(feedFailure(cdcTable, 1, 2), 2,
                "cdc-00000-a846ce80-2eec-484d-bef7-0e63557786ca.c000.snappy.parquet",
                "duplicate key (id=0)", "added twice by file", "version 2");
    }

    @Test
    void feedTakesARewriteOfTheSameKeysAsAnUpdate() throws IOException {
        Files.copy(table.resolve(V4_ROW_FILE), table.resolve("rewritten.parquet"));
        commit(5, remove(V4_ROW_FILE), add("rewritten.parquet", Files.size(table.resolve("rewritten.parquet"))));
        DeltaSource source = DeltaSource.open(table.toString());
        try (FeatureStore store = FeatureStore.open(temp.resolve("store"))) {
            FeatureSchema schema = DeltaFeatureSchemas.toFeatureSchema(source.schema(4), List.of("id"), 16);
            FeatureTable t = store.create("t", schema, TableOptions.DEFAULT);
            Lineage lineage = new Lineage(source.tableId(4), source.tablePath(), -1, 0);
            DeltaFeed feed = new DeltaFeed(source, schema);
            try (TestWriter w = TestWriter.open(store)) {
                w.larder().load(t, lineage, sink -> feed.bootstrap(4, sink, ScanProgress.NONE));
                assertEquals(5, w.larder().applyChanges(t, sink -> feed.applyChanges(5, 5, sink)));
            }
            assertTrue(TableParity.verify(source, t, 5).equal());
        }
    }

    @Test
    void missingDataFileNamesTheFile() throws IOException {
        Files.delete(table.resolve(V4_FILE));
        DeltaReadException e = assertThrows(DeltaReadException.class,
                () -> scanAll(DeltaSource.open(table.toString()), 4));
        assertEquals(DeltaReadException.Reason.MISSING_FILE, e.reason(), e.getMessage());
        assertEquals(4, e.version());
        assertTrue(e.file().endsWith("/" + V4_FILE), e.file());
        assertTrue(e.getMessage().contains(table.toString()), e.getMessage());
    }

    @Test
    void truncatedParquetIsCorrupt() throws IOException {
        Path f = table.resolve(V4_FILE);
        byte[] bytes = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        DeltaReadException e = assertThrows(DeltaReadException.class,
                () -> scanAll(DeltaSource.open(table.toString()), 4));
        assertEquals(DeltaReadException.Reason.CORRUPT_FILE, e.reason(), e.getMessage());
        assertTrue(e.file().endsWith("/" + V4_FILE), e.file());
    }

    @Test
    void malformedCommitJsonNamesTheCommit() throws IOException {
        commit(5, "{\"add\":{\"path\":");
        DeltaSource source = DeltaSource.open(table.toString());
        DeltaReadException e = assertThrows(DeltaReadException.class,
                () -> source.changes(5, 5, new ChangeFeedTest.Recorder()));
        assertEquals(DeltaReadException.Reason.MALFORMED_LOG, e.reason(), e.getMessage());
        assertEquals(5, e.version());
        assertTrue(e.file().endsWith("_delta_log/00000000000000000005.json"), e.file());
        DeltaReadException scan = assertThrows(DeltaReadException.class, () -> scanAll(source, 5));
        assertEquals(DeltaReadException.Reason.MALFORMED_LOG, scan.reason(), scan.getMessage());
    }

    @Test
    void unsupportedReaderFeatureIsRefused() throws IOException {
        commit(5, "{\"protocol\":{\"minReaderVersion\":3,\"minWriterVersion\":7,"
                + "\"readerFeatures\":[\"madeUpFeature\"],\"writerFeatures\":[\"madeUpFeature\"]}}");
        DeltaSource source = DeltaSource.open(table.toString());
        DeltaReadException e = assertThrows(DeltaReadException.class, source::latestVersion);
        assertEquals(DeltaReadException.Reason.UNSUPPORTED_FEATURE, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains("madeUpFeature"), e.getMessage());
        DeltaReadException feed = assertThrows(DeltaReadException.class,
                () -> source.changes(5, 5, new ChangeFeedTest.Recorder()));
        assertEquals(DeltaReadException.Reason.UNSUPPORTED_FEATURE, feed.reason(), feed.getMessage());
        assertEquals(5, feed.version());
        assertEquals(3, scanAll(source, 4).size(), "versions before the protocol change stay readable");
    }

    @Test
    void tableThatIsNotThereIsNotFound() {
        DeltaReadException e = assertThrows(DeltaReadException.class,
                () -> DeltaSource.open(temp.resolve("nothing").toString()));
        assertEquals(DeltaReadException.Reason.NOT_FOUND, e.reason(), e.getMessage());
    }
}
