package dev.larder.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.tools.generate.DeltaTableGenerator;
import dev.larder.tools.generate.GeneratorSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshots and change feeds read through the flat-column parquet fast path equal what the same source reads with the
 * fast path switched off (every file through Kernel), on generated tables that take the fast path and on every shared
 * table at every version.
 */
class FastPathParityTest {

    @Test
    void generatedNumericTableReadsTheSameThroughBothPaths(@TempDir Path dir) throws IOException {
        Path table = dir.resolve("t");
        DeltaTableGenerator.generate(GeneratorSpec.builder().rows(6_000).numericFeatures(6).float32Features(2)
                .stringFeatures(0).commits(3).updatesPerCommit(50).deletesPerCommit(20).insertsPerCommit(30)
                .rowsPerFile(1_000).seed(11).build(), table);
        DeltaSource fast = DeltaSource.open(table.toString());
        DeltaSource kernel = kernelOnly(table);
        assertSameReads(fast, kernel);
        assertTrue(fast.reader().fastFiles.sum() > 6, "files through the fast path: " + fast.reader().fastFiles.sum());
        assertEquals(0, fast.reader().kernelFiles.sum(), "a numeric table never needs Kernel's reader");
        assertEquals(0, kernel.reader().fastFiles.sum());
    }

    @Test
    void everySharedTableReadsTheSameThroughBothPaths() {
        long fastFiles = 0;
        for (String name : SharedTables.names()) {
            Path table = SharedTables.table(name);
            DeltaSource fast;
            try {
                fast = DeltaSource.open(table.toString());
            } catch (DeltaReadException e) {
                continue;
            }
            assertSameReads(fast, kernelOnly(table));
            fastFiles += fast.reader().fastFiles.sum();
        }
        assertTrue(fastFiles > 0, "some shared table has files of flat primitive columns");
    }

    private static DeltaSource kernelOnly(Path table) {
        Configuration conf = DeltaSource.localConfiguration();
        conf.setBoolean(FileRowReader.FAST_PATH_KEY, false);
        return DeltaSource.open(table.toString(), conf);
    }

    private static void assertSameReads(DeltaSource fast, DeltaSource kernel) {
        long latest;
        try {
            latest = kernel.latestVersion();
        } catch (DeltaReadException e) {
            return;
        }
        for (long v = 0; v <= latest; v++) {
            assertEquals(read(kernel, v), read(fast, v), fast.tablePath() + " snapshot at version " + v);
        }
        if (latest > 0) {
            assertEquals(changes(kernel, latest), changes(fast, latest), fast.tablePath() + " change feed");
        }
    }

    /** Sorted rows, or the failure's reason when the version cannot be read (it must fail the same way both ways). */
    private static List<String> read(DeltaSource s, long version) {
        List<String> out = new ArrayList<>();
        try {
            s.scan(version, r -> out.add(JsonRowFormat.toJson(r)));
        } catch (DeltaReadException e) {
            return List.of("failed: " + e.reason());
        }
        out.sort(null);
        return out;
    }

    private static List<String> changes(DeltaSource s, long latest) {
        List<String> out = new ArrayList<>();
        try {
            s.changes(1, latest, new ChangeConsumer() {
                @Override
                public boolean beginCommit(DeltaCommit commit) {
                    out.add("commit " + commit.version());
                    return true;
                }

                @Override
                public void change(ChangeKind kind, DeltaRow row) {
                    out.add(kind + " " + JsonRowFormat.toJson(row));
                }

                @Override
                public void endCommit(DeltaCommit commit) {
                }
            });
        } catch (DeltaReadException e) {
            out.add("failed: " + e.reason());
        }
        return out;
    }
}
