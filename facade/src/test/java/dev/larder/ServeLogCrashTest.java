package dev.larder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.snapshot.servelog.KernelLogReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 while logging: the log reopens as a valid Delta table holding every committed vector intact, and logging
 * resumes into it.
 */
class ServeLogCrashTest {
    @TempDir
    Path dir;

    @Test
    void aKilledLoggerLeavesAValidLogThatLoggingResumes() throws Exception {
        Path store = dir.resolve("store");
        Path log = dir.resolve("log");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(java.toString(), "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                ServeLogChild.class.getName(), store.toString(), log.toString(), "0")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            // Killed once it has committed a few times, so that it dies between, or in the middle of, commits.
            Path fifth = log.resolve("_delta_log").resolve(String.format("%020d.json", 5));
            while (!Files.exists(fifth)) {
                assertTrue(child.isAlive(), "the child exited with " + (child.isAlive() ? 0 : child.exitValue()));
                Thread.sleep(5);
            }
        } finally {
            child.destroyForcibly();
            assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the killed child did not exit");
        }
        assertEquals(137, child.exitValue(), "killed by SIGKILL");

        KernelLogReader reader = new KernelLogReader(log);
        long versionAfterKill = reader.snapshot().getVersion();
        assertTrue(versionAfterKill >= 5, "version " + versionAfterKill);
        List<Map<String, Object>> committed = reader.rows();
        Set<Long> ids = checkRows(committed);
        // Five commits at least, each of one vector or more, every one readable and whole.
        assertTrue(committed.size() >= 5, committed.size() + " rows");

        try (Larder larder = ServeLogChild.open(store, log)) {
            Vector.Filler filler = larder.vector("v").newFiller();
            double[] out = new double[1];
            for (long id = 1_000_000_000L; id < 1_000_000_050L; id++) {
                filler.requestId(id).fill(id % 10, out, null);
            }
            larder.vector("v").flushLog();
            assertTrue(larder.vector("v").logStats().lastVersion() > versionAfterKill);
        }
        List<Map<String, Object>> resumed = new KernelLogReader(log).rows();
        Set<Long> all = checkRows(resumed);
        assertEquals(committed.size() + 50, resumed.size());
        assertTrue(all.containsAll(ids), "a committed vector went missing");
        for (long id = 1_000_000_000L; id < 1_000_000_050L; id++) {
            assertTrue(all.contains(id), "resumed vector " + id);
        }
    }

    /** Checks every row is a vector the child served as it served it, once; returns the request ids. */
    private static Set<Long> checkRows(List<Map<String, Object>> rows) {
        Set<Long> ids = new TreeSet<>();
        for (Map<String, Object> row : rows) {
            long id = (Long) row.get("request_id");
            assertTrue(ids.add(id), "request " + id + " logged twice");
            long key = id % 10;
            assertEquals(key, row.get("id"), "request " + id);
            assertEquals(key < 8 ? key / 2.0 : -1.0, row.get("t__x"), "request " + id);
            assertEquals(key < 8 ? null : "NOT_FOUND", row.get("t__x__default"), "request " + id);
            assertEquals(key < 8 ? 1L : null, row.get("t__version"), "request " + id);
        }
        return ids;
    }
}
