package dev.larder.kafka;

import dev.larder.ingest.ChangeSink;
import dev.larder.ingest.ChangeSource;
import dev.larder.ingest.FollowOptions;
import dev.larder.ingest.Follower;
import dev.larder.ingest.LarderEngine;
import dev.larder.ingest.VersionWatch;
import dev.larder.store.ColumnType;
import dev.larder.store.FeatureSchema;
import dev.larder.store.FeatureStore;
import dev.larder.store.Generations;
import dev.larder.store.Lineage;
import dev.larder.store.RowBuffer;
import dev.larder.store.ShardSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One table fed by a batch source (a Delta table: bootstrap, then its change feed) and a Kafka topic of updates on
 * top, through the same ring and single writer; called by the one follower thread of its table.
 *
 * <p><b>Order.</b> The table must have an event-time column ({@code TableOptions.eventTime}), which decides between
 * the two sources: the writer applies a change to a key only if its event time is not older than the stored row's
 * (ties: the change applied later wins), so an older event never overwrites a newer value whichever source it came
 * from and in whatever order the two deliver. A delete's event time is when it happened: a Kafka tombstone's record
 * timestamp, a batch delete's commit timestamp (the batch source delivers deleted keys without their rows).
 *
 * <p><b>Versions.</b> The table's versions count what both sources delivered: each is one batch version (a Delta
 * commit, renumbered) or one polled Kafka batch, applied all or nothing. Version 0 is the batch source's snapshot with
 * every partition at its earliest offset. Before a version's end reaches the writer, the batch source's version it
 * reflects is appended to the table's {@code batch-position} file and every partition's next offset to its
 * {@value SourcePositionFile#NAME} file, both fsynced; so whenever the table reopens at watermark {@code w}, both
 * files say where each source resumes (exactly once, as for {@link KafkaChangeSource}). Batch versions waiting are
 * delivered before Kafka batches: the event-time rule makes the order of the two immaterial to the result.
 *
 * <p><b>Re-bootstrap.</b> When the batch source's history is gone the follower bootstraps a new generation from its
 * latest snapshot; the Kafka offsets then restart at every partition's earliest retained offset, so the retained topic
 * is applied again on top of the snapshot and the event-time rule keeps the newer of the two for each key. Values
 * applied from records that retention has deleted since are lost unless the snapshot holds a newer one.
 */
public final class BatchAndKafkaSource implements ChangeSource {
    /** The file, in the table's directory, of the batch source's version each table version reflects. */
    static final String BATCH_POSITION = "batch-position";

    private final ChangeSource batch;
    private final KafkaFeed feed;
    private final KafkaChangeSource kafka;
    private final FeatureStore store;
    private final String table;
    private SourcePositionFile batchPositions;
    /** The table version the sources are positioned after, or -1 before they are. */
    private long positioned = -1;
    /** The batch source's version that {@link #positioned} reflects. */
    private long batchAt = -1;
    /** The newest batch version known: those after {@link #batchAt} come next. */
    private long batchLatest = -1;

    /**
     * @param batch the batch source, e.g. a Delta table's; its schema is the table's, with the event-time column
     * @param feed  the Kafka topic of updates (its schema is not used: records fill the batch source's columns)
     * @param store the store holding (or to hold) the table, whose directories keep both sources' positions
     * @param table the table's name
     */
    public BatchAndKafkaSource(ChangeSource batch, KafkaFeed feed, FeatureStore store, String table) {
        this.batch = batch;
        this.feed = feed;
        this.store = store;
        this.table = table;
        Path dir = generationDirectory(false);
        this.kafka = new KafkaChangeSource(feed, dir);
        this.batchPositions = new SourcePositionFile(dir.resolve(BATCH_POSITION));
    }

    /**
     * Follows {@code batch} and {@code feed} into table {@code table} of {@code engine}'s store, created if new with
     * {@code options}' table options, which must name an event-time column of the batch source's schema.
     *
     * @throws IllegalArgumentException when the options name no event-time column
     */
    public static Follower follow(LarderEngine engine, String table, ChangeSource batch, KafkaFeed feed,
                                  FollowOptions options) {
        if (options.tableOptions().eventTime().isEmpty()) {
            throw new IllegalArgumentException("table " + table + " is fed by " + batch.path() + " and Kafka topic "
                    + feed.topic() + ": its table options must name an event-time column to order the two");
        }
        return engine.follow(table, new BatchAndKafkaSource(batch, feed, engine.store(), table), options);
    }

    /** The Kafka side of {@code follower}'s source, or null when it follows another kind of source. */
    public static KafkaChangeSource kafkaOf(Follower follower) {
        return follower.source() instanceof BatchAndKafkaSource b ? b.kafka : null;
    }

    @Override
    public String id() {
        return batch.id() + "+kafka-topic:" + feed.topic();
    }

    @Override
    public String path() {
        return batch.path();
    }

    @Override
    public Lineage origin() {
        Lineage o = batch.origin();
        return new Lineage(id(), o.sourcePath(), -1, 0, o.catalogTable(), o.catalogTableId());
    }

    @Override
    public FeatureSchema schema() {
        return batch.schema();
    }

    /** The Kafka side's stopped partitions ({@link KafkaChangeSource#stoppedParts}): the table's status shows them. */
    @Override
    public List<String> stoppedParts() {
        return kafka.stoppedParts();
    }

    /**
     * The version a bootstrap lands at: 0 for a new table, else one past the versions delivered, so a re-bootstrapped
     * generation's versions go on growing; -1 while the batch source has no version.
     */
    @Override
    public long latestVersion() {
        return batch.latestVersion() < 0 ? -1 : positioned + 1;
    }

    @Override
    public long latestVersionAfter(long known) {
        if (positioned != known) {
            resume(known);
        }
        if (batchLatest == batchAt) {
            batchLatest = batch.latestVersionAfter(batchAt);
        }
        return known + (batchLatest - batchAt) + kafka.pendingBatches();
    }

    /** Waits in the Kafka consumer's poll; batch versions are looked for at each of the follower's polls. */
    @Override
    public VersionWatch watch() {
        VersionWatch w = kafka.watch();
        return new VersionWatch() {
            @Override
            public void await(long version, Duration max) throws InterruptedException {
                w.await(version, max);
            }

            @Override
            public void close() {
                positioned = -1;
                w.close();
                batchPositions.close();
            }
        };
    }

    @Override
    public void bootstrap(long version, ChangeSink sink) {
        // The newest generation is the one bootstrapped: the table itself, or the next one beside it.
        moveTo(generationDirectory(true));
        long b = batch.latestVersion();
        kafka.startAt(version);
        batchPositions.restartAt(version, Map.of(0, b));
        batch.bootstrap(b, new Renumbered(sink, version, null));
        positioned = version;
        batchAt = b;
        batchLatest = b;
    }

    @Override
    public void changes(long afterVersion, long upToVersion, ChangeSink sink) {
        long held = (batchLatest - batchAt) + kafka.pendingBatches();
        if (afterVersion != positioned || upToVersion > afterVersion + held) {
            throw new IllegalStateException("source " + path() + " with Kafka topic " + feed.topic() + " holds "
                    + (batchLatest - batchAt) + " batch versions after " + batchAt + " and " + kafka.pendingBatches()
                    + " Kafka batches after version " + positioned + ", asked for (" + afterVersion + ", "
                    + upToVersion + "]");
        }
        for (long v = afterVersion + 1; v <= upToVersion; v++) {
            long version = v;
            if (batchAt < batchLatest) {
                long b = batchAt + 1;
                batch.changes(batchAt, b, new Renumbered(sink, version, () -> {
                    kafka.carry(version);
                    batchPositions.append(version, Map.of(0, b));
                }));
                batchAt = b;
            } else {
                long b = batchAt;
                kafka.deliverNext(version, new Renumbered(sink, version,
                        () -> batchPositions.append(version, Map.of(0, b))));
            }
            positioned = version;
        }
    }

    /** Positions both sources after table version {@code version}, from the positions stored with it. */
    private void resume(long version) {
        moveTo(generationDirectory(false));
        Map<Integer, Long> b = batchPositions.at(version);
        if (b == null || !b.containsKey(0)) {
            throw new IllegalStateException("no batch position stored for version " + version + " in "
                    + batchPositions.path() + "; the table's rows cannot be matched to versions of " + path()
                    + " (drop the table to bootstrap it again)");
        }
        batchPositions.restartAt(version, b);
        kafka.resumeAt(version);
        batchAt = b.get(0);
        batchLatest = batchAt;
        positioned = version;
    }

    private void moveTo(Path dir) {
        kafka.moveTo(dir);
        Path file = dir.resolve(BATCH_POSITION);
        if (!file.equals(batchPositions.path())) {
            batchPositions.close();
            batchPositions = new SourcePositionFile(file);
        }
    }

    /** The directory of the table's current generation, or of its newest one (one being bootstrapped). */
    private Path generationDirectory(boolean newest) {
        long g = 0;
        if (store.exists(table)) {
            List<Long> gens = store.generations(table);
            g = newest ? gens.get(gens.size() - 1) : store.currentGeneration(table);
        }
        return store.directory().resolve(Generations.name(table, Math.max(0, g)));
    }

    /**
     * A sink passing changes on as table version {@code version}: it runs {@code beforeEnd} (storing positions) before
     * the end, gives a delete without an event time its version's timestamp, and cannot tell which version wrote a
     * stored row (the other source may hold any key).
     */
    private static final class Renumbered implements ChangeSink {
        private final ChangeSink sink;
        private final long version;
        private final Runnable beforeEnd;
        private final int eventTime;
        private final ColumnType eventTimeType;
        private long commitTimestampMillis;

        Renumbered(ChangeSink sink, long version, Runnable beforeEnd) {
            this.sink = sink;
            this.version = version;
            this.beforeEnd = beforeEnd;
            this.eventTime = sink.eventTimeColumn();
            this.eventTimeType = eventTime >= 0 ? sink.schema().type(eventTime) : null;
        }

        @Override
        public FeatureSchema schema() {
            return sink.schema();
        }

        @Override
        public ShardSpec shards() {
            return sink.shards();
        }

        @Override
        public int eventTimeColumn() {
            return eventTime;
        }

        @Override
        public RowBuffer row() {
            return sink.row();
        }

        @Override
        public void begin(long sourceVersion, long commitTimestampMillis) {
            this.commitTimestampMillis = commitTimestampMillis;
            sink.begin(version, commitTimestampMillis);
        }

        @Override
        public void upsert(RowBuffer row) {
            sink.upsert(row);
        }

        @Override
        public void delete(RowBuffer keyRow) {
            if (eventTime >= 0 && keyRow.isNull(eventTime)) {
                keyRow.setLong(eventTime, KafkaChangeSource.eventTimeOf(commitTimestampMillis, eventTimeType));
            }
            sink.delete(keyRow);
        }

        @Override
        public void end() {
            if (beforeEnd != null) {
                beforeEnd.run();
            }
            sink.end();
        }

        @Override
        public Lane lane() {
            return sink.lane();
        }
    }
}
