package dev.larder.snapshot;

/** Receives the change feed, commit by commit in version order, on the reading thread. */
public interface ChangeConsumer {

    /**
     * A commit begins; its rows follow.
     *
     * @return false to stop before any row of this commit (e.g. on an incompatible schema change); the
     *     feed then ends and {@link DeltaSource#changes} returns the previous version
     */
    boolean beginCommit(DeltaCommit commit);

    /**
     * The rows that follow, until the next {@code beginFile} or {@link #endCommit}, come from {@code file} (the
     * resolved path); a cdc file read in two passes ({@link DeltaCommit#removalsFirst()}) is announced once for its
     * removals and once for its additions.
     */
    default void beginFile(String file) {
    }

    /**
     * Whether this consumer takes a commit's rows in the order of its cdc files (a commit announced with
     * {@link DeltaCommit#removalsFirst()} false, in which an addition may precede a removal), holding the additions
     * until the commit's end itself, so that each cdc file of a small commit is read once instead of twice. The
     * default, false, gets every commit with its removals first.
     */
    default boolean takesRowsInFileOrder() {
        return false;
    }

    /** @param row valid only during this call; columns follow {@link DeltaCommit#schema()} */
    void change(ChangeKind kind, DeltaRow row);

    /** Every row of the commit has been delivered. */
    void endCommit(DeltaCommit commit);
}
