package dev.larder.ingest;

import dev.larder.store.FeatureSchema;
import dev.larder.store.ReadStatus;
import dev.larder.store.RowBuffer;
import dev.larder.store.TableReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;

/**
 * Delivers a source's rows into the ring for the slot being filled; confined to the follower thread. While reading
 * changes it stages each commit (row images in one reused buffer) and enqueues them only at {@code end()}, up to
 * {@link FollowOptions#commitStageBytes()}; bootstraps stream, since their target is empty or not yet visible.
 */
final class FollowerSink implements ChangeSink {
    private final Follower follower;
    private final IngestPipeline pipeline;
    private final ChangeSource source;
    private final FollowOptions options;
    private final String name;
    private TableSlot target;
    private RowBuffer row;
    private long lastVersion;
    private long openVersion = -1;
    private long openTimestamp;
    private boolean stageCommits;
    private boolean streaming;
    /** Upserts of the open bootstrap version, to tell whether its key columns identify rows uniquely. */
    private long bootstrapUpserts;
    private byte[] stage = new byte[0];
    private int staged;
    /** Row-image bytes of the staged records (what {@link FollowOptions#commitStageBytes()} limits). */
    private int stagedImages;
    /** Answers {@link #storedVersion} for the target; replaced when the target's table changes. */
    private TableReader keyReader;

    FollowerSink(Follower follower, IngestPipeline pipeline, ChangeSource source, FollowOptions options) {
        this.follower = follower;
        this.pipeline = pipeline;
        this.source = source;
        this.options = options;
        this.name = follower.table();
    }

    /** The source as messages name it, credentials masked. */
    private String where() {
        return Redaction.uris(source.path());
    }

    void open(TableSlot s, long after, boolean stage) {
        if (target == null || target.table != s.table) {
            row = s.table.newRow();
        }
        target = s;
        lastVersion = after;
        stageCommits = stage;
        reset();
    }

    void reset() {
        openVersion = -1;
        clearStage();
    }

    private void clearStage() {
        staged = 0;
        stagedImages = 0;
    }

    void checkComplete() {
        if (openVersion >= 0) {
            throw new IllegalStateException("source " + where() + " began version " + openVersion
                    + " without ending it");
        }
    }

    /** The version a failure is attributed to: the open one, else the next expected. */
    long failedVersion() {
        return openVersion >= 0 ? openVersion : (target == null ? follower.handle().lineage().version() : lastVersion) + 1;
    }

    private void checkRunning() {
        if (follower.stopped()) {
            throw new CancellationException("follower of table " + name + " stopped");
        }
    }

    @Override
    public FeatureSchema schema() {
        return target.schema;
    }

    @Override
    public RowBuffer row() {
        return row.clear();
    }

    @Override
    public void begin(long version, long commitTimestampMillis) {
        checkRunning();
        if (openVersion >= 0) {
            throw new IllegalStateException("source " + where() + " began version " + version + " inside version "
                    + openVersion);
        }
        if (version <= lastVersion) {
            throw new IllegalStateException("source " + where() + " delivered version " + version + " after "
                    + lastVersion + "; versions must increase");
        }
        openVersion = version;
        openTimestamp = commitTimestampMillis;
        clearStage();
        streaming = !stageCommits;
        bootstrapUpserts = 0;
        if (!stageCommits) {
            // Ring order puts it before the version's upserts; its completion is observed by checkKeysUnique.
            pipeline.control(IngestEvent.BULK_BEGIN, target, null);
        }
    }

    @Override
    public void upsert(RowBuffer r) {
        deliver(ChangeRecordDescriptor.UPSERT, r);
    }

    @Override
    public void delete(RowBuffer keyRow) {
        deliver(ChangeRecordDescriptor.DELETE, keyRow);
    }

    private void deliver(byte op, RowBuffer r) {
        checkRunning();
        if (openVersion < 0) {
            throw new IllegalStateException("source " + where() + " delivered a change outside begin/end");
        }
        if (!stageCommits && op == ChangeRecordDescriptor.UPSERT) {
            bootstrapUpserts++;
        }
        if (!streaming) {
            target.checkSchema(r);
            int entry = ChangeRecordDescriptor.size(r);
            // The limit counts row images, as it always has; the records' headers come on top.
            int image = entry - ChangeRecordDescriptor.HEADER;
            if (stagedImages + image <= options.commitStageBytes()) {
                if (stage.length < staged + entry) {
                    stage = Arrays.copyOf(stage, Math.max(staged + entry, stage.length * 2));
                }
                staged = ChangeRecordDescriptor.write(stage, staged, op, openVersion, openTimestamp, r);
                stagedImages += image;
                return;
            }
            flushStage();
            streaming = true;
        }
        if (op == ChangeRecordDescriptor.UPSERT) {
            pipeline.upsert(target, r, openVersion, openTimestamp);
        } else {
            pipeline.delete(target, r, openVersion);
        }
    }

    private void flushStage() {
        for (int at = 0; at < staged; ) {
            checkRunning();
            pipeline.publishRecord(target, stage, at);
            at = ChangeRecordDescriptor.next(stage, at);
        }
        clearStage();
    }

    /**
     * A bootstrap fills an empty table, so fewer live rows than upserts means rows shared a key: refuse the snapshot
     * before its version becomes the watermark, rather than keep an arbitrary one of the rows.
     */
    private void checkKeysUnique() {
        try {
            Follower.await(pipeline.control(IngestEvent.BULK_FINISH, target, null));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("follower of table " + name + " interrupted");
        } catch (ExecutionException e) {
            throw new IllegalStateException("ingest writer failed", e.getCause());
        }
        long live = target.table.size();
        if (target.failure == null && live != bootstrapUpserts) {
            throw new IllegalStateException("the snapshot of version " + openVersion + " of " + where() + " has "
                    + bootstrapUpserts + " rows but " + live + " distinct keys: key columns " + keyNames()
                    + " do not identify rows uniquely");
        }
    }

    private List<String> keyNames() {
        List<String> names = new ArrayList<>();
        for (int k : target.schema.keyColumns()) {
            names.add(target.schema.column(k).name());
        }
        return names;
    }

    @Override
    public long storedVersion(RowBuffer keyRow) {
        checkRunning();
        if (target.table.lineage().version() < lastVersion) {
            // Versions ended here may still sit in the ring: the answer must count them.
            try {
                follower.settle(target);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CancellationException("follower of table " + name + " interrupted");
            } catch (ExecutionException e) {
                throw new IllegalStateException("ingest writer failed", e.getCause());
            }
        }
        if (keyReader == null || keyReader.table() != target.table) {
            keyReader = target.table.newReader();
        }
        return keyReader.get(keyRow) == ReadStatus.NOT_FOUND ? -1 : keyReader.version();
    }

    @Override
    public void end() {
        checkRunning();
        if (openVersion < 0) {
            throw new IllegalStateException("source " + where() + " ended a version it did not begin");
        }
        flushStage();
        if (!stageCommits) {
            checkKeysUnique();
        }
        pipeline.endVersion(target, openVersion, openTimestamp);
        lastVersion = openVersion;
        openVersion = -1;
    }
}
