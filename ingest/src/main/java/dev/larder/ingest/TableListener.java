package dev.larder.ingest;

/**
 * Callbacks on the set of tables a {@link LarderEngine} serves, e.g. to keep per-table metrics in step with it; called
 * under the engine's lock, so implementations must be thread-safe, quick, and must not call back into the engine's
 * table methods. Exceptions they throw are logged and ignored.
 */
public interface TableListener {

    /** A table opened: created, opened by name, or followed ({@code follower} is null unless followed). */
    void onOpened(TableHandle table, Follower follower);

    /** A table's follower closed, or the Larder is closing; the handle serves no more changes. */
    void onClosed(TableHandle table);

    /** The Larder is closing, after {@link #onClosed} for each of its tables. */
    default void onLarderClosed() {
    }
}
