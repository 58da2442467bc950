package dev.larder.jmh.harness;

import dev.larder.ingest.ApplyLag;
import dev.larder.ingest.FollowOptions;
import dev.larder.ingest.Follower;
import dev.larder.ingest.IngestOptions;
import dev.larder.ingest.LarderEngine;
import dev.larder.ingest.TableHandle;
import dev.larder.snapshot.DeltaChangeSource;
import dev.larder.snapshot.DeltaSource;
import dev.larder.snapshot.ScanProgress;
import dev.larder.tools.generate.CommitSummary;
import dev.larder.tools.generate.DeltaTableGenerator;
import dev.larder.tools.generate.GeneratorSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * The apply lag of a followed Delta table's commits, with Change Data Feed (each commit read from its
 * {@code _change_data} files) and without (each commit a rewrite of whole files): generates a table of {@code rows}
 * entities per mode under {@code dir} (reused by later runs of the same size), follows it with the default poll
 * interval, appends {@code commits} commits of 4,000 updates, 500 deletes and 500 inserts one after the other, and
 * prints for each the time from its commit file landing in the log to its version being visible to a reader
 * (observed every millisecond by the thread that committed, before the generator's post-commit work, which Databricks
 * does elsewhere and which would otherwise compete with the follower for this machine's cores), with the follower's
 * {@link ApplyLag} breakdown.
 *
 * <p>Usage: {@code java --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -cp
 * jmh/target/benchmarks.jar dev.larder.jmh.harness.FollowLag ROWS COMMITS DIR}.
 */
public final class FollowLag {
    private static final int UPDATES = 4_000;
    private static final int DELETES = 500;
    private static final int INSERTS = 500;

    private FollowLag() {
    }

    /** Arguments: rows commits dir. */
    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            throw new IllegalArgumentException("usage: FollowLag ROWS COMMITS DIR");
        }
        long rows = Long.parseLong(args[0]);
        int commits = Integer.parseInt(args[1]);
        Path dir = Path.of(args[2]).toAbsolutePath();
        System.out.printf(Locale.ROOT, "load average before: %s%n", HarnessWorker.loadAverage());
        for (boolean cdf : List.of(true, false)) {
            Path delta = table(dir, rows, cdf);
            Path store = Files.createTempDirectory(dir, "store");
            try {
                run(delta, store, commits, cdf);
            } finally {
                HarnessWorker.deleteTree(store);
            }
        }
        System.out.printf(Locale.ROOT, "load average after: %s%n", HarnessWorker.loadAverage());
    }

    private static Path table(Path dir, long rows, boolean cdf) throws IOException {
        Path table = dir.resolve("follow-lag-" + (cdf ? "cdf-" : "rewrite-") + rows);
        if (!Files.isDirectory(table.resolve("_delta_log"))) {
            Files.createDirectories(dir);
            Path partial = Files.createTempDirectory(dir, table.getFileName() + ".partial");
            GeneratorSpec spec = GeneratorSpec.builder().rows(rows).commits(0).updatesPerCommit(UPDATES)
                    .deletesPerCommit(DELETES).insertsPerCommit(INSERTS).changeDataFeed(cdf).build();
            DeltaTableGenerator.generate(spec, partial);
            Files.move(partial, table);
        }
        return table;
    }

    private static void run(Path delta, Path storeDir, int commits, boolean cdf) throws Exception {
        String mode = cdf ? "CDF commit" : "rewritten-file commit";
        try (LarderEngine larder = LarderEngine.open(storeDir, IngestOptions.DEFAULT.withJmx(false))) {
            long t0 = System.nanoTime();
            Follower f = larder.follow("t", new DeltaChangeSource(DeltaSource.open(delta.toString()),
                    List.of(GeneratorSpec.KEY_COLUMN), 16, ScanProgress.NONE), FollowOptions.DEFAULT);
            awaitVersion(f.handle(), DeltaSource.open(delta.toString()).latestVersion());
            System.out.printf(Locale.ROOT, "%s: bootstrapped %,d rows in %.1f s (%s)%n", mode,
                    f.handle().table().size(), (System.nanoTime() - t0) / 1e9, delta);
            double[] lags = new double[commits];
            for (int c = 0; c < commits; c++) {
                long expected = f.handle().lineage().version() + 1;
                long[] seen = new long[1];
                CommitSummary s = DeltaTableGenerator.appendCommit(delta,
                        () -> seen[0] = awaitVersion(f.handle(), expected));
                long visible = seen[0];
                ApplyLag a = awaitLag(f, s.version());
                System.out.printf(Locale.ROOT, "%s v%d (%,d updated, %,d deleted, %,d inserted; %d files removed, "
                                + "%d change files): visible %.1f ms after its commit file landed; follower: %s%n",
                        mode,
                        s.version(), s.updated(), s.deleted(), s.inserted(), s.filesRemoved(), s.changeFilesAdded(),
                        (visible - s.landedNanos()) / 1e6, a);
                lags[c] = (visible - s.landedNanos()) / 1e6;
            }
            if (commits > 0) {
                Arrays.sort(lags);
                System.out.printf(Locale.ROOT, "%s: landed to visible over %d commits: min %.1f ms, median %.1f ms, "
                        + "max %.1f ms%n", mode, commits, lags[0], lags[commits / 2], lags[commits - 1]);
            }
        }
    }

    /**
     * Waits for {@code version} to be visible; returns {@link System#nanoTime()} when it was seen. Called when the
     * commit file has landed and before the generator's post-commit work, which would otherwise compete with the
     * follower.
     */
    private static long awaitVersion(TableHandle h, long version) {
        long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
        while (h.lineage().version() < version) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("version " + version + " not visible after 30 minutes");
            }
            LockSupport.parkNanos(1_000_000);
        }
        return System.nanoTime();
    }

    /** The follower records a poll's breakdown just after its versions become visible. */
    private static ApplyLag awaitLag(Follower f, long version) throws InterruptedException {
        while (true) {
            ApplyLag a = f.status().lastApply();
            if (a != null && a.version() >= version) {
                return a;
            }
            Thread.sleep(1);
        }
    }
}
