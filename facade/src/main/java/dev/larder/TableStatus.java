package dev.larder;

import java.time.Duration;
import java.util.List;

/**
 * Immutable freshness and health of one followed table at one instant ({@link Larder#status()},
 * {@link Table#status()}).
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
 * @param stoppedParts        the source's parts stopped at a change they cannot apply while the others flow and
 *                            readers are served: a Kafka partition at a record it cannot decode, each as its error
 *                            naming topic, partition and offset; empty while everything flows
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
        /** Opened, before its first poll. */
        STARTING,
        /** Copying the source's snapshot into a new generation. */
        BOOTSTRAPPING,
        /** Applying the source's commits as they come. */
        FOLLOWING,
        /** Its last attempt failed; it retries with backoff. */
        FAILING,
        /** The follower was closed. */
        STOPPED
    }

    /**
     * Immutable: where the time went between a source commit and its rows being visible to readers, for the last poll
     * that applied versions. The phases follow one another: {@code pollDelay} (the commit waited for the follower to
     * look), {@code check} (the source's latest-version check), {@code log} (the source's log work before the first
     * version began), {@code read} (reading the change files) and {@code apply} (the writer publishing the version).
     *
     * @param version               the newest version the poll applied
     * @param versions              versions the poll applied
     * @param commitTimestampMillis the newest version's commit timestamp (epoch millis)
     * @param lag                   from that timestamp to the version being visible (across the source's clock and
     *                              this host's, so skew shows here; never below zero)
     * @param pollDelay             from that timestamp to the start of the poll that found it (never below zero)
     * @param check                 the source's latest-version check
     * @param log                   from the check to the first version's begin
     * @param read                  from the first begin to the source delivering its last row
     * @param apply                 from the last row to every applied version being visible to readers
     */
    public record ApplyLag(long version, long versions, long commitTimestampMillis, Duration lag, Duration pollDelay,
                           Duration check, Duration log, Duration read, Duration apply) {
        /** The phases as one line, for logs and status. */
        @Override
        public String toString() {
            return dev.larder.ingest.ApplyLag.describe(version, versions, lag, pollDelay, check, log, read, apply);
        }
    }

    /** The facade's copy of the engine's status (not on a hot path: a status call allocates). */
    static TableStatus of(dev.larder.ingest.TableStatus s) {
        dev.larder.ingest.ApplyLag a = s.lastApply();
        ApplyLag lastApply = a == null ? null : new ApplyLag(a.version(), a.versions(), a.commitTimestampMillis(),
                a.lag(), a.pollDelay(), a.check(), a.log(), a.read(), a.apply());
        return new TableStatus(s.table(), s.generation(), State.valueOf(s.state().name()), Lineage.of(s.lineage()),
                s.durableVersion(), s.latestSourceVersion(), s.lagVersions(), s.sinceLastPoll(), s.staleness(),
                s.healthy(), s.lastError(), s.consecutiveFailures(), s.applyingVersion(), s.damagedRows(), lastApply,
                s.stoppedParts());
    }

    /** The watermark version, {@code lineage().version()}. */
    public long watermarkVersion() {
        return lineage.version();
    }

    /** The watermark's commit timestamp (epoch millis), {@code lineage().commitTimestampMillis()}. */
    public long watermarkCommitTimestampMillis() {
        return lineage.commitTimestampMillis();
    }
}
