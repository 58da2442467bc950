package dev.larder.snapshot;

import dev.larder.ingest.ChangeSink;
import dev.larder.ingest.ChangeSource;
import dev.larder.ingest.HistoryUnavailableException;
import dev.larder.store.FeatureSchema;
import java.util.List;

/**
 * A Delta table as an ingest {@link ChangeSource}, so {@code Larder.follow} can bootstrap and tail it. Called by one
 * follower thread at a time.
 *
 * <p>The feature schema is fixed when the source is opened (the Delta schema at the then-latest version, with the
 * given key columns); later commits that drop or retype one of its columns stop the feed with a clear error. When the
 * commits or files the feed needs are gone (log cleanup, VACUUM), it reports {@link HistoryUnavailableException} so the
 * follower re-bootstraps from the latest snapshot.
 */
public final class DeltaChangeSource implements ChangeSource {
    private final DeltaSource source;
    private final String id;
    private final FeatureSchema schema;
    private final DeltaFeed feed;
    private final ScanProgress progress;

    public DeltaChangeSource(DeltaSource source, List<String> keyColumns, int inlineBytes, ScanProgress bootstrapProgress) {
        this.source = source;
        long latest = source.latestVersion();
        this.id = source.tableId(latest);
        this.schema = DeltaFeatureSchemas.toFeatureSchema(source.schema(latest), keyColumns, inlineBytes);
        this.feed = new DeltaFeed(source, schema);
        this.progress = bootstrapProgress;
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
    public FeatureSchema schema() {
        return schema;
    }

    @Override
    public long latestVersion() {
        return source.latestVersion();
    }

    @Override
    public void bootstrap(long version, ChangeSink sink) {
        feed.bootstrap(version, sink, progress);
    }

    @Override
    public void changes(long afterVersion, long upToVersion, ChangeSink sink) {
        try {
            feed.applyChanges(afterVersion + 1, upToVersion, sink);
        } catch (DeltaReadException e) {
            if (e.reason() == DeltaReadException.Reason.NOT_FOUND || e.reason() == DeltaReadException.Reason.MISSING_FILE) {
                throw new HistoryUnavailableException(e.getMessage(), e);
            }
            throw e;
        }
    }
}
