package dev.larder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A table's read statistics count its readers' lookups by status and time one in {@code Reader.SAMPLE_EVERY}. */
class ReadStatsTest {
    @TempDir
    Path dir;

    @Test
    void lookupsAreCountedByStatusAndSampledForLatency() throws Exception {
        Schema schema = Schema.builder().keyColumn("user_id", ColumnType.INT64).column("ctr", ColumnType.FLOAT64)
                .build();
        try (Larder larder = Larder.builder(dir).push("users", schema, Duration.ZERO).open()) {
            Pusher pusher = larder.table("users").newPusher();
            pusher.row().setLong(0, 1).setDouble(1, 0.5);
            pusher.upsert(1, 1_000);
            pusher.endVersion(1, 1_000);
            larder.flush();
            assertEquals(0, larder.table("users").readStats().lookups(), "no lookup yet");

            Reader r = larder.table("users").newReader();
            int rounds = 2 * Reader.SAMPLE_EVERY;
            for (int i = 0; i < rounds; i++) {
                r.get(1L);
                r.get(2L);
                r.get(3L);
            }
            larder.table("users").newCheckedReader().get(1L);
            ReadStats s = larder.table("users").readStats();
            assertEquals(3L * rounds, s.lookups(), "the checked reader's lookup is not counted");
            assertEquals(rounds, s.lookups(ReadStatus.FOUND));
            assertEquals(2L * rounds, s.lookups(ReadStatus.NOT_FOUND));
            assertEquals(0, s.lookups(ReadStatus.EXPIRED));
            assertEquals(6, s.sampled(), "one lookup in " + Reader.SAMPLE_EVERY + " timed");
            assertTrue(s.latencyNanos(50) > 0 && s.latencyNanos(50) <= s.maxLatencyNanos(), s.toString());
            assertTrue(s.toString().startsWith("6,144 lookups; sampled latency p50 "), s.toString());
            assertThrows(IllegalArgumentException.class, () -> s.latencyNanos(101));
        }
    }
}
