package dev.larder.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A table missing one of its files is reported as damaged, naming the file, never as a bare I/O error or not at all.
 */
class MissingFilesTest {
    @TempDir
    Path dir;

    private Path tableWithOneRow(String name) {
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTableTest.put(store.create(name, FeatureTableTest.SCHEMA, TableOptions.DEFAULT), 1, 1.0, 1);
        }
        return dir.resolve(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"state.dat", "rows.dat", "heap.dat"})
    void aMissingDataFileIsDamageNamingTheFile(String file) throws Exception {
        Path missing = tableWithOneRow("t").resolve(file);
        Files.delete(missing);
        try (FeatureStore store = FeatureStore.open(dir)) {
            StoreCorruptedException e = assertThrows(StoreCorruptedException.class, () -> store.table("t"));
            assertEquals(missing, e.file());
            assertTrue(e.getMessage().contains("missing"), e.getMessage());
        }
    }

    @Test
    void aTableWhoseMetadataIsMissingIsListedAndReportedAsDamaged() throws Exception {
        tableWithOneRow("gone");
        tableWithOneRow("fine");
        Path metadata = dir.resolve("gone").resolve(TableMetadata.FILE);
        Files.delete(metadata);
        Files.createDirectory(dir.resolve("not-a-table"));
        try (FeatureStore store = FeatureStore.open(dir)) {
            assertEquals(List.of("fine"), store.tableNames());
            assertEquals(List.of("gone"), store.damagedTableNames());
            StoreCorruptedException e = assertThrows(StoreCorruptedException.class, () -> store.table("gone"));
            assertEquals(metadata, e.file());
            assertTrue(e.getMessage().contains("missing"), e.getMessage());
            StoreException none = assertThrows(StoreException.class, () -> store.table("not-a-table"));
            assertTrue(!(none instanceof StoreCorruptedException) && none.getMessage().contains("no table not-a-table"),
                    none.getMessage());
        }
    }
}
