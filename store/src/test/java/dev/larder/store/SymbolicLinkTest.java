package dev.larder.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A symbolic link planted in a store directory never redirects a read or a write of Larder's files. */
class SymbolicLinkTest {
    @TempDir
    Path dir;

    private Path tableWithOneRow() {
        try (FeatureStore store = FeatureStore.open(dir.resolve("store"))) {
            FeatureTableTest.put(store.create("t", FeatureTableTest.SCHEMA, TableOptions.DEFAULT), 1, 1.0, 1);
        }
        return dir.resolve("store/t");
    }

    /** Moves {@code name} out of the table directory and leaves a link to it in its place. */
    private Path replaceWithLink(Path table, String name) throws Exception {
        Path elsewhere = Files.move(table.resolve(name), dir.resolve(name));
        return Files.createSymbolicLink(table.resolve(name), elsewhere);
    }

    @Test
    void aDataFileThatIsALinkIsRefusedNamingIt() throws Exception {
        Path table = tableWithOneRow();
        Path link = replaceWithLink(table, "rows.dat");
        try (FeatureStore store = FeatureStore.open(dir.resolve("store"))) {
            StoreCorruptedException e = assertThrows(StoreCorruptedException.class, () -> store.table("t"));
            assertEquals(link, e.file());
            assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
        }
    }

    @Test
    void aMetadataFileThatIsALinkIsRefusedNamingIt() throws Exception {
        Path table = tableWithOneRow();
        Path link = replaceWithLink(table, TableMetadata.FILE);
        try (FeatureStore store = FeatureStore.open(dir.resolve("store"))) {
            StoreCorruptedException e = assertThrows(StoreCorruptedException.class, () -> store.table("t"));
            assertEquals(link, e.file());
            assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
        }
    }

    @Test
    void replacingAFileNeverWritesThroughLinksAtItsTemporaryOrFinalName() throws Exception {
        Path victim = Files.writeString(dir.resolve("victim"), "precious");
        Path other = Files.writeString(dir.resolve("other"), "also precious");
        Path target = dir.resolve("status.txt");
        Files.createSymbolicLink(dir.resolve("status.txt.tmp"), victim);
        Files.createSymbolicLink(target, other);

        StoreFiles.replaceAtomically(target, "new".getBytes(StandardCharsets.UTF_8));

        assertEquals("precious", Files.readString(victim));
        assertEquals("also precious", Files.readString(other));
        assertFalse(Files.isSymbolicLink(target));
        assertEquals("new", Files.readString(target));
        assertEquals("rw-------",
                PosixFilePermissions.toString(Files.getPosixFilePermissions(target, LinkOption.NOFOLLOW_LINKS)));
        assertFalse(Files.exists(dir.resolve("status.txt.tmp"), LinkOption.NOFOLLOW_LINKS));
    }
}
