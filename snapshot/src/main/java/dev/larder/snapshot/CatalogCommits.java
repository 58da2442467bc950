package dev.larder.snapshot;

import java.util.List;

/**
 * The catalog that owns a catalog-managed Delta table's commits (the {@code catalogManaged} table feature, as Unity
 * Catalog managed tables use it): it ratifies each commit, and a commit it has ratified may exist only as a staged file
 * under {@code _delta_log/_staged_commits/} until it is published. A reader that lists {@code _delta_log/} alone misses
 * those versions, so {@link DeltaSource} asks the catalog on every snapshot and change-feed read. Implementations are
 * thread-safe and may block on the network.
 */
public interface CatalogCommits {

    /**
     * The ratified commits not yet published, and the latest version the catalog knows.
     *
     * @throws RuntimeException naming the catalog endpoint and table when the catalog cannot answer
     */
    Ratified ratified();

    /** What a reader shows in errors, e.g. {@code Unity Catalog table main.features.users at https://host}. */
    String describe();

    /**
     * One ratified, unpublished commit: its version and the staged commit file's name under
     * {@code _delta_log/_staged_commits/}, size and modification time.
     */
    record Commit(long version, String fileName, long size, long modificationTimeMillis) {
    }

    /**
     * The catalog's answer: the unpublished commits, sorted by version and contiguous, and its latest version (commits
     * up to it that are not listed are published in {@code _delta_log/}).
     */
    record Ratified(List<Commit> commits, long latestVersion) {
        public Ratified {
            commits = commits.stream().sorted(java.util.Comparator.comparingLong(Commit::version)).toList();
            for (int i = 1; i < commits.size(); i++) {
                if (commits.get(i).version() != commits.get(i - 1).version() + 1) {
                    throw new IllegalArgumentException("the catalog's unpublished commits are not contiguous: versions "
                            + commits.get(i - 1).version() + " then " + commits.get(i).version());
                }
            }
            if (!commits.isEmpty() && commits.get(commits.size() - 1).version() > latestVersion) {
                throw new IllegalArgumentException("the catalog lists commit "
                        + commits.get(commits.size() - 1).version()
                        + " beyond its latest version " + latestVersion);
            }
        }
    }
}
