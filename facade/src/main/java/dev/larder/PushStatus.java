package dev.larder;

/**
 * The outcome of a push that never waits ({@link Pusher#tryUpsert}, {@link Pusher#tryDelete},
 * {@link Pusher#tryEndVersion}).
 */
public enum PushStatus {
    /** Enqueued: the writer will apply it in order. */
    ACCEPTED,
    /** The ring had no free slot; nothing was enqueued, so the same push may be retried. */
    RING_FULL,
    /**
     * The writer failed on an earlier change of this table and skips its changes until {@link Pusher#resume()};
     * nothing was enqueued. {@link Larder#flush()} throws the failure.
     */
    STOPPED,
    /**
     * The version is negative, or not above the newest version already ended for the table (for an end: below it):
     * pushed, the change would never be served and would vanish on reopen. Nothing was enqueued; retrying the same push
     * will not help.
     */
    STALE_VERSION,
    /** The Larder is closed; nothing was enqueued. */
    CLOSED;

    /**
     * The engine's statuses by ordinal: a push maps its outcome with one array load. Filled by name, so a status the
     * engine gains and this enum lacks fails the class's initialisation (and {@code FacadeTypesTest}), not a push.
     */
    private static final PushStatus[] BY_ENGINE_ORDINAL =
            EnumsByName.byOrdinal(dev.larder.ingest.PushStatus.values(), PushStatus.class);

    /** The facade's status for the engine's {@code s}; allocation-free. */
    static PushStatus of(dev.larder.ingest.PushStatus s) {
        return BY_ENGINE_ORDINAL[s.ordinal()];
    }
}
