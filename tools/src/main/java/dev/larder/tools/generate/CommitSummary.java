package dev.larder.tools.generate;

/**
 * Result of one copy-on-write commit.
 *
 * @param version      the version committed
 * @param deleted      keys deleted
 * @param updated      keys whose features were rewritten
 * @param inserted     keys inserted
 * @param filesRemoved data files removed (dataChange=true)
 * @param filesAdded   data files added: rewritten survivors plus new-key files
 * @param changeFilesAdded cdc files added under {@code _change_data/} (0 unless the change data feed is enabled)
 * @param rowsAtVersion live rows after the commit
 * @param landedNanos  {@link System#nanoTime()} right after the commit file was written, before the checksum and
 *                     checkpoint work that follows it: when a reader tailing the log can first see the version
 */
public record CommitSummary(long version, int deleted, int updated, int inserted, int filesRemoved, int filesAdded,
                            int changeFilesAdded, long rowsAtVersion, long landedNanos) {
}
