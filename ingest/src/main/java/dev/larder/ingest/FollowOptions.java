package dev.larder.ingest;

import dev.larder.store.TableOptions;
import java.time.Duration;
import java.util.Objects;

/**
 * Immutable options of one followed table.
 *
 * @param pollInterval  pause between polls of the source once caught up
 * @param maxStaleness  the table is unhealthy once it has not been known to reflect the source's newest version for
 *                      longer than this
 * @param retryInitial  first pause after a failed commit; doubles on each further failure
 * @param retryMax      cap of the retry pause
 * @param tableOptions  options of table generations this follower creates (initial size, TTL, clock)
 * @param commitStageBytes a commit's changes are held back (row images, up to this many bytes) until the source has
 *                      delivered all of them, so a commit that fails while being read leaves nothing of it visible; a
 *                      larger commit is applied as it streams, and a failure in it is rolled back (readers may
 *                      see part of it until then; the watermark never covers it)
 * @param scrubInterval how often the follower checks every row of the table against its checksum (a sequential read of
 *                      the table on the follower's thread); zero disables
 */
public record FollowOptions(Duration pollInterval, Duration maxStaleness, Duration retryInitial, Duration retryMax,
                            TableOptions tableOptions, int commitStageBytes, Duration scrubInterval) {
    public static final FollowOptions DEFAULT = new FollowOptions(Duration.ofSeconds(1), Duration.ofMinutes(5),
            Duration.ofMillis(200), Duration.ofSeconds(30), TableOptions.DEFAULT, 8 << 20, Duration.ofHours(1));

    public FollowOptions {
        Objects.requireNonNull(pollInterval, "pollInterval");
        Objects.requireNonNull(maxStaleness, "maxStaleness");
        Objects.requireNonNull(retryInitial, "retryInitial");
        Objects.requireNonNull(retryMax, "retryMax");
        Objects.requireNonNull(tableOptions, "tableOptions");
        Objects.requireNonNull(scrubInterval, "scrubInterval");
        if (scrubInterval.isNegative()) {
            throw new IllegalArgumentException("scrubInterval must not be negative");
        }
        if (commitStageBytes < 0) {
            throw new IllegalArgumentException("commitStageBytes must not be negative");
        }
        if (pollInterval.isNegative() || retryInitial.isNegative() || retryMax.compareTo(retryInitial) < 0
                || !maxStaleness.isPositive()) {
            throw new IllegalArgumentException(
                    "need pollInterval >= 0, 0 <= retryInitial <= retryMax and maxStaleness > 0");
        }
    }

    public FollowOptions withPollInterval(Duration d) {
        return new FollowOptions(d, maxStaleness, retryInitial, retryMax, tableOptions, commitStageBytes,
                scrubInterval);
    }

    public FollowOptions withMaxStaleness(Duration d) {
        return new FollowOptions(pollInterval, d, retryInitial, retryMax, tableOptions, commitStageBytes,
                scrubInterval);
    }

    public FollowOptions withRetry(Duration initial, Duration max) {
        return new FollowOptions(pollInterval, maxStaleness, initial, max, tableOptions, commitStageBytes,
                scrubInterval);
    }

    public FollowOptions withTableOptions(TableOptions o) {
        return new FollowOptions(pollInterval, maxStaleness, retryInitial, retryMax, o, commitStageBytes,
                scrubInterval);
    }

    public FollowOptions withCommitStageBytes(int bytes) {
        return new FollowOptions(pollInterval, maxStaleness, retryInitial, retryMax, tableOptions, bytes,
                scrubInterval);
    }

    public FollowOptions withScrubInterval(Duration d) {
        return new FollowOptions(pollInterval, maxStaleness, retryInitial, retryMax, tableOptions, commitStageBytes, d);
    }
}
