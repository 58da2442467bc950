package dev.larder.snapshot;

import dev.larder.ingest.ChangeSink;
import dev.larder.ingest.ChangeSource;
import dev.larder.ingest.HistoryUnavailableException;
import dev.larder.ingest.VersionWatch;
import dev.larder.store.FeatureSchema;
import dev.larder.store.Lineage;
import java.util.List;
import java.util.function.LongFunction;

/**
 * A Delta table as an ingest {@link ChangeSource}, so {@code Larder.follow} can bootstrap and tail it. Called by one
 * follower thread at a time.
 *
 * <p>A new table generation gets the Delta schema of the source's latest version (with the given key columns, and only
 * the selected columns when a selection is given); rows are
 * always delivered in the schema of the table being fed. A commit that drops or retypes a stored column stops the feed
 * with a clear error (reads continue on the last good version). A commit that adds columns, and history the feed needs
 * that is gone (log cleanup, VACUUM), are reported as {@link HistoryUnavailableException}, so the follower builds a new
 * generation from the latest snapshot (storing the new columns) and swaps it in while readers keep the old one; with a
 * selection, added columns are not wanted and the feed goes on. A
 * missing file the latest snapshot still reads is damage, not history gone: it stops the feed until repaired.
 */
public final class DeltaChangeSource implements ChangeSource {
    private final DeltaSource source;
    private final List<String> keyColumns;
    /** Selected feature columns; empty for all. */
    private final List<String> columns;
    private final int inlineBytes;
    private final String id;
    /** The progress a bootstrap of a version reports to. */
    private final LongFunction<ScanProgress> progress;
    private DeltaFeed feed;

    public DeltaChangeSource(DeltaSource source, List<String> keyColumns, int inlineBytes,
            ScanProgress bootstrapProgress) {
        this(source, keyColumns, List.of(), inlineBytes, bootstrapProgress);
    }

    /**
     * A source serving only the key columns and {@code columns} of the Delta table (every column when empty). With a
     * selection, columns added to the Delta table later are not wanted, so they do not re-bootstrap the table.
     */
    public DeltaChangeSource(DeltaSource source, List<String> keyColumns, List<String> columns, int inlineBytes,
                             ScanProgress bootstrapProgress) {
        this(source, keyColumns, columns, inlineBytes, version -> bootstrapProgress);
    }

    /**
     * As {@link #DeltaChangeSource(DeltaSource, List, List, int, ScanProgress)}, each bootstrap reporting to the
     * progress {@code bootstrapProgress} gives for the version it bootstraps (for a display that names the version).
     */
    public DeltaChangeSource(DeltaSource source, List<String> keyColumns, List<String> columns, int inlineBytes,
                             LongFunction<ScanProgress> bootstrapProgress) {
        this.source = source;
        this.keyColumns = List.copyOf(keyColumns);
        this.columns = List.copyOf(columns);
        this.inlineBytes = inlineBytes;
        this.id = source.tableId(source.latestVersion());
        this.progress = bootstrapProgress;
        schema();
    }

    /** This source serving {@code selection} instead (every column when empty). */
    public DeltaChangeSource withColumns(List<String> selection) {
        return new DeltaChangeSource(source, keyColumns, selection, inlineBytes, progress);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String path() {
        return source.tablePath();
    }

    @Override
    public Lineage origin() {
        return source.originOf(id);
    }

    /**
     * The feature schema for a new generation: the latest Delta schema; throws naming the column if the key is
     * unusable.
     */
    @Override
    public FeatureSchema schema() {
        return DeltaFeatureSchemas.toFeatureSchema(source.schema(source.latestVersion()), keyColumns, columns,
                inlineBytes);
    }

    @Override
    public long latestVersion() {
        return source.latestVersion();
    }

    /** One listing of the log after {@code known} ({@link DeltaSource#latestVersionAfter}). */
    @Override
    public long latestVersionAfter(long known) {
        return source.latestVersionAfter(known);
    }

    /**
     * A file-system watch on the log of a local table ({@link LogWatch}), so a commit is applied as soon as its file
     * lands; a table on an object store or behind a catalog is polled at the follower's interval.
     */
    @Override
    public VersionWatch watch() {
        java.nio.file.Path log = source.localLogDirectory();
        return log == null ? VersionWatch.SLEEP : LogWatch.open(log);
    }

    @Override
    public void bootstrap(long version, ChangeSink sink) {
        feedFor(sink).bootstrap(version, sink, progress.apply(version));
    }

    @Override
    public void changes(long afterVersion, long upToVersion, ChangeSink sink) {
        try {
            feedFor(sink).applyChanges(afterVersion + 1, upToVersion, sink);
        } catch (DeltaReadException e) {
            switch (e.reason()) {
                case NOT_FOUND, COLUMNS_ADDED -> throw new HistoryUnavailableException(e.getMessage(), e);
                case MISSING_FILE -> {
                    if (cleanedUp(e)) {
                        throw new HistoryUnavailableException(e.getMessage(), e);
                    }
                    throw e;
                }
                default -> throw e;
            }
        }
    }

    /**
     * Whether a missing file is history cleaned up (VACUUM removes only files no longer in the latest snapshot), which
     * a re-bootstrap gets past; a file the latest snapshot still reads is damage that would fail every re-bootstrap
     * too, so it stops the feed like any bad input.
     */
    private boolean cleanedUp(DeltaReadException e) {
        if (e.file() == null) {
            return true;
        }
        try {
            return !source.snapshotReads(source.latestVersion(), e.file());
        } catch (DeltaReadException check) {
            e.addSuppressed(check);
            return false;
        }
    }

    private DeltaFeed feedFor(ChangeSink sink) {
        if (feed == null || !feed.schema().equals(sink.schema())) {
            feed = new DeltaFeed(source, sink.schema(), columns.isEmpty());
        }
        return feed;
    }
}
