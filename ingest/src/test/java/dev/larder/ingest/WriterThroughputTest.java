package dev.larder.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The throughput run the harness reports applies every update it times (its rate counts nothing else). */
class WriterThroughputTest {
    @TempDir
    Path dir;

    @Test
    void everyTimedUpdateIsApplied() throws Exception {
        WriterThroughput.Result r = WriterThroughput.run(dir, 1_000, 5_000, 1, IngestOptions.DEFAULT);
        assertEquals(5_000, r.upserts());
        assertEquals(1_000 + 5_000, r.metrics().upserts(), "the load's rows, then every timed update: " + r);
    }
}
