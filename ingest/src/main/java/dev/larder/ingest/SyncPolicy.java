package dev.larder.ingest;

import java.time.Duration;
import java.util.Objects;

/**
 * Immutable: when the writer makes completed versions durable.
 *
 * <p>The durability point is {@code TableWriter.sync()}: force the table's mapped files, then atomically rewrite its
 * metadata with the published watermark, so data and watermark become durable together. A table with completed but not
 * yet synced versions is synced as soon as {@code maxPendingVersions} of them have accumulated, or {@code maxDelay}
 * after the first of them completed (checked after every writer batch and by a timer while the writer is idle), and
 * always on {@code flush()} and close. A version is acknowledged durable ({@code Larder.awaitDurable}) only after that
 * sync. A crash loses only unacknowledged versions: a follower re-reads them from its source on restart.
 *
 * @param maxPendingVersions completed versions per table that force a sync, at least 1
 * @param maxDelay           longest time a completed version waits for its sync; zero syncs at the end of each batch
 */
public record SyncPolicy(int maxPendingVersions, Duration maxDelay) {
    /** Syncs every version when it completes (one fsync round per version): smallest loss window, lowest throughput. */
    public static final SyncPolicy EVERY_VERSION = new SyncPolicy(1, Duration.ZERO);
    /**
     * The default: coalesce up to 1000 versions or 100 ms, whichever comes first. Delta commits arrive seconds apart,
     * so a followed table is still synced once per commit; an application stream that closes thousands of versions a
     * second pays for ten fsync rounds a second instead of thousands.
     */
    public static final SyncPolicy DEFAULT = new SyncPolicy(1000, Duration.ofMillis(100));

    public SyncPolicy {
        Objects.requireNonNull(maxDelay, "maxDelay");
        if (maxPendingVersions < 1) {
            throw new IllegalArgumentException("maxPendingVersions must be at least 1, got " + maxPendingVersions);
        }
        if (maxDelay.isNegative()) {
            throw new IllegalArgumentException("maxDelay must not be negative");
        }
    }

    public static SyncPolicy coalesced(int maxPendingVersions, Duration maxDelay) {
        return new SyncPolicy(maxPendingVersions, maxDelay);
    }
}
