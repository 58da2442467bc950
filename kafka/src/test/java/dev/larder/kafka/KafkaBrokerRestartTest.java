package dev.larder.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.ingest.Follower;
import dev.larder.ingest.IngestMetricsSnapshot;
import dev.larder.ingest.IngestOptions;
import dev.larder.ingest.LarderEngine;
import dev.larder.ingest.SyncPolicy;
import dev.larder.store.FeatureTable;
import dev.larder.store.ReadStatus;
import dev.larder.store.TableReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of the broker, several times, while a follower consumes: each time the broker is restarted on the same log
 * directory and port, the feed resumes on its own, and in the end the table equals the topic's contents, every record
 * applied exactly once (the writer's upsert and delete counts equal the records produced) and the offsets stored
 * with the watermark at the topic's end.
 */
class KafkaBrokerRestartTest {
    private static final int KILLS = 3;
    private static final int PARTITIONS = 3;
    private static final int RECORDS_PER_ROUND = 6_000;
    private static final int KEYS = 1_500;

    @TempDir
    Path brokerDir;
    @TempDir
    Path store;

    /** One produced record: its key, clicks (-1: a tombstone), partition and offset. */
    private record Sent(String key, long clicks, int partition, long offset) {
    }

    @Test
    void aBrokerKilledAndRestartedLosesNorRepeatsARecord() throws Exception {
        Random random = new Random(5);
        List<Sent> sent = new ArrayList<>();
        // A broker restarted after kill -9 registers only once the controller has expired its killed incarnation's
        // session: a shorter session than the other tests' keeps each restart to seconds.
        try (KafkaBroker broker = KafkaBroker.start(brokerDir, Map.of("broker.session.timeout.ms", "8000",
                "initial.broker.registration.timeout.ms", "90000"))) {
            broker.createTopic("restarts", PARTITIONS);
            // Small polls and a sync per version keep the follower busy for a while after each round is produced, so
            // the kill lands while it consumes; the consumer gives up on a dead broker quickly and retries often.
            KafkaFeed feed = new KafkaFeed(broker.bootstrap(), "restarts", KafkaChangeSourceTest.SCHEMA,
                    Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 100, ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG,
                            500, ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000), Duration.ofSeconds(30));
            IngestOptions ingest = IngestOptions.DEFAULT.withRingSize(1024).withJmx(false)
                    .withSyncPolicy(new SyncPolicy(1, Duration.ZERO));
            try (LarderEngine engine = LarderEngine.open(store, ingest)) {
                Follower f = KafkaChangeSource.follow(engine, "restarts", feed, KafkaChangeSourceTest.follow());
                FeatureTable t = f.handle().table();
                for (int kill = 0; kill < KILLS; kill++) {
                    produce(broker, sent, random, kill);
                    Map<Integer, Long> before = stored(f);
                    // Killed once the follower has applied part of the round, not all of it.
                    KafkaChangeSourceTest.await("the follower consuming round " + kill,
                            () -> consumed(stored(f)) > consumed(before));
                    broker.kill();
                    long applied = consumed(stored(f));
                    System.out.println("kill " + kill + ": broker killed at " + applied + " of " + sent.size()
                            + " records applied");
                    broker.startProcess();
                }
                produce(broker, sent, random, KILLS);
                Map<String, Long> all = fold(sent);
                Map<Integer, Long> end = endOffsets(sent);
                KafkaChangeSourceTest.await("the whole topic after " + KILLS + " broker restarts",
                        () -> stored(f).equals(end) && equal(t, all) && applied(engine) >= sent.size());
                IngestMetricsSnapshot m = engine.metrics();
                assertEquals(sent.size(), m.upserts() + m.deletes(), "every record applied once: " + m);
                assertTrue(f.status().stoppedParts().isEmpty(), f.status().toString());
                assertTrue(equal(t, all));
            }
        }
    }

    /**
     * The offsets stored with the follower's watermark (none before its first version), read from the file as a
     * restart would: the source's own copy belongs to the follower thread.
     */
    private Map<Integer, Long> stored(Follower f) {
        long watermark = f.handle().table().lineage().version();
        Map<Integer, Long> at = watermark < 0 ? null
                : new SourcePositionFile(store.resolve("restarts").resolve(SourcePositionFile.NAME)).at(watermark);
        return at == null ? Map.of() : at;
    }

    private static long consumed(Map<Integer, Long> offsets) {
        return offsets.values().stream().mapToLong(Long::longValue).sum();
    }

    private static long applied(LarderEngine engine) {
        IngestMetricsSnapshot m = engine.metrics();
        return m.upserts() + m.deletes();
    }

    /** Produces a round of records, every one acknowledged, with its partition and offset. */
    private static void produce(KafkaBroker broker, List<Sent> sent, Random random, int round) throws Exception {
        List<String> keys = new ArrayList<>();
        List<Long> clicks = new ArrayList<>();
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        try (KafkaProducer<String, String> p = broker.producer()) {
            for (int i = 0; i < RECORDS_PER_ROUND; i++) {
                String key = "k" + random.nextInt(KEYS);
                long c = (long) round * RECORDS_PER_ROUND + i;
                boolean tombstone = random.nextInt(10) == 0;
                keys.add(key);
                clicks.add(tombstone ? -1L : c);
                acks.add(p.send(new ProducerRecord<>("restarts", key,
                        tombstone ? null : KafkaChangeSourceTest.row(c, c / 2.0, "n" + c))));
            }
            p.flush();
        }
        for (int i = 0; i < RECORDS_PER_ROUND; i++) {
            RecordMetadata m = acks.get(i).get(60, TimeUnit.SECONDS);
            sent.add(new Sent(keys.get(i), clicks.get(i), m.partition(), m.offset()));
        }
    }

    /** Key to clicks after every record, in partition order (keys map to one partition each). */
    private static Map<String, Long> fold(List<Sent> sent) {
        Map<String, Long> m = new HashMap<>();
        for (Sent s : sent) {
            if (s.clicks < 0) {
                m.remove(s.key);
            } else {
                m.put(s.key, s.clicks);
            }
        }
        return m;
    }

    private static Map<Integer, Long> endOffsets(List<Sent> sent) {
        Map<Integer, Long> end = new HashMap<>();
        for (Sent s : sent) {
            end.merge(s.partition, s.offset + 1, Math::max);
        }
        return end;
    }

    private static boolean equal(FeatureTable t, Map<String, Long> expected) {
        if (t.size() != expected.size()) {
            return false;
        }
        TableReader r = t.newReader();
        for (Map.Entry<String, Long> e : expected.entrySet()) {
            if (r.get(e.getKey()) != ReadStatus.FOUND || r.getLong(1) != e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
