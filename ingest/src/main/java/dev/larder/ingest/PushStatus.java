package dev.larder.ingest;

/**
 * Immutable: the outcome of a non-throwing push ({@link LarderEngine#tryUpsert}, {@link LarderEngine#tryDelete},
 * {@link LarderEngine#tryEndVersion}).
 */
public enum PushStatus {
    /** Enqueued: the writer will apply it in order. */
    ACCEPTED,
    /** The ring had no free slot; nothing was enqueued, so the same push may be retried. */
    RING_FULL,
    /**
     * The writer failed on an earlier change of this table and skips its changes until {@link LarderEngine#resume};
     * nothing was enqueued. {@link TableHandle#awaitDurable} reports the failure.
     */
    STOPPED,
    /**
     * The version is negative, or not above the newest version already ended for the table (for an END: below it):
     * pushed, the change would never be published and would vanish on reopen. Nothing was enqueued; retrying the same
     * push will not help.
     */
    STALE_VERSION,
    /** The Larder is closed; nothing was enqueued. */
    CLOSED
}
