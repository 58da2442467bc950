package dev.larder.ingest;

import dev.larder.store.FeatureSchema;
import dev.larder.store.ReadStatus;
import dev.larder.store.RowBuffer;
import dev.larder.store.ShardSpec;
import dev.larder.store.TableReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;

/**
 * Delivers a source's rows into the ring for the table slot being filled, in batches; confined to one producer thread
 * (a follower's, or the caller of one of {@link LarderEngine}'s one-shot operations). This is how a bootstrap, a commit
 * of a change feed, a load and {@code apply-changes} reach the table's writer: the same ring and writer as an
 * application's pushes, with one ring handoff per batch instead of one per row.
 *
 * <p>Rows are framed as {@link ChangeRecordDescriptor} records into a batch buffer of {@link #BATCH_BYTES}, published
 * as one ring event when full (and at the end of a version); the writer lends each buffer back once it has applied
 * it, so a sink cycles through {@link #BATCHES} buffers and a slow writer holds the producer back. While reading
 * changes the sink stages each commit (one reused buffer) and enqueues it only at {@code end()}, up to the stage limit;
 * bootstraps stream, since their target is empty or not yet visible, and take upserts from other threads too
 * ({@link #lane()}), each with batch buffers of its own.
 */
final class RingSink implements ChangeSink {
    /** Bytes of one batch: about a thousand 200-byte rows per ring event. */
    static final int BATCH_BYTES = 256 << 10;
    /** Batch buffers per sink: the writer applies one while the producer fills the next. */
    static final int BATCHES = 4;

    private final IngestPipeline pipeline;
    private final TableHandle handle;
    private final String path;
    private final BooleanSupplier stopped;
    private final int commitStageBytes;
    private final boolean oneShot;
    /** This sink's own batches. */
    private final Batches batches = new Batches();
    /** The lanes of the open version, whose rows {@link #end()} delivers; guarded by itself. */
    private final List<RingLane> lanes = new ArrayList<>();
    private TableSlot target;
    private RowBuffer row;
    private long lastVersion;
    private long openVersion = -1;
    private long openTimestamp;
    private boolean stageCommits;
    private boolean streaming;
    /** Upserts of the open bootstrap version, to tell whether its key columns identify rows uniquely. */
    private long bootstrapUpserts;
    /**
     * The target's shards when it holds only some: changes to other shards' keys are dropped here, before the ring,
     * so the bootstrap's row count and the writer see only owned rows. Null when the target holds every key.
     */
    private ShardSpec shards;
    /** Scratch for the encoded key of a row whose shard is asked. */
    private byte[] shardKey;
    private byte[] stage = new byte[0];
    private int staged;
    /** Row-image bytes of the staged records (what the stage limit counts). */
    private int stagedImages;
    /** Answers {@link #storedVersion} for the target; replaced when the target's table changes. */
    private TableReader keyReader;
    /** {@link System#nanoTime()} of the first {@code begin} since {@link #open} (a poll's log work ends), or 0. */
    private long firstBeginNanos;

    /**
     * @param handle           the table's handle, named in messages
     * @param path             where the rows come from (path or URI), named in messages with credentials masked
     * @param stopped          whether the producer was asked to stop; checked once per change
     * @param commitStageBytes row-image bytes of a commit held back until its end (see
     *                         {@link FollowOptions#commitStageBytes()})
     * @param oneShot          a one-shot operation: every version is made durable before {@code end()} returns, and a
     *                         change the writer could not apply is rethrown as the writer saw it
     */
    RingSink(IngestPipeline pipeline, TableHandle handle, String path, BooleanSupplier stopped, int commitStageBytes,
             boolean oneShot) {
        this.pipeline = pipeline;
        this.handle = handle;
        this.path = path;
        this.stopped = stopped;
        this.commitStageBytes = commitStageBytes;
        this.oneShot = oneShot;
    }

    /** The source as messages name it, credentials masked. */
    private String where() {
        return Redaction.uris(path);
    }

