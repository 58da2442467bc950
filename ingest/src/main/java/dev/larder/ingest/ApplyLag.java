package dev.larder.ingest;

import java.time.Duration;

/**
 * Where the time went between a source commit and its rows being visible to readers, for the last poll of a follower
 * that applied versions (immutable). The phases follow one another: {@code pollDelay} (the commit waited for the
 * follower to look), {@code check} (the source's latest-version check), {@code log} (the source's log work before the
 * first version began: listing, snapshot, commit actions), {@code read} (reading the change files and handing their
 * rows to the ring) and {@code apply} (the writer applying the last rows and publishing the version).
 *
 * @param version               the newest version the poll applied
 * @param versions              versions the poll applied
 * @param commitTimestampMillis the newest version's commit timestamp (epoch millis)
 * @param lag                   from that timestamp to the version being visible: measured across the source's clock
 *                              and this host's, so skew between them shows here (never below zero)
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
        return describe(version, versions, lag, pollDelay, check, log, read, apply);
    }

    /** The one-line form of {@link #toString()}, shared with the facade's copy of this record. */
    public static String describe(long version, long versions, Duration lag, Duration pollDelay, Duration check,
                                  Duration log, Duration read, Duration apply) {
        return String.format("v%d%s visible %d ms after its commit (poll delay %d ms, check %d ms, log %d ms, "
                        + "read %d ms, apply %d ms)", version, versions > 1 ? " (" + versions + " versions)" : "",
                lag.toMillis(), pollDelay.toMillis(), check.toMillis(), log.toMillis(), read.toMillis(),
                apply.toMillis());
    }
}
