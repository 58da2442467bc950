package dev.larder.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.larder.tools.generate.DeltaTableGenerator;
import dev.larder.tools.generate.GeneratorSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@link DeltaSource} reuses the snapshot it loaded last only while the log still holds that commit file: a commit
 * after it, and a table deleted and written again at the same path, are read as they are, not from the reused one.
 */
class SnapshotReuseTest {
    @TempDir
    Path dir;

    private static GeneratorSpec spec(int commits, long seed) {
        return GeneratorSpec.builder().rows(2_000).numericFeatures(2).float32Features(0).stringFeatures(0)
                .commits(commits).updatesPerCommit(50).deletesPerCommit(5).insertsPerCommit(10).rowsPerFile(1_000)
                .seed(seed).build();
    }

    private static long rows(DeltaSource src, long version) {
        return src.scan(version, row -> { });
    }

    private static void delete(Path p) throws IOException {
        try (Stream<Path> files = Files.walk(p)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    @Test
    void aRecreatedTableAndANewerCommitAreReadAsTheyAre() throws IOException {
        Path table = dir.resolve("t");
        DeltaTableGenerator.generate(spec(0, 1), table);
        DeltaSource src = DeltaSource.open(table.toString());
        String first = src.tableId(0);
        assertEquals(0, src.latestVersion());
        assertEquals(2_000, rows(src, 0));
        assertEquals(first, src.tableId(0), "the same version, read again");

        delete(table);
        DeltaTableGenerator.generate(spec(2, 2), table);
        String second = DeltaSource.open(table.toString()).tableId(0);
        assertNotEquals(first, second, "precondition: the generator gives each table an id of its own");
        assertEquals(second, src.tableId(0), "version 0 of the table written again at the same path");
        assertEquals(2, src.latestVersion(), "the commits after the snapshot loaded last");
        assertEquals(DeltaSource.open(table.toString()).scan(2, row -> { }), rows(src, 2));
        assertEquals(2_000, rows(src, 0));
    }
}