    /**
     * Targets {@code s}, whose watermark is {@code after}: a change feed with {@code stage} (commits held back until
     * their end), a bootstrap without.
     */
    void open(TableSlot s, long after, boolean stage) {
        if (target == null || target.table != s.table) {
            row = s.table.newRow();
            shards = s.table.shardFilter();
            shardKey = new byte[row.keyCapacity()];
        }
        target = s;
        lastVersion = after;
        stageCommits = stage;
        firstBeginNanos = 0;
        reset();
    }

    /** {@link System#nanoTime()} when the first version since {@link #open} began, 0 if none did. */
    long firstBeginNanos() {
        return firstBeginNanos;
    }

    /** Forgets the open version and what of it was not yet enqueued. */
    void reset() {
        openVersion = -1;
        batches.batched = 0;
        synchronized (lanes) {
            lanes.clear();
        }
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
        return openVersion >= 0 ? openVersion : (target == null ? handle.lineage().version() : lastVersion) + 1;
    }

    private void checkRunning() {
        if (stopped.getAsBoolean()) {
            throw new CancellationException("the feed of table " + handle.name() + " stopped");
        }
    }

    @Override
    public FeatureSchema schema() {
        return target.schema;
    }

    @Override
    public ShardSpec shards() {
        return target.table.shards();
    }

