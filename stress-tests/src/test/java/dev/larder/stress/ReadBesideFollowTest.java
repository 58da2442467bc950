package dev.larder.stress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.stress.CliFaultTest.Cli;
import dev.larder.tools.generate.DeltaTableGenerator;
import dev.larder.tools.generate.GeneratorSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands that only read ({@code get}, {@code dump}, {@code stats}), each a child JVM, run while a {@code follow}
 * child process holds the table: they open the store read-only, answer, and show the version the follower published.
 */
class ReadBesideFollowTest {
    @TempDir
    Path dir;

    @Test
    void getDumpAndStatsAnswerWhileFollowRunsAndShowItsWatermark() throws Exception {
        GeneratorSpec spec = GeneratorSpec.builder().rows(5_000).numericFeatures(4).stringFeatures(1).commits(0)
                .updatesPerCommit(200).deletesPerCommit(0).insertsPerCommit(100).rowsPerFile(5_000).seed(18).build();
        Path delta = dir.resolve("delta");
        Path store = dir.resolve("store");
        DeltaTableGenerator.generate(spec, delta);
        Cli follow = Cli.start(0, "follow", "--delta", delta.toString(), "--key", GeneratorSpec.KEY_COLUMN, "--store",
                store.toString(), "--table", "t", "--poll", "100ms", "--status-every", "200ms");
        try {
            follow.await(Pattern.compile("FOLLOWING: watermark v0 "), 120);
            DeltaTableGenerator.appendCommit(delta);
            DeltaTableGenerator.appendCommit(delta);
            follow.await(Pattern.compile("FOLLOWING: watermark v2 "), 120);
            awaitStatsFile(store, "t [t] FOLLOWING: watermark v2 ");

            Cli get = Cli.start(0, "get", "--store", store.toString(), "--table", "t", "5");
            assertEquals(0, get.waitFor(120), get.output());
            assertTrue(get.output().contains("status: FOUND"), get.output());
            assertTrue(get.output().contains(" version=2 "), "the follower's watermark: " + get.output());

            Cli stats = Cli.start(0, "stats", "--store", store.toString());
            assertEquals(0, stats.waitFor(120), stats.output());
            Matcher m = Pattern.compile("(?m)^t: ([\\d,]+) rows, watermark v2 ").matcher(stats.output());
            assertTrue(m.find(), stats.output());
            long rows = Long.parseLong(m.group(1).replace(",", ""));
            assertEquals(5_200, rows, stats.output());
            // The live section: the follower's own status of t (its state and watermark) and its ingest metrics.
            String live = stats.output().substring(stats.output().indexOf("live status from the follow process ("));
            assertTrue(live.contains("\n  t [t] FOLLOWING: watermark v2 ") && live.contains(", HEALTHY"),
                    "the running follow's live status: " + stats.output());
            assertTrue(live.contains("\n  ingest: "), "the running follow's ingest metrics: " + stats.output());

            Cli dump = Cli.start(0, "dump", "--store", store.toString(), "--table", "t");
            assertEquals(0, dump.waitFor(120), dump.output());
            assertEquals(rows, dump.output().lines().filter(l -> l.startsWith("{")).count());

            for (Cli c : new Cli[] {get, stats, dump}) {
                assertFalse(c.output().contains("already open"), c.output());
            }
            assertTrue(follow.alive(), follow.output());
        } finally {
            follow.terminate();
        }
        // The readers wrote nothing the follower did not: the table still equals its Delta table.
        Cli verify = Cli.start(0, "verify", "--store", store.toString(), "--table", "t");
        assertEquals(0, verify.waitFor(300), verify.output());
        assertTrue(verify.output().contains("OK: t equals"), verify.output());
    }

    /**
     * Waits until the follower's stats file says {@code text}: it rewrites the file just after printing its status, so
     * a status line on its output does not yet mean the file holds it.
     */
    private static void awaitStatsFile(Path store, String text) throws Exception {
        Path file = store.resolve("larder-stats.txt");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.exists(file) || !Files.readString(file).contains(text)) {
            assertTrue(System.nanoTime() < deadline, file + " never said " + text);
            Thread.sleep(50);
        }
    }

    /**
     * Dumps run one after another while the follower applies commits that grow rows.dat and switch index files under
     * them: each answers (never a bare exception) with every row of one published layout; no key is deleted, so a dump
     * never has fewer rows than the bootstrap nor a key twice.
     */
    @Test
    void dumpsWhileFollowAppliesCommitsThatOutgrowTheirMappingMissNoRow() throws Exception {
        GeneratorSpec spec = GeneratorSpec.builder().rows(5_000).numericFeatures(4).stringFeatures(1).commits(0)
                .updatesPerCommit(200).deletesPerCommit(0).insertsPerCommit(100).rowsPerFile(5_000).seed(19).build();
        Path delta = dir.resolve("delta");
        Path store = dir.resolve("store");
        DeltaTableGenerator.generate(spec, delta);
        Cli follow = Cli.start(0, "follow", "--delta", delta.toString(), "--key", GeneratorSpec.KEY_COLUMN, "--store",
                store.toString(), "--table", "t", "--poll", "50ms", "--status-every", "200ms");
        int commits = 35;
        try {
            follow.await(Pattern.compile("FOLLOWING: watermark v0 "), 120);
            // 3,500 inserts take the table past 8,192 rows: rows.dat grows and the index is rebuilt meanwhile.
            CompletableFuture<Void> appending = CompletableFuture.runAsync(() -> {
                try {
                    for (int c = 0; c < commits; c++) {
                        DeltaTableGenerator.appendCommit(delta);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            int dumps = 0;
            do {
                assertDumpIsWhole(store, 5_000, 5_000 + 100 * commits);
                dumps++;
            } while (!appending.isDone());
            appending.join();
            follow.await(Pattern.compile("FOLLOWING: watermark v" + commits + " "), 300);
            assertEquals(5_000 + 100 * commits, assertDumpIsWhole(store, 5_000, 5_000 + 100 * commits),
                    "after " + dumps + " dumps beside the commits");
            assertTrue(follow.alive(), follow.output());
        } finally {
            follow.terminate();
        }
    }

    /** Runs {@code dump}; asserts it answered with distinct keys, between {@code min} and {@code max} rows. */
    private static long assertDumpIsWhole(Path store, long min, long max) throws Exception {
        Cli dump = Cli.start(0, "dump", "--store", store.toString(), "--table", "t");
        assertEquals(0, dump.waitFor(120), dump.output());
        assertFalse(dump.output().contains("Exception"), dump.output());
        List<String> rows = dump.output().lines().filter(l -> l.startsWith("{")).toList();
        Pattern key = Pattern.compile("\"" + GeneratorSpec.KEY_COLUMN + "\":\\s*(-?\\d+)");
        Set<String> keys = new HashSet<>();
        for (String row : rows) {
            Matcher m = key.matcher(row);
            assertTrue(m.find(), row);
            assertTrue(keys.add(m.group(1)), "key " + m.group(1) + " twice in one dump");
        }
        assertTrue(rows.size() >= min && rows.size() <= max, rows.size() + " rows");
        return rows.size();
    }
}
