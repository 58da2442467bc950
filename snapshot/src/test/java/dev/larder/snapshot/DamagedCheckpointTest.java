package dev.larder.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A damaged checkpoint (in a temp copy of a real table) fails with an error naming the checkpoint file and its version.
 */
class DamagedCheckpointTest {
    private static final String CHECKPOINT = "00000000000000000010.checkpoint.parquet";

    @TempDir
    Path temp;
    Path table;

    @BeforeEach
    void copyTable() throws IOException {
        Path source = SharedTables.table("basic-with-inserts-deletes-checkpoint");
        table = temp.resolve("table");
        SharedTables.copyWithoutChecksums(source, table);
    }

    @Test
    void aTruncatedCheckpointNamesItsFileAndVersion() throws IOException {
        Path checkpoint = table.resolve("_delta_log").resolve(CHECKPOINT);
        byte[] bytes = Files.readAllBytes(checkpoint);
        Files.write(checkpoint, Arrays.copyOf(bytes, bytes.length / 2));
        DeltaSource source = DeltaSource.open(table.toString());
        DeltaReadException e = assertThrows(DeltaReadException.class, source::latestVersion);
        assertEquals(DeltaReadException.Reason.MALFORMED_LOG, e.reason(), e.getMessage());
        assertEquals(10, e.version(), e.getMessage());
        assertTrue(e.file() != null && e.file().endsWith("_delta_log/" + CHECKPOINT), e.getMessage());
        assertTrue(e.getMessage().contains("checkpoint of version 10") && !e.getMessage().contains("ParquetIOUtils"),
                e.getMessage());

        DeltaReadException scan = assertThrows(DeltaReadException.class, () -> source.scan(12, row -> { }));
        assertEquals(10, scan.version(), scan.getMessage());
        assertTrue(scan.file().endsWith("_delta_log/" + CHECKPOINT), scan.getMessage());
        Path expected = SharedTables.root().resolve("basic-with-inserts-deletes-checkpoint/computed/snapshot-v9.jsonl");
        assertEquals(SharedTables.lines(expected).size(), source.scan(9, row -> { }),
                "versions before the checkpoint stay readable");
    }
}
