package dev.larder;

/**
 * Immutable: a vector's served-feature log counters since the Larder opened ({@link Vector#logStats()}).
 *
 * @param logged           vectors copied into the serving threads' buffers (sampled ones only)
 * @param dropped          vectors not logged because their thread's buffer was full
 * @param committed        vectors committed to the Delta log
 * @param commits          commits written
 * @param lastVersion      the log table's version after the last commit, -1 before the first
 * @param failedCommits    commits that failed (their vectors are retried, and held meanwhile)
 * @param lastError        the last commit failure's message; empty if none
 */
public record ServeLogStats(long logged, long dropped, long committed, long commits, long lastVersion,
                            long failedCommits, String lastError) {
}
