package dev.larder.ingest;

/**
 * Immutable: thrown by a {@link ChangeSource} when the changes a follower needs are gone (e.g. vacuumed or expired
 * log); the follower then re-bootstraps into a new table generation instead of retrying.
 */
public class HistoryUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public HistoryUnavailableException(String message) {
        super(message);
    }

    public HistoryUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
