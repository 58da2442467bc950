package dev.larder.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A version gets one commit timestamp, whether a bootstrap or the change feed delivers it. */
class CommitTimestampTest {
    private static final Logger LOG = Logger.getLogger(DeltaSource.class.getName());

    @TempDir
    Path temp;
    final List<String> warnings = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
                synchronized (warnings) {
                    warnings.add(r.getMessage());
                }
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void listen() {
        LOG.addHandler(capture);
    }

    @AfterEach
    void stopListening() {
        LOG.removeHandler(capture);
    }

    private static Path commitFile(Path table, long version) {
        return table.resolve("_delta_log").resolve(String.format("%020d.json", version));
    }

    /** The timestamps the feed gives versions from..latest, read by a source that has seen nothing before. */
    private static List<Long> feed(Path table, long from) {
        DeltaSource source = DeltaSource.open(table.toString());
        ChangeFeedTest.Recorder rec = new ChangeFeedTest.Recorder();
        source.changes(from, source.latestVersion(), rec);
        return rec.commits.stream().map(DeltaCommit::timestampMillis).toList();
    }

    /** Per version, the timestamp a bootstrap gives it, each from a fresh source. */
    private static List<Long> bootstraps(Path table) {
        List<Long> out = new ArrayList<>();
        for (long v = 0; v <= DeltaSource.open(table.toString()).latestVersion(); v++) {
            out.add(DeltaSource.open(table.toString()).commitTimestamp(v));
        }
        return out;
    }

    /** Delta's rule over the commit files: modification time, at least 1 ms after the previous commit's. */
    private static List<Long> monotonicFileTimes(Path table, long latest) throws IOException {
        List<Long> out = new ArrayList<>();
        for (long v = 0; v <= latest; v++) {
            long raw = Files.getLastModifiedTime(commitFile(table, v)).toMillis();
            out.add(v == 0 ? raw : Math.max(raw, out.getLast() + 1));
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"simple_table", "cdf-table", "cdc_ict_table", "cdf-table-with-cdc-and-dvs"})
    void bootstrapAndFeedGiveEachVersionOneTimestamp(String name) throws IOException {
        Path table = SharedTables.table(name);
        long latest = DeltaSource.open(table.toString()).latestVersion();
        List<Long> fromFeed = feed(table, 0);
        assertEquals(bootstraps(table), fromFeed, name);
        // A feed starting part way (a follower resuming) agrees as well.
        assertEquals(fromFeed.subList((int) latest, (int) latest + 1), feed(table, latest), name);
        if (!name.equals("cdc_ict_table")) {
            assertEquals(monotonicFileTimes(table, latest), fromFeed, name);
        }
    }

    @Test
    void fileTimesGoingBackwardsAreRaisedAndReported() throws IOException {
        Path table = SharedTables.copyWithoutChecksums(SharedTables.table("simple_table"), temp.resolve("table"));
        long base = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
        for (long v = 0; v <= 4; v++) {
            // Each commit file 10 days older than the one before: a storage clock gone backwards.
            Files.setLastModifiedTime(commitFile(table, v),
                    FileTime.fromMillis(base - v * Duration.ofDays(10).toMillis()));
        }
        List<Long> expected = List.of(base, base + 1, base + 2, base + 3, base + 4);
        assertEquals(expected, bootstraps(table));
        assertEquals(expected, feed(table, 0));
        assertEquals(expected.subList(2, 5), feed(table, 2));
        String v2 = "table " + DeltaSource.open(table.toString()).tablePath()
                + ", version 2: commit file modification time "
                + Instant.ofEpochMilli(base - Duration.ofDays(20).toMillis()) + " is not after version 1's "
                + Instant.ofEpochMilli(base + 1) + "; using " + Instant.ofEpochMilli(base + 2);
        assertTrue(warnings.stream().anyMatch(w -> w.startsWith(v2)), v2 + " not in " + warnings);
    }

    @Test
    void timestampsFarAheadAreKeptAndReported() throws IOException {
        Path table = SharedTables.copyWithoutChecksums(SharedTables.table("simple_table"), temp.resolve("table"));
        long future = System.currentTimeMillis() + Duration.ofDays(3650).toMillis();
        Files.setLastModifiedTime(commitFile(table, 4), FileTime.fromMillis(future));
        assertEquals(future, DeltaSource.open(table.toString()).commitTimestamp(4));
        assertEquals(List.of(future), feed(table, 4));
        String prefix = "table " + DeltaSource.open(table.toString()).tablePath() + ", version 4: commit timestamp "
                + Instant.ofEpochMilli(future) + " is ";
        assertTrue(warnings.stream().anyMatch(w -> w.startsWith(prefix) && w.contains("ahead of this machine's clock")),
                prefix + " not in " + warnings);
    }

    @Test
    void inCommitTimestampsGoingBackwardsAreKeptAndReported() {
        // cdc_ict_table's v1 carries an in-commit timestamp three years before v0's.
        assertEquals(List.of(1783874203271L, 1683874206883L, 1783874212175L, 1783874213881L),
                feed(SharedTables.table("cdc_ict_table"), 0));
        assertTrue(warnings.stream().anyMatch(w -> w.contains("version 1: in-commit timestamp "
                + Instant.ofEpochMilli(1683874206883L) + " is not after version 0's "
                + Instant.ofEpochMilli(1783874203271L))), warnings.toString());
    }
}
