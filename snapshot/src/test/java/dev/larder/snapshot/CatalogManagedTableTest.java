package dev.larder.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The shared catalog-managed table (commits 1-2 exist only as staged commits) read with a catalog that lists them, as
 * Unity Catalog's commits API does: snapshots and the change feed equal the computed rows, and a commit the catalog
 * ratifies later is delivered once.
 */
class CatalogManagedTableTest {
    private static final String NAME = "catalog-owned-preview";

    /** A catalog that knows the staged commits up to a latest version the test moves. */
    static final class StagedCatalog implements CatalogCommits {
        final List<Commit> staged = new ArrayList<>();
        final AtomicLong latest = new AtomicLong();
        volatile RuntimeException failure;
        final AtomicLong calls = new AtomicLong();

        StagedCatalog(Path root, long latestVersion) throws IOException {
            try (Stream<Path> files = Files.list(root.resolve("_delta_log/_staged_commits"))) {
                for (Path f : files.sorted().toList()) {
                    String name = f.getFileName().toString();
                    staged.add(new Commit(Long.parseLong(name.substring(0, 20)), name, Files.size(f),
                            Files.getLastModifiedTime(f).toMillis()));
                }
            }
            latest.set(latestVersion);
        }

        @Override
        public Ratified ratified() {
            calls.incrementAndGet();
            if (failure != null) {
                throw failure;
            }
            long l = latest.get();
            return new Ratified(staged.stream().filter(c -> c.version() <= l).toList(), l);
        }

        @Override
        public String describe() {
            return "test catalog";
        }
    }

    private static List<String> computed(long version) {
        Path file = SharedTables.catalogManaged(NAME).resolveSibling("computed")
                .resolve("snapshot-v" + version + ".jsonl");
        List<String> rows = new ArrayList<>(SharedTables.lines(file));
        rows.sort(null);
        return rows;
    }

    private static List<String> scan(DeltaSource source, long version) {
        List<String> rows = new ArrayList<>();
        source.scan(version, r -> rows.add(JsonRowFormat.toJson(r)));
        rows.sort(null);
        return rows;
    }

    @Test
    void readByPathAloneIsRefusedNamingTheCatalog() {
        Path root = SharedTables.catalogManaged(NAME);
        DeltaReadException e = assertThrows(DeltaReadException.class,
                () -> DeltaSource.open(root.toString()).latestVersion());
        assertEquals(DeltaReadException.Reason.UNSUPPORTED_FEATURE, e.reason());
        assertTrue(e.getMessage().contains("catalog-managed") && e.getMessage().contains("--uc-table"), e.getMessage());
    }

    @Test
    void everyVersionAndTheChangeFeedEqualTheComputedRows() throws IOException {
        Path root = SharedTables.catalogManaged(NAME);
        DeltaSource source = DeltaSource.open(root.toString(), DeltaSource.localConfiguration(),
                new CatalogTable("test.schema.cop", "id", new StagedCatalog(root, 2)));
        assertEquals(2, source.latestVersion());
        for (long v = 0; v <= 2; v++) {
            assertEquals(computed(v), scan(source, v), "version " + v);
        }
        ChangeFeedTest.Recorder feed = new ChangeFeedTest.Recorder();
        assertEquals(2, source.changes(1, 2, feed));
        assertEquals(100, feed.json.get(1L).size());
        assertEquals(100, feed.json.get(2L).size());
        // In-commit timestamps of the staged commit files.
        assertEquals(1749830871085L, feed.commits.get(0).timestampMillis());
        assertEquals(1749830881799L, source.commitTimestamp(2));
        assertEquals(source.tableId(0), source.tableId(2));
    }

    @Test
    void aCommitRatifiedLaterIsReadOnceItIsRatified() throws IOException {
        Path root = SharedTables.catalogManaged(NAME);
        StagedCatalog catalog = new StagedCatalog(root, 1);
        DeltaSource source = DeltaSource.open(root.toString(), DeltaSource.localConfiguration(),
                new CatalogTable("test.schema.cop", "id", catalog));
        assertEquals(1, source.latestVersion());
        assertEquals(computed(1), scan(source, 1));
        assertThrows(DeltaReadException.class, () -> source.scan(2, r -> { }));

        catalog.latest.set(2);
        assertEquals(2, source.latestVersion());
        ChangeFeedTest.Recorder feed = new ChangeFeedTest.Recorder();
        assertEquals(2, source.changes(2, 2, feed));
        assertEquals(List.of(2L), List.copyOf(feed.json.keySet()));
        assertEquals(100, feed.json.get(2L).size());
    }

    /**
     * One catalog request per read, however many steps (version check, snapshot, commit range, timestamps) it takes.
     */
    @Test
    void eachReadAsksTheCatalogOnce() throws IOException {
        Path root = SharedTables.catalogManaged(NAME);
        StagedCatalog catalog = new StagedCatalog(root, 2);
        DeltaSource source = DeltaSource.open(root.toString(), DeltaSource.localConfiguration(),
                new CatalogTable("test.schema.cop", "id", catalog));
        long before = catalog.calls.get();
        source.scan(2, r -> { });
        assertEquals(before + 1, catalog.calls.get(), "scan");
        source.commitTimestamp(2);
        assertEquals(before + 2, catalog.calls.get(), "commitTimestamp");
        source.changes(1, 2, new ChangeFeedTest.Recorder());
        assertEquals(before + 3, catalog.calls.get(), "changes");
    }

    @Test
    void aCatalogThatCannotAnswerIsNamed() throws IOException {
        Path root = SharedTables.catalogManaged(NAME);
        StagedCatalog catalog = new StagedCatalog(root, 2);
        DeltaSource source = DeltaSource.open(root.toString(), DeltaSource.localConfiguration(),
                new CatalogTable("test.schema.cop", "id", catalog));
        catalog.failure = new IllegalStateException(
                "HTTP 503 from http://127.0.0.1:1/api/2.1/unity-catalog/delta/preview/commits");
        DeltaReadException e = assertThrows(DeltaReadException.class, source::latestVersion);
        assertTrue(e.getMessage().contains("test catalog") && e.getMessage().contains("HTTP 503"), e.getMessage());
        catalog.failure = null;
        assertEquals(2, source.latestVersion());
    }
}