    @Override
    public int eventTimeColumn() {
        return target.table.eventTimeColumn();
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
        if (firstBeginNanos == 0) {
            firstBeginNanos = System.nanoTime();
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
        target.checkSchema(r);
        if (shards != null && !shards.ownsRow(r, shardKey)) {
            return;
        }
        if (!stageCommits && op == ChangeRecordDescriptor.UPSERT) {
            bootstrapUpserts++;
        }
        int size = ChangeRecordDescriptor.size(r);
        if (!streaming) {
            // The limit counts row images, as it always has; the records' headers come on top.
            int image = size - ChangeRecordDescriptor.HEADER;
            if (stagedImages + image <= commitStageBytes) {
                if (stage.length < staged + size) {
                    stage = Arrays.copyOf(stage, Math.max(staged + size, stage.length * 2));
                }
                staged = ChangeRecordDescriptor.write(stage, staged, op, openVersion, openTimestamp, r);
                stagedImages += image;
                return;
            }
            flushStage();
            streaming = true;
        }
        batches.write(op, r, size);
    }

    /**
     * A lane of the open bootstrap version (streamed, so its upserts' order does not matter: the writer's bulk load
     * places them all at the version's end), or null while no such version is open. Thread-safe.
     */
    @Override
    public Lane lane() {
        if (openVersion < 0 || stageCommits) {
            return null;
        }
        RingLane lane = new RingLane(target.table.newRow());
        synchronized (lanes) {
            lanes.add(lane);
        }
        return lane;
    }

    /** Upserts of the open bootstrap version from one other thread, into batches of its own. */
    private final class RingLane implements Lane {
        private final RowBuffer laneRow;
        private final Batches laneBatches = new Batches();
        private long upserts;

        /** Scratch for the shard of a row's key (a lane has its own thread). */
        private final byte[] laneShardKey;

        RingLane(RowBuffer row) {
            this.laneRow = row;
            this.laneShardKey = new byte[row.keyCapacity()];
        }

        @Override
        public RowBuffer row() {
            return laneRow.clear();
        }

        @Override
        public void upsert(RowBuffer r) {
            checkRunning();
            target.checkSchema(r);
            if (shards != null && !shards.ownsRow(r, laneShardKey)) {
                return;
            }
            upserts++;
            laneBatches.write(ChangeRecordDescriptor.UPSERT, r, ChangeRecordDescriptor.size(r));
        }
    }

    /**
     * A producer's batch buffers: the one being filled, and up to {@link #BATCHES} in all, which the writer gives back
     * once applied; confined to the thread filling them.
     */
    private final class Batches {
        /** Batch buffers the writer has applied and given back. */
        private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(BATCHES);
        private int allocated;
        private byte[] batch;
        private int batched;

        /** Frames one change record of the open version ({@code size} bytes) into the batch being filled. */
        void write(byte op, RowBuffer r, int size) {
            batched = ChangeRecordDescriptor.write(room(size), batched, op, openVersion, openTimestamp, r);
        }

        /** Appends one framed record of {@code size} bytes from {@code src} at {@code at}. */
        void append(byte[] src, int at, int size) {
            System.arraycopy(src, at, room(size), batched, size);
            batched += size;
        }

        /** The batch being filled, published first if it cannot take {@code size} more bytes. */
        private byte[] room(int size) {
            if (batch != null && batched + size > batch.length) {
                publish();
            }
            if (batch == null) {
                batch = borrow(size);
            }
            return batch;
        }

        /** A free batch buffer; waits for the writer to give one back once all are in flight. */
        private byte[] borrow(int size) {
            if (size > BATCH_BYTES) {
                // A record larger than a batch (a row with very long values) travels in a buffer of its own size.
                return new byte[size];
            }
            byte[] b = free.poll();
            if (b != null) {
                return b;
            }
            if (allocated < BATCHES) {
                allocated++;
                return new byte[BATCH_BYTES];
            }
            try {
                return free.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CancellationException("the feed of table " + handle.name() + " was interrupted");
            }
        }

        /** Enqueues the batch being filled as one ring event; stops early once the writer has failed on the table. */
        void publish() {
            if (batched > 0) {
                checkNotFailed();
                pipeline.publishBatch(target, batch, batched, batch.length == BATCH_BYTES ? free : null);
                batch = null;
                batched = 0;
            }
        }
    }

    /** Moves the staged commit into batches. */
    private void flushStage() {
        for (int at = 0; at < staged; ) {
            checkRunning();
            int size = ChangeRecordDescriptor.recordSize(stage, at);
            batches.append(stage, at, size);
            at += size;
        }
        clearStage();
    }

    /**
     * A bootstrap fills an empty table, so fewer live rows than upserts (or a key the bulk load received twice) means
     * rows shared a key: refuse the snapshot before its version becomes the watermark, rather than keep an arbitrary
     * one of the rows.
     */
    private void checkKeysUnique() {
        await(pipeline.control(IngestEvent.BULK_FINISH, target, null));
        checkNotFailed();
        long live = target.table.size();
        String key = target.duplicateKey;
        if (live != bootstrapUpserts || key != null) {
            throw new IllegalArgumentException("the snapshot of version " + openVersion + " of " + where() + " has "
                    + bootstrapUpserts + " rows but " + live + " distinct keys: key columns " + keyNames()
                    + " do not identify rows uniquely" + (key == null ? "" : " (duplicate key " + key + ")"));
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
            settle();
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
        batches.publish();
        synchronized (lanes) {
            // The lanes' threads are done (joined): their batches and counts are this thread's to read.
            for (RingLane lane : lanes) {
                lane.laneBatches.publish();
                bootstrapUpserts += lane.upserts;
            }
            lanes.clear();
        }
        if (!stageCommits) {
            checkKeysUnique();
        }
        pipeline.endVersion(target, openVersion, openTimestamp);
        lastVersion = openVersion;
        openVersion = -1;
        if (oneShot) {
            await(pipeline.control(IngestEvent.SYNC, target, null));
            checkNotFailed();
        }
    }

    /** Waits until the writer has applied everything enqueued so far; throws if it could not apply a change. */
    void settle() {
        await(pipeline.control(IngestEvent.NOOP, target, null));
        checkNotFailed();
    }

    private void checkNotFailed() {
        TableSlot.Failure f = target.failure;
        if (f == null) {
            return;
        }
        if (oneShot) {
            // The caller sees what the writer threw (a full disk, say), as if it had written the table itself.
            if (f.cause() instanceof RuntimeException re) {
                throw re;
            }
            if (f.cause() instanceof Error err) {
                throw err;
            }
        }
        throw new FeedException(handle.name(), f.version(), path, f.cause());
    }

    /** Waits for a control event of the writer, as this sink's producer. */
    void await(Future<Void> f) {
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("the feed of table " + handle.name() + " was interrupted");
        } catch (ExecutionException e) {
            throw new IllegalStateException("ingest writer failed", e.getCause());
        }
    }
}
