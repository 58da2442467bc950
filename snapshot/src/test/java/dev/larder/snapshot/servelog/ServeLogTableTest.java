package dev.larder.snapshot.servelog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.snapshot.DeltaSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The served-feature log's Delta writer, read back through Kernel's scan. */
class ServeLogTableTest {
    private static final long DAY = 86_400_000L;
    private static final ServeLogLayout LAYOUT =
            new ServeLogLayout("v", "user_id", List.of("a.x", "b.y"), List.of("a", "b"));

    @TempDir
    Path dir;

    private ServeLogTable open(ServeLogLayout layout) {
        return ServeLogTable.open(dir.resolve("log").toString(), DeltaSource.localConfiguration(), layout);
    }

    /** Adds a row: request {@code id}, served at {@code at}, key {@code id * 10}, values {@code id} and {@code -id}. */
    private static void add(ServeLogRows rows, long id, long at) {
        int r = rows.add();
        rows.requestId[r] = id;
        rows.servedAtMillis[r] = at;
        rows.key[r] = id * 10;
        rows.values[0][r] = id + 0.5;
        rows.reasons[0][r] = ServeLogRows.FROM_DATA;
        rows.values[1][r] = -1;
        rows.reasons[1][r] = ServeLogRows.NOT_FOUND;
        rows.versions[0][r] = 3;
        rows.commitTs[0][r] = 1_000 + id;
        rows.versions[1][r] = -1;
        rows.commitTs[1][r] = ServeLogRows.UNKNOWN;
    }

    @Test
    void rowsOfTwoDaysGoToTwoDatePartitionsInOneCommit() throws Exception {
        ServeLogTable log = open(LAYOUT);
        assertEquals(0, log.version(), "created empty");
        ServeLogRows rows = new ServeLogRows(LAYOUT, 8);
        rows.tags("m", null);
        rows.sources[0] = "s3a://lake/a";
        rows.tableIds[0] = "id-a";
        long day = 20_000;
        add(rows, 1, day * DAY + DAY - 1);
        add(rows, 2, (day + 1) * DAY);
        add(rows, 3, day * DAY);
        assertEquals(1, log.append(rows));

        List<Map<String, Object>> read = new KernelLogReader(dir.resolve("log")).rows();
        assertEquals(3, read.size());
        for (Map<String, Object> row : read) {
            long id = (Long) row.get("request_id");
            assertEquals(id * 10, row.get("user_id"));
            assertEquals((int) Math.floorDiv((Long) row.get("served_at") / 1000, DAY), row.get("served_date"));
            assertEquals(id == 2 ? (int) day + 1 : (int) day, row.get("served_date"));
            assertEquals(id + 0.5, row.get("a__x"));
            assertNull(row.get("a__x__default"));
            assertEquals(-1.0, row.get("b__y"));
            assertEquals("NOT_FOUND", row.get("b__y__default"));
            assertEquals(3L, row.get("a__version"));
            assertEquals((1_000 + id) * 1000, row.get("a__commit_ts"));
            assertNull(row.get("b__version"));
            assertNull(row.get("b__commit_ts"));
            assertEquals("s3a://lake/a", row.get("a__source"));
            assertEquals("id-a", row.get("a__table_id"));
            assertNull(row.get("b__source"));
            assertEquals("v", row.get("vector"));
            assertEquals("m", row.get("model"));
            assertNull(row.get("model_version"));
        }
        try (Stream<Path> parts = Files.list(dir.resolve("log"))) {
            assertEquals(List.of("_delta_log", "served_date=2024-10-04", "served_date=2024-10-05"),
                    parts.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    /** A commit of a day's 25,000 rows is written as files side by side: every row lands once, in one commit. */
    @Test
    void aLargeCommitIsWrittenAsSeveralFilesWithEveryRowOnce() throws Exception {
        ServeLogRows rows = new ServeLogRows(LAYOUT, 25_000);
        long at = 20_000 * DAY;
        for (int i = 0; i < 25_000; i++) {
            add(rows, i, at + i);
        }
        try (ServeLogTable log = open(LAYOUT)) {
            assertEquals(1, log.append(rows));
        }
        List<Map<String, Object>> read = new KernelLogReader(dir.resolve("log")).rows();
        assertEquals(25_000, read.size());
        boolean[] seen = new boolean[25_000];
        for (Map<String, Object> row : read) {
            int id = (int) (long) (Long) row.get("request_id");
            assertTrue(!seen[id], "request " + id + " twice");
            seen[id] = true;
            assertEquals(id * 10L, row.get("user_id"));
            assertEquals(id + 0.5, row.get("a__x"));
            assertEquals((at + id) * 1000, row.get("served_at"));
        }
        try (Stream<Path> files = Files.list(dir.resolve("log").resolve("served_date=2024-10-04"))) {
            long parquet = files.filter(f -> f.getFileName().toString().endsWith(".parquet")).count();
            assertTrue(parquet >= (Runtime.getRuntime().availableProcessors() > 1 ? 2 : 1), parquet + " files");
        }
    }

    @Test
    void aReopenedLogAppendsAfterItsLastCommit() throws Exception {
        ServeLogRows rows = new ServeLogRows(LAYOUT, 4);
        add(rows, 1, System.currentTimeMillis());
        assertEquals(1, open(LAYOUT).append(rows));
        ServeLogTable again = open(LAYOUT);
        assertEquals(1, again.version());
        rows.clear();
        add(rows, 2, System.currentTimeMillis());
        assertEquals(2, again.append(rows));
        assertEquals(List.of(1L, 2L), new KernelLogReader(dir.resolve("log")).rows().stream()
                .map(r -> (Long) r.get("request_id")).sorted().toList());
    }

    @Test
    void twoWritersAppendingAtOnceLoseNothing() throws Exception {
        open(LAYOUT);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Callable<List<Long>>> writers = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                int writer = w;
                writers.add(() -> {
                    ServeLogTable log = open(LAYOUT);
                    ServeLogRows rows = new ServeLogRows(LAYOUT, 5);
                    List<Long> versions = new ArrayList<>();
                    for (int c = 0; c < 10; c++) {
                        rows.clear();
                        for (int i = 0; i < 5; i++) {
                            add(rows, writer * 1_000 + c * 10 + i, System.currentTimeMillis());
                        }
                        versions.add(log.append(rows));
                    }
                    return versions;
                });
            }
            List<Long> versions = new ArrayList<>();
            for (Future<List<Long>> f : pool.invokeAll(writers)) {
                versions.addAll(f.get());
            }
            assertEquals(20, versions.stream().distinct().count(), "each commit its own version: " + versions);
        } finally {
            pool.shutdownNow();
        }
        KernelLogReader reader = new KernelLogReader(dir.resolve("log"));
        assertEquals(20, reader.snapshot().getVersion());
        List<Long> ids = reader.rows().stream().map(r -> (Long) r.get("request_id")).sorted().toList();
        assertEquals(100, ids.size());
        assertEquals(100, ids.stream().distinct().count());
    }

    @Test
    void aLogOfOtherColumnsIsRefused() {
        open(LAYOUT);
        ServeLogLayout other = new ServeLogLayout("v", "user_id", List.of("a.x"), List.of("a"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> open(other));
        assertTrue(e.getMessage().contains("log the changed vector to another path"), e.getMessage());
    }
}
