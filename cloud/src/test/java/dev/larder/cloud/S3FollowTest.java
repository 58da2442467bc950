package dev.larder.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.ingest.FollowOptions;
import dev.larder.ingest.Follower;
import dev.larder.ingest.IngestOptions;
import dev.larder.ingest.LarderEngine;
import dev.larder.ingest.TableStatus;
import dev.larder.snapshot.DeltaChangeSource;
import dev.larder.snapshot.DeltaSource;
import dev.larder.snapshot.ScanProgress;
import dev.larder.snapshot.TableParity;
import dev.larder.tools.generate.DeltaTableGenerator;
import dev.larder.tools.generate.GeneratorSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Following a generated Delta table on S3 (S3Proxy) through s3a while commits are uploaded, and while the server goes
 * away and comes back. Each test has its own bucket: Hadoop caches one s3a client per bucket in the JVM.
 */
class S3FollowTest {
    @TempDir
    Path dir;

    /** A generated table in {@code dir/delta}, uploaded as {@code s3a://bucket/users}; tracks what was uploaded. */
    static final class Table {
        final LocalS3 s3;
        final String bucket;
        final Path local;
        final Set<String> uploaded = new HashSet<>();

        Table(LocalS3 s3, String bucket, Path local) throws Exception {
            this.s3 = s3;
            this.bucket = bucket;
            this.local = local;
            DeltaTableGenerator.generate(GeneratorSpec.builder().rows(4000).numericFeatures(3).float32Features(1)
                    .stringFeatures(1)
                    .commits(2).rowsPerFile(1000).build(), local);
            s3.createBucket(bucket);
            upload();
        }

        /** Uploads what changed since the last upload: new files, and {@code _last_checkpoint} (rewritten in place). */
        void upload() {
            Set<String> skip = new HashSet<>(uploaded);
            skip.remove("_delta_log/_last_checkpoint");
            uploaded.addAll(s3.uploadTable(local, bucket, "users", skip));
        }

        DeltaSource open() {
            return DeltaSource.open("s3a://" + bucket + "/users", CloudSettings.hadoopSettings(s3.hadoopSettings()));
        }
    }

    static Follower follow(LarderEngine larder, DeltaSource src) {
        return larder.follow("users",
                new DeltaChangeSource(src, List.of(GeneratorSpec.KEY_COLUMN), 32, ScanProgress.NONE),
                FollowOptions.DEFAULT.withPollInterval(Duration.ofMillis(50))
                        .withRetry(Duration.ofMillis(100), Duration.ofSeconds(1)));
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "never happened: " + what);
            Thread.sleep(20);
        }
    }

    @Test
    void followPicksUpCommitsUploadedWhileItRuns() throws Exception {
        try (LocalS3 s3 = LocalS3.start(dir.resolve("s3"))) {
            Table table = new Table(s3, "follow-uploads", dir.resolve("delta"));
            DeltaSource src = table.open();
            try (LarderEngine larder = LarderEngine.open(dir.resolve("store"), IngestOptions.DEFAULT)) {
                Follower f = follow(larder, src);
                await("bootstrap to v2", () -> f.handle().lineage().version() == 2);
                for (int v = 3; v <= 4; v++) {
                    DeltaTableGenerator.appendCommit(table.local);
                    table.upload();
                    long version = v;
                    await("watermark v" + v, () -> f.handle().lineage().version() == version);
                }
                assertEquals("users", f.handle().table().name(), "followed in place, no new generation");
                assertEquals("s3a://follow-uploads/users", f.handle().lineage().sourcePath());
                TableParity.Result r = TableParity.verify(src, f.handle().table(), 5);
                assertTrue(r.equal(), r.toString());
                assertEquals(TableParity.dump(f.handle().table()).size(), r.deltaRows());
                assertTrue(TableParity.verify(DeltaSource.open(table.local.toString()), f.handle().table(), 5).equal());
            }
        }
    }

    /**
     * The S3 server stops mid-follow: the feed fails with an error naming the unreachable storage (not a missing file,
     * which would rebuild the table), reads stay on the last good version, and once the server is back the feed retries
     * and catches up with what was committed meanwhile.
     */
    @Test
    void serverStoppedMidFollowKeepsServingAndCatchesUpWhenItReturns() throws Exception {
        try (LocalS3 s3 = LocalS3.start(dir.resolve("s3"))) {
            Table table = new Table(s3, "follow-outage", dir.resolve("delta"));
            DeltaSource src = table.open();
            try (LarderEngine larder = LarderEngine.open(dir.resolve("store"), IngestOptions.DEFAULT)) {
                Follower f = follow(larder, src);
                await("bootstrap to v2", () -> f.handle().lineage().version() == 2);
                List<String> atV2 = TableParity.dump(f.handle().table());

                s3.stop();
                await("feed failing", () -> f.status().state() == TableStatus.State.FAILING
                        && f.status().consecutiveFailures() >= 2);
                TableStatus failing = f.status();
                assertTrue(failing.lastError().contains("the storage cannot be reached")
                        && failing.lastError().contains("s3a://follow-outage/users"), failing.lastError());
                assertEquals(2, f.handle().lineage().version());
                assertEquals(atV2, TableParity.dump(f.handle().table()), "reads stay on the last good version");

                DeltaTableGenerator.appendCommit(table.local);
                DeltaTableGenerator.appendCommit(table.local);
                s3.start();
                table.upload();
                await("caught up to v4", () -> f.handle().lineage().version() == 4
                        && f.status().state() == TableStatus.State.FOLLOWING);
                assertNull(f.status().lastError());
                assertEquals("users", f.handle().table().name(), "the outage did not rebuild the table");
                TableParity.Result r = TableParity.verify(src, f.handle().table(), 5);
                assertTrue(r.equal(), r.toString());
            }
        }
    }
}
