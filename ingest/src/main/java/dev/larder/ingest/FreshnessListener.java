package dev.larder.ingest;

/**
 * Callbacks on a followed table's health; implementations must be thread-safe and quick (they run on follower threads
 * or on the thread asking for status). Exceptions they throw are logged and ignored.
 */
public interface FreshnessListener {

    /** The table's staleness passed the configured maximum. */
    default void onStale(TableStatus status) {
    }

    /** A stale table is fresh again. */
    default void onRecovered(TableStatus status) {
    }

    /** A commit failed and the table's feed stopped; it will be retried with backoff. */
    default void onFeedFailed(TableStatus status, FeedException error) {
    }

    /** A stopped feed applied a version again. */
    default void onFeedResumed(TableStatus status) {
    }
}
