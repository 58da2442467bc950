package dev.larder.ingest;

import dev.larder.store.FeatureSchema;
import dev.larder.store.Lineage;
import java.util.List;

/**
 * A versioned table that a {@link Follower} mirrors, e.g. a Delta table; ingest knows nothing else about it.
 * Concurrency: called by one follower thread at a time; implementations need not be thread-safe.
 *
 * <p>Versions are commit numbers that only grow. Rows are delivered into a {@link ChangeSink}: {@code begin(version,
 * commitTs)}, any number of upserts and deletes, {@code end()}, once per version. An update that changes the key is a
 * delete of the old key plus an upsert of the new one within the same version.
 *
 * <p>Failures: throw {@link HistoryUnavailableException} when the changes after a version are gone (e.g. vacuumed), so
 * the follower re-bootstraps; any other exception is a failed commit: the feed stops, reads stay on the last good
 * version, and the follower retries the same version with backoff.
 */
public interface ChangeSource {

    /** Stable identity of the source (e.g. the Delta table id), recorded in the table's lineage. */
    String id();

    /**
     * Where the source lives (path or URI), recorded in the table's lineage and named in errors; without credentials
     * (they belong in settings or the environment), which Larder would mask ({@link Redaction}).
     */
    String path();

    /**
     * The lineage a table fed from this source starts with (version -1): {@link #id()} and {@link #path()} (credentials
     * masked, never written to disk), plus the catalog name where the source was found through a catalog.
     */
    default Lineage origin() {
        return new Lineage(id(), Redaction.uris(path()), -1, 0);
    }

    /** Schema of the table to create for this source; rows are delivered in this schema (by the sink's row). */
    FeatureSchema schema();

    /**
     * The parts of the source stopped at a change they cannot apply while the others flow (a Kafka partition at a
     * record it cannot decode), each as its error naming the part and the change; empty while everything flows (the
     * default). Called from any thread, while the follower runs: implementations answer thread-safely.
     */
    default List<String> stoppedParts() {
        return List.of();
    }

    /** The newest complete version, or -1 if the source has none yet. */
    long latestVersion();

    /**
     * The newest complete version, given that {@code known} exists (the table's watermark): a follower's poll, which
     * a source may answer by looking only past {@code known} instead of loading its whole state (the default asks
     * {@link #latestVersion()}). Versions it reports are read by {@link #changes}, which checks them.
     */
    default long latestVersionAfter(long known) {
        return latestVersion();
    }

    /**
     * A watch to wait on between polls (the default sleeps the poll interval); a source that can learn of a new
     * version without polling (e.g. a file-system watch on a local log) returns one that wakes the follower then.
     */
    default VersionWatch watch() {
        return VersionWatch.SLEEP;
    }

    /**
     * Streams every row visible at {@code version} as one version: {@code begin(version, commitTs)}, upserts,
     * {@code end()}.
     */
    void bootstrap(long version, ChangeSink sink);

    /**
     * Streams the changes of every version in {@code (afterVersion, upToVersion]}, in version order, one
     * {@code begin}/{@code end} bracket per version.
     *
     * @throws HistoryUnavailableException if the changes right after {@code afterVersion} can no longer be read
     */
    void changes(long afterVersion, long upToVersion, ChangeSink sink);
}
