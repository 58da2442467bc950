package dev.larder;

/**
 * Thread-safe: one served-feature log's counters over JMX, as {@code dev.larder:type=ServeLog,store=DIR,name=NAME}
 * (the vector's name, or the table's for logged single-table reads), registered while its Larder is open unless the
 * builder turned JMX off; the same numbers as {@link ServeLogStats}. Each read sums the serving threads' counters.
 */
public interface ServeLogMXBean {
    /** Vectors copied into the serving threads' buffers (sampled ones only). */
    long getLogged();

    /** Vectors not logged because their thread's buffer was full: never waited for, only counted. */
    long getDropped();

    /** Vectors committed to the Delta log. */
    long getCommitted();

    /** Commits written. */
    long getCommits();

    /** Commits that failed (their vectors are retried, and held meanwhile). */
    long getFailedCommits();

    /** The last commit failure's message; empty if none. */
    String getLastError();
}
