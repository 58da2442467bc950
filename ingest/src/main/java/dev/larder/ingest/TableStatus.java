package dev.larder.ingest;

import dev.larder.store.Lineage;
import java.time.Duration;
import java.util.List;

/**
 * Immutable freshness and health of one followed table at one instant.
 *
 * @param table               logical table name
 * @param generation          directory name of the current generation ({@code table} or {@code table.g<N>})
 * @param state               what the follower is doing
 * @param lineage             source, watermark version and its commit timestamp, as readers see them
 * @param durableVersion      newest version synced to disk with its data
 * @param latestSourceVersion newest version the source reported at the last poll (-1 before the first)
 * @param lagVersions         versions the source is ahead of the watermark (0 when caught up or unknown)
 * @param sinceLastPoll       time since the last successful poll (from the follower's start if none yet)
 * @param staleness           time since the table was last known to reflect the source's newest version (from the
 *                            follower's start if never), or since a part of its source stopped if that is longer
 *                            (see {@code stoppedParts}): what the health check compares with the maximum
 * @param healthy             staleness within the configured maximum, and no damaged rows
 * @param lastError           the failure that stopped the feed, or null while it runs
 * @param consecutiveFailures failed attempts since the last success
 * @param applyingVersion     the version whose changes are being applied now (readers may see part of it), -1 between
 *                            versions; a failed version is rolled back, so readers return to the watermark
 * @param damagedRows         live rows that failed their checksum at the last scrub or recovery
 * @param lastApply           where the time went for the last poll that applied versions, from their commit to rows
 *                            visible; null before the first
 * @param stoppedParts        the source's parts stopped at a change they cannot apply while the others flow (a Kafka
 *                            partition at a poison record), each as its error; empty while everything flows
 */
public record TableStatus(String table, String generation, State state, Lineage lineage, long durableVersion,
                          long latestSourceVersion, long lagVersions, Duration sinceLastPoll, Duration staleness,
                          boolean healthy, String lastError, int consecutiveFailures,
                          long applyingVersion, long damagedRows, ApplyLag lastApply,
                          List<String> stoppedParts) {
    public TableStatus {
        stoppedParts = List.copyOf(stoppedParts);
    }

    /** What a follower is doing. */
    public enum State {
        STARTING, BOOTSTRAPPING, FOLLOWING, FAILING, STOPPED
    }

    public long watermarkVersion() {
        return lineage.version();
    }

    public long watermarkCommitTimestampMillis() {
        return lineage.commitTimestampMillis();
    }
}
