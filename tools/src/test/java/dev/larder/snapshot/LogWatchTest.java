package dev.larder.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.ingest.VersionWatch;
import dev.larder.tools.generate.DeltaTableGenerator;
import dev.larder.tools.generate.GeneratorSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The watch on a local log, and the poll's listing of the versions after the watermark. */
class LogWatchTest {
    @TempDir
    Path dir;

    @Test
    void aCommitFileAfterTheAwaitedVersionEndsTheWaitOthersDoNot() throws Exception {
        Path log = Files.createDirectories(dir.resolve("_delta_log"));
        try (LogWatch watch = LogWatch.open(log)) {
            CompletableFuture<Void> waited = CompletableFuture.runAsync(() -> {
                try {
                    watch.await(3, Duration.ofDays(1));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            Files.writeString(log.resolve("00000000000000000003.json"), "{}");
            Files.writeString(log.resolve("00000000000000000004.crc"), "{}");
            Files.writeString(log.resolve(".00000000000000000004.json.tmp"), "{}");
            Files.writeString(log.resolve("00000000000000000004.checkpoint.parquet"), "");
            // Whichever of these events the watch has seen, none is a commit after version 3.
            assertFalse(waited.isDone(), "woken by a file that is no commit after version 3");
            Path tmp = log.resolve(".00000000000000000004.json.part");
            Files.writeString(tmp, "{}");
            Files.move(tmp, log.resolve("00000000000000000004.json"), StandardCopyOption.ATOMIC_MOVE);
            waited.get(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void aLocalTablesLogIsWatched() throws Exception {
        Path delta = dir.resolve("delta");
        DeltaTableGenerator.generate(GeneratorSpec.builder().rows(100).numericFeatures(1).float32Features(0).commits(0)
                .build(), delta);
        DeltaSource src = DeltaSource.open(delta.toString());
        assertEquals(delta.toRealPath().resolve("_delta_log"), src.localLogDirectory().toRealPath());
        DeltaChangeSource changes = new DeltaChangeSource(src, java.util.List.of(GeneratorSpec.KEY_COLUMN), 16,
                ScanProgress.NONE);
        try (VersionWatch w = changes.watch()) {
            assertTrue(w instanceof LogWatch, w.toString());
        }
    }

    @Test
    void theLatestVersionAfterTheWatermarkIsListedNotLoaded() throws Exception {
        Path delta = dir.resolve("delta");
        DeltaTableGenerator.generate(GeneratorSpec.builder().rows(1000).numericFeatures(1).float32Features(0).commits(3)
                .build(), delta);
        DeltaSource src = DeltaSource.open(delta.toString());
        assertEquals(3, src.latestVersionAfter(0));
        assertEquals(3, src.latestVersionAfter(2));
        assertEquals(3, src.latestVersionAfter(3));
        DeltaTableGenerator.appendCommit(delta);
        assertEquals(4, src.latestVersionAfter(3));
        // A commit the listing cannot read past is left to the snapshot load, which names what is wrong.
        Files.delete(delta.resolve("_delta_log").resolve("00000000000000000002.json"));
        DeltaReadException e = org.junit.jupiter.api.Assertions.assertThrows(DeltaReadException.class,
                () -> src.latestVersionAfter(1));
        assertEquals(e.reason(), org.junit.jupiter.api.Assertions.assertThrows(DeltaReadException.class,
                src::latestVersion).reason());
    }
}
