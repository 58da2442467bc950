package dev.larder.snapshot;

/**
 * One commit of the change feed, announced before its rows; immutable.
 *
 * @param version the commit version
 * @param timestampMillis commit time in epoch milliseconds, from {@code timestampSource}
 * @param timestampSource where {@code timestampMillis} came from
 * @param schema the table schema after this commit; the commit's change rows use it
 * @param metadataChanged true if the commit carries a {@code metaData} action (schema, partitioning or
 *     table properties may have changed); compare {@code schema} with the schema you hold, e.g. with
 *     {@link DeltaSchema#isAdditiveEvolutionOf}
 * @param removalsFirst true if every delete and update pre-image of the commit comes before any insert and update
 *     post-image; false if its rows come in the order of its cdc files, read once each, so an addition may come before
 *     a removal of the same commit (a small commit with cdc files, see {@link DeltaSource#changes})
 */
public record DeltaCommit(long version, long timestampMillis, TimestampSource timestampSource, DeltaSchema schema,
                          boolean metadataChanged, boolean removalsFirst) {

    /** Origin of a commit timestamp; {@link DeltaSource#commitTimestamp} follows the same rule. */
    public enum TimestampSource {
        /** {@code commitInfo.inCommitTimestamp}, for tables that enable in-commit timestamps: the table's own clock. */
        IN_COMMIT_TIMESTAMP,
        /**
         * Modification time of the commit file (the storage system's clock), raised to 1 ms after the previous commit's
         * where that clock went backwards, as the Delta protocol prescribes.
         */
        FILE_MODIFICATION_TIME
    }
}
