package dev.larder.ingest;

import java.time.Duration;

/**
 * How a follower waits between polls of its {@link ChangeSource}: a watch that wakes it as soon as the source may have
 * a new version, so a commit is applied without waiting out the poll interval, while the interval stays the most a
 * source is left unpolled (and what bounds the requests to a remote store). Used by the follower's thread only; closed
 * when the follower stops.
 */
public interface VersionWatch extends AutoCloseable {
    /** Sleeps the whole interval: for sources that cannot tell when they change. */
    VersionWatch SLEEP = new VersionWatch() {
        @Override
        public void await(long version, Duration max) throws InterruptedException {
            Thread.sleep(max);
        }

        @Override
        public void close() {
        }
    };

    /**
     * Returns once the source may hold a version after {@code version}, or after {@code max}; it may return early with
     * nothing new (the follower then polls and finds nothing), never late.
     *
     * @throws InterruptedException when the follower stops
     */
    void await(long version, Duration max) throws InterruptedException;

    /** Releases what the watch holds (e.g. a file-system watch); idempotent. */
    @Override
    void close();
}
