package dev.larder.kafka;

import dev.larder.ingest.ChangeSink;
import dev.larder.ingest.ChangeSource;
import dev.larder.ingest.FollowOptions;
import dev.larder.ingest.Follower;
import dev.larder.ingest.LarderEngine;
import dev.larder.ingest.VersionWatch;
import dev.larder.store.ColumnType;
import dev.larder.store.FeatureSchema;
import dev.larder.store.Generations;
import dev.larder.store.RowBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A Kafka topic as an ingest {@link ChangeSource}: every record is an upsert of the row its value holds (one JSON
 * object or Avro record with the table's column names, see {@link KafkaValues}) under the key its record key holds,
 * and a tombstone (a null value) deletes the key; in a table with an event-time column ({@code TableOptions.eventTime})
 * a tombstone's event time is the record's timestamp (microseconds for a timestamp column, milliseconds for int64).
 * Called by the one follower thread of its table, which owns the consumer; {@link #stoppedPartitions()} may be read
 * from any thread.
 *
 * <p><b>Versions.</b> Version 0 is the topic's start: no rows, every partition at its earliest offset. Each later
 * version is what one poll of the consumer returned, applied through the same ring and single writer as a Delta
 * commit, all or nothing. The consumer is {@code assign}ed every partition of the topic and {@code seek}s to the
 * stored positions; it joins no group and commits nothing, so a consumer group's committed offsets play no part.
 *
 * <p><b>Exactly once across restarts.</b> The next offset of every partition after version {@code v} is appended to
 * the table's {@value SourcePositionFile#NAME} file, and fsynced, <em>before</em> {@code v}'s end reaches the writer;
 * the writer's publication of {@code v} in {@code state.dat} is the table's commit point, and a version not published
 * is rolled back when the table reopens. So whenever a table reopens at watermark {@code w}, the file holds the entry
 * written for the {@code w} that was published (the newest entry of that version: a version written, not published,
 * and written again after a restart appears twice, the later one being the one applied), and the rows in the table are
 * exactly those of the records before those offsets. A restart seeks there: records applied are not applied again,
 * records not applied are read again. Entries past {@code w} are dropped on restart, since they describe versions the
 * table does not hold.
 *
 * <p><b>Poison records.</b> A record that cannot be decoded (not JSON, or not Avro of a configured schema; an unknown
 * column, a value of the wrong type, no key) stops its partition at that record: the error, naming topic, partition
 * and offset, is logged and kept in {@link #stoppedPartitions()}, the partition's stored offset stays at the record,
 * and the other partitions and the table's readers go on. A restart retries the record (and stops there again until
 * the topic or the table's schema is fixed).
 *
 * <p>Offsets that are no longer in the topic (a topic recreated, or records deleted by retention before they were
 * applied) fail the feed with Kafka's error naming the partition: the follower retries with backoff, readers stay on
 * the last good version. Partitions added to the topic are picked up when the follower restarts.
 */
public final class KafkaChangeSource implements ChangeSource {
    private static final System.Logger LOG = System.getLogger(KafkaChangeSource.class.getName());
    /**
     * Most polled batches held for one call of {@link #changes}: several versions per call let the writer apply one
     * while the next is decoded, where one would leave each idle while the other works.
     */
    private static final int MAX_BATCHES = 8;

    private final KafkaFeed feed;
    private SourcePositionFile positions;
    private final Map<Integer, String> stopped = new ConcurrentHashMap<>();
    private KafkaConsumer<byte[], byte[]> consumer;
    private RowDecoder decoder;
    private FeatureSchema decoderSchema;
    /** The target's event-time column, set in a tombstone's row from the record's timestamp; -1: none. */
    private int eventTime = -1;
    private ColumnType eventTimeType;
    /** The version whose end positions {@link #next} holds, or -1 before the consumer is positioned. */
    private long positioned = -1;
    private Map<Integer, Long> next = new TreeMap<>();
    /** Polled batches not yet delivered, oldest first: the versions after {@link #positioned}, one each. */
    private final ArrayDeque<ConsumerRecords<byte[], byte[]>> pending = new ArrayDeque<>();

    /**
     * @param feed           the topic, its brokers, the table's schema and key, and consumer settings
     * @param tableDirectory the followed table's directory, where its Kafka positions are kept
     */
    public KafkaChangeSource(KafkaFeed feed, Path tableDirectory) {
        this.feed = feed;
        this.positions = new SourcePositionFile(tableDirectory.resolve(SourcePositionFile.NAME));
    }

    /**
     * Follows {@code feed} into table {@code table} of {@code engine}'s store (created with the feed's schema if new),
     * keeping the Kafka positions in the table's directory. A poll waits at most {@code options}' poll interval in the
     * consumer, so records are applied as they arrive.
     */
    public static Follower follow(LarderEngine engine, String table, KafkaFeed feed, FollowOptions options) {
        long gen = engine.store().currentGeneration(table);
        Path dir = engine.store().directory().resolve(Generations.name(table, Math.max(0, gen)));
        return engine.follow(table, new KafkaChangeSource(feed, dir), options);
    }

    /** The Kafka source {@code follower} follows, or null when it follows another kind of source. */
    public static KafkaChangeSource of(Follower follower) {
        return follower.source() instanceof KafkaChangeSource k ? k : null;
    }

    @Override
    public String id() {
        return "kafka-topic:" + feed.topic();
    }

    @Override
    public String path() {
        return "kafka://" + feed.bootstrapServers() + "/" + feed.topic();
    }

    @Override
    public FeatureSchema schema() {
        return feed.schema();
    }

    /**
     * The partitions stopped at a record they cannot apply, each with its error (topic, partition, offset and why);
     * empty while every partition flows. Thread-safe.
     */
    public Map<Integer, String> stoppedPartitions() {
        return Map.copyOf(stopped);
    }

    /** The errors of {@link #stoppedPartitions()}, in partition order: the table's status shows them. Thread-safe. */
    @Override
    public List<String> stoppedParts() {
        return List.copyOf(new TreeMap<>(stopped).values());
    }

    /** Version 0, the topic's start, is always there. */
    @Override
    public long latestVersion() {
        return 0;
    }

    @Override
    public long latestVersionAfter(long known) {
        if (positioned != known) {
            resume(known);
        }
        return known + pendingBatches();
    }

    /** Polls without waiting until {@link #MAX_BATCHES} batches are held or none comes; returns how many are held. */
    int pendingBatches() {
        while (pending.size() < MAX_BATCHES && poll(Duration.ZERO)) {
            continue;
        }
        return pending.size();
    }

    /** Keeps the positions in {@code tableDirectory} from now on (a table generation another source bootstrapped). */
    void moveTo(Path tableDirectory) {
        Path file = tableDirectory.resolve(SourcePositionFile.NAME);
        if (!file.equals(positions.path())) {
            positions.close();
            positions = new SourcePositionFile(file);
        }
    }

    /** Positions the consumer at the offsets stored with {@code version}, dropping what was polled after them. */
    void resumeAt(long version) {
        resume(version);
    }

    /** Delivers the oldest batch polled as {@code version}; its offsets are on disk before its end goes to the sink. */
    void deliverNext(long version, ChangeSink sink) {
        decodeFor(sink);
        deliver(version, pending.peekFirst(), sink);
        pending.removeFirst();
        positioned = version;
    }

    /**
     * Records that version {@code version}, made by another source, leaves every partition's offset where it was;
     * call before that version's end goes to the writer.
     */
    void carry(long version) {
        positions.append(version, next);
        positioned = version;
    }

    /** Polls once, waiting up to {@code max}; keeps a batch of records, if any, and says whether there was one. */
    private boolean poll(Duration max) {
        ConsumerRecords<byte[], byte[]> r = consumer.poll(max);
        if (r.isEmpty()) {
            return false;
        }
        pending.addLast(r);
        return true;
    }

    /** Waits in the consumer's poll, so a record is applied as soon as it arrives; closing it closes the consumer. */
    @Override
    public VersionWatch watch() {
        return new VersionWatch() {
            @Override
            public void await(long version, Duration max) throws InterruptedException {
                if (consumer == null || positioned != version) {
                    Thread.sleep(max);
                    return;
                }
                try {
                    if (pending.isEmpty()) {
                        poll(max);
                    }
                } catch (InterruptException e) {
                    throw new InterruptedException("the follower of " + path() + " stopped");
                }
            }

            @Override
            public void close() {
                closeConsumer();
            }
        };
    }

    @Override
    public void bootstrap(long version, ChangeSink sink) {
        startAt(version);
        sink.begin(version, System.currentTimeMillis());
        sink.end();
    }

    /** Stores every partition's earliest offset as {@code version}'s end, and positions the consumer there. */
    void startAt(long version) {
        openConsumer();
        Map<Integer, Long> start = new TreeMap<>();
        List<TopicPartition> parts = partitions();
        consumer.beginningOffsets(parts).forEach((tp, o) -> start.put(tp.partition(), o));
        positions.restartAt(version, start);
        seek(version, start, parts);
    }

    @Override
    public void changes(long afterVersion, long upToVersion, ChangeSink sink) {
        if (afterVersion != positioned || upToVersion > afterVersion + pending.size()) {
            throw new IllegalStateException("source " + path() + " holds " + pending.size() + " versions after "
                    + positioned + ", asked for (" + afterVersion + ", " + upToVersion + "]");
        }
        decodeFor(sink);
        for (long v = afterVersion + 1; v <= upToVersion; v++) {
            deliver(v, pending.peekFirst(), sink);
            pending.removeFirst();
            positioned = v;
        }
    }

    private void decodeFor(ChangeSink sink) {
        if (decoder == null || !sink.schema().equals(decoderSchema)) {
            decoder = feed.values().decoder(sink.schema());
            decoderSchema = sink.schema();
        }
        eventTime = sink.eventTimeColumn();
        eventTimeType = eventTime >= 0 ? sink.schema().type(eventTime) : null;
    }

    /** Delivers one polled batch as {@code version}; its offsets are on disk before its end goes to the writer. */
    private void deliver(long version, ConsumerRecords<byte[], byte[]> batch, ChangeSink sink) {
        long ts = 0;
        for (ConsumerRecord<byte[], byte[]> r : batch) {
            ts = Math.max(ts, r.timestamp());
        }
        Map<Integer, Long> after = new TreeMap<>(next);
        List<TopicPartition> stopping = new ArrayList<>();
        sink.begin(version, ts > 0 ? ts : System.currentTimeMillis());
        for (TopicPartition tp : batch.partitions()) {
            if (stopped.containsKey(tp.partition())) {
                continue;
            }
            for (ConsumerRecord<byte[], byte[]> r : batch.records(tp)) {
                RowBuffer row = sink.row();
                try {
                    decoder.key(r.key(), row);
                    if (r.value() != null) {
                        decoder.value(r.value(), row);
                    }
                } catch (IllegalArgumentException e) {
                    stop(tp, r, e);
                    stopping.add(tp);
                    break;
                }
                if (r.value() == null) {
                    if (eventTime >= 0) {
                        row.setLong(eventTime, eventTimeOf(r.timestamp(), eventTimeType));
                    }
                    sink.delete(row);
                } else {
                    sink.upsert(row);
                }
                after.put(tp.partition(), r.offset() + 1);
            }
        }
        positions.append(version, after);
        sink.end();
        next = after;
        if (!stopping.isEmpty()) {
            consumer.pause(stopping);
        }
    }

    /**
     * A timestamp in epoch milliseconds (a tombstone's, a batch commit's) as a value of an event-time column of type
     * {@code type}: microseconds for timestamps, the milliseconds themselves for int64.
     */
    static long eventTimeOf(long millis, ColumnType type) {
        return type == ColumnType.INT64 ? millis : Math.multiplyExact(millis, 1000L);
    }

    private void stop(TopicPartition tp, ConsumerRecord<byte[], byte[]> r, IllegalArgumentException e) {
        String error = "Kafka topic " + tp.topic() + " partition " + tp.partition() + " offset " + r.offset()
                + ": cannot apply the record (" + e.getMessage() + "); the partition stops there, the others go on";
        stopped.put(tp.partition(), error);
        LOG.log(System.Logger.Level.ERROR, error);
    }

    /** Positions the consumer at the offsets stored with {@code version}, the table's watermark. */
    private void resume(long version) {
        Map<Integer, Long> stored = positions.at(version);
        if (stored == null) {
            throw new IllegalStateException("no Kafka position stored for version " + version + " in "
                    + positions.path() + "; the table's rows cannot be matched to offsets of topic " + feed.topic()
                    + " (drop the table to follow the topic from its start)");
        }
        openConsumer();
        List<TopicPartition> parts = partitions();
        Map<Integer, Long> start = new TreeMap<>(stored);
        List<TopicPartition> added = new ArrayList<>();
        for (TopicPartition tp : parts) {
            if (!start.containsKey(tp.partition())) {
                added.add(tp);
            }
        }
        if (!added.isEmpty()) {
            consumer.beginningOffsets(added).forEach((tp, o) -> start.put(tp.partition(), o));
        }
        positions.restartAt(version, start);
        stopped.clear();
        seek(version, start, parts);
    }

    private void seek(long version, Map<Integer, Long> start, List<TopicPartition> parts) {
        consumer.assign(parts);
        consumer.resume(parts);
        for (TopicPartition tp : parts) {
            consumer.seek(tp, start.get(tp.partition()));
        }
        next = start;
        positioned = version;
        pending.clear();
        LOG.log(System.Logger.Level.INFO, "Kafka topic " + feed.topic() + " resumes after version " + version
                + " at offsets " + start + " (partition:offset)");
    }

    private List<TopicPartition> partitions() {
        List<PartitionInfo> infos = consumer.partitionsFor(feed.topic(), feed.requestTimeout());
        if (infos == null || infos.isEmpty()) {
            throw new IllegalStateException("Kafka topic " + feed.topic() + " not found at " + feed.bootstrapServers());
        }
        List<TopicPartition> parts = new ArrayList<>();
        for (PartitionInfo p : infos) {
            parts.add(new TopicPartition(p.topic(), p.partition()));
        }
        return parts;
    }

    private void openConsumer() {
        if (consumer != null) {
            return;
        }
        Map<String, Object> settings = new HashMap<>();
        settings.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 20_000);
        settings.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 32 << 20);
        settings.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 << 20);
        settings.put(ConsumerConfig.RECEIVE_BUFFER_CONFIG, 4 << 20);
        settings.putAll(feed.consumerSettings());
        // Positions live with the table, never in a group: these cannot be overridden.
        settings.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, feed.bootstrapServers());
        settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        settings.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        settings.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        settings.remove(ConsumerConfig.GROUP_ID_CONFIG);
        Properties p = new Properties();
        p.putAll(settings);
        consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private void closeConsumer() {
        positions.close();
        if (consumer != null) {
            // The follower closes the watch after an interrupt stopped it; the consumer's close would throw on it.
            boolean interrupted = Thread.interrupted();
            try {
                consumer.close();
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
                consumer = null;
                positioned = -1;
                pending.clear();
            }
        }
    }
}
