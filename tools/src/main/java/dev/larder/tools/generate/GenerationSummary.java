package dev.larder.tools.generate;

/**
 * Result of {@link DeltaTableGenerator#generate}.
 *
 * @param latestVersion  the table's latest version (equal to the spec's commit count)
 * @param rowsAtLatest   live rows at the latest version
 * @param liveFiles      data files in the latest snapshot
 * @param filesWritten   data files written over all versions, including ones later removed
 * @param bytesWritten   bytes of those data files
 * @param elapsedNanos   wall time of the whole run
 */
public record GenerationSummary(long latestVersion, long rowsAtLatest, int liveFiles, long filesWritten,
                                long bytesWritten, long elapsedNanos) {

    /** Versions written: version 0 plus one per commit. */
    public long versionsWritten() {
        return latestVersion + 1;
    }
}
