package dev.larder;

/**
 * Called on the loading thread as {@link Larder.Builder#load} reads a Delta snapshot, or on the follower's thread as a
 * followed table bootstraps ({@link Larder.Builder#bootstrapProgress}), for a progress display; it must return quickly,
 * as the load waits for it.
 */
@FunctionalInterface
public interface LoadProgress {
    /** Reports nothing. */
    LoadProgress NONE = (version, rows, files) -> { };

    /**
     * Rows read so far of the snapshot at {@code version}, and its data files read to the end.
     *
     * @param version         the Delta version being loaded (or bootstrapped)
     * @param rowsDelivered   rows read and handed to the store's writer so far
     * @param filesDone       data files read whole so far
     */
    void onProgress(long version, long rowsDelivered, long filesDone);
}
