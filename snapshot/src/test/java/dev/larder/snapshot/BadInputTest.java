package dev.larder.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damaged copies of simple_table (in a temp dir, never in the repo) must fail with a precise error. */
class BadInputTest {
    /** The only file added by simple_table's v4; the v4 snapshot is v3's files minus two removes plus it. */
    private static final String V4_FILE = "part-00000-2befed33-c358-4768-a43c-3eda0d2a499d-c000.snappy.parquet";

    @TempDir
    Path temp;
    Path table;

    @BeforeEach
    void copyTable() throws IOException {
        table = temp.resolve("table");
        copy(SharedTables.table("simple_table"), table);
    }

    private static void copy(Path source, Path table) throws IOException {
        try (Stream<Path> files = Files.walk(source)) {
            for (Path p : files.toList()) {
                if (!p.getFileName().toString().endsWith(".crc")) {
                    Path target = table.resolve(source.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(target);
                    } else {
                        Files.copy(p, target);
                    }
                }
            }
        }
    }

    private void commit(long version, String... actions) throws IOException {
        Files.writeString(table.resolve("_delta_log").resolve(String.format("%020d.json", version)),
                String.join("\n", actions) + "\n", StandardCharsets.UTF_8);
    }

    private static String add(String path) {
        return "{\"add\":{\"path\":\"" + path + "\",\"partitionValues\":{},\"size\":262,"
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
        assertRefusedAsSymlinkEscape(assertThrows(DeltaReadException.class, () -> scanAll(source, 5)), "sub/part.parquet", 5);
        assertRefusedAsSymlinkEscape(assertThrows(DeltaReadException.class,
                () -> source.changes(5, 5, new ChangeFeedTest.Recorder())), "sub/part.parquet", 5);
    }

    @Test
    void deletionVectorLinkedOutsideTheRootIsRefusedUnread() throws IOException {
        Path dvTable = temp.resolve("dv");
        copy(SharedTables.table("table-with-dv-small"), dvTable);
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
