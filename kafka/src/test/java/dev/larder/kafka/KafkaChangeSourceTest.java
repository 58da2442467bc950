package dev.larder.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.larder.ingest.FollowOptions;
import dev.larder.ingest.Follower;
import dev.larder.ingest.IngestOptions;
import dev.larder.ingest.LarderEngine;
import dev.larder.ingest.SyncPolicy;
import dev.larder.store.FeatureSchema;
import dev.larder.store.FeatureTable;
import dev.larder.store.ReadStatus;
import dev.larder.store.TableReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A topic on a real broker (KRaft, child JVM on loopback) followed into a table. */
class KafkaChangeSourceTest {
    static final FeatureSchema SCHEMA = KafkaFeed.schema("id string, clicks int64, score float64, name string", "id");

    @TempDir
    static Path brokerDir;
    static KafkaBroker broker;

    @TempDir
    Path store;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = KafkaBroker.start(brokerDir);
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    static IngestOptions ingest() {
        return IngestOptions.DEFAULT.withRingSize(1024).withJmx(false)
                .withSyncPolicy(SyncPolicy.coalesced(100, Duration.ofMillis(20)));
    }

    static FollowOptions follow() {
        return FollowOptions.DEFAULT.withPollInterval(Duration.ofMillis(100))
                .withRetry(Duration.ofMillis(50), Duration.ofMillis(500));
    }

    static String row(long clicks, double score, String name) {
        return "{\"clicks\": " + clicks + ", \"score\": " + score + ", \"name\": \"" + name + "\"}";
    }

    /** What the table should hold: key to clicks (the tests keep score = clicks / 2 and name = "n" + clicks). */
    static void put(KafkaProducer<String, String> p, String topic, Integer partition, String key, long clicks,
                    Map<String, Long> model) throws Exception {
        p.send(new ProducerRecord<>(topic, partition, key, row(clicks, clicks / 2.0, "n" + clicks))).get();
        model.put(key, clicks);
    }

    static void delete(KafkaProducer<String, String> p, String topic, String key, Map<String, Long> model)
            throws Exception {
        p.send(new ProducerRecord<>(topic, key, null)).get();
        model.remove(key);
    }

    /** Whether the table holds exactly {@code model}. */
    static boolean holds(FeatureTable t, Map<String, Long> model) {
        if (t.size() != model.size()) {
            return false;
        }
        TableReader r = t.newReader();
        for (Map.Entry<String, Long> e : model.entrySet()) {
            if (r.get(e.getKey()) != ReadStatus.FOUND || r.getLong(1) != e.getValue()
                    || r.getDouble(2) != e.getValue() / 2.0 || !r.getString(3).equals("n" + e.getValue())) {
                return false;
            }
        }
        return true;
    }

    /** Waits for a state the code under test will reach; the bound only ends a broken run. */
    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void updatesAndTombstonesLandInTheTable() throws Exception {
        broker.createTopic("users", 3);
        Map<String, Long> model = new HashMap<>();
        try (KafkaProducer<String, String> p = broker.producer()) {
            for (int i = 0; i < 300; i++) {
                put(p, "users", null, "u" + (i % 100), i, model);
            }
            for (int i = 0; i < 100; i += 3) {
                delete(p, "users", "u" + i, model);
            }
        }
        try (LarderEngine engine = LarderEngine.open(store, ingest())) {
            Follower f = KafkaChangeSource.follow(engine, "users", new KafkaFeed(broker.bootstrap(), "users", SCHEMA),
                    follow());
            await("the topic in the table", () -> holds(f.handle().table(), model));
            assertEquals(SCHEMA, f.handle().table().schema());
            assertEquals("kafka-topic:users", f.handle().lineage().sourceId());
            try (KafkaProducer<String, String> p = broker.producer()) {
                put(p, "users", null, "u0", 1000, model);
                delete(p, "users", "u1", model);
                put(p, "users", null, "new", 7, model);
            }
            await("later records in the table", () -> holds(f.handle().table(), model));
            assertTrue(KafkaChangeSource.of(f).stoppedPartitions().isEmpty());
        }
    }

    @Test
    void restartResumesFromTheStoredOffsetsNotTheGroups() throws Exception {
        broker.createTopic("clicks", 2);
        Map<String, Long> model = new HashMap<>();
        KafkaFeed feed = new KafkaFeed(broker.bootstrap(), "clicks", SCHEMA, Map.of("group.id", "larder-clicks"),
                Duration.ofSeconds(30));
        long before;
        try (KafkaProducer<String, String> p = broker.producer()) {
            for (int i = 0; i < 200; i++) {
                put(p, "clicks", null, "k" + i, i, model);
            }
        }
        try (LarderEngine engine = LarderEngine.open(store, ingest())) {
            Follower f = KafkaChangeSource.follow(engine, "clicks", feed, follow());
            // Rows appear as their version is applied: the version is complete once none is being applied.
            await("first records", () -> holds(f.handle().table(), model)
                    && f.handle().table().applyingVersion() < 0);
            before = f.handle().lineage().version();
        }
        try (KafkaProducer<String, String> p = broker.producer()) {
            for (int i = 0; i < 50; i++) {
                put(p, "clicks", null, "k" + i, 1000 + i, model);
                put(p, "clicks", null, "fresh" + i, i, model);
            }
        }
        // A group's committed offsets that would replay everything: the table's own positions must win.
        try (Admin a = broker.admin()) {
            a.alterConsumerGroupOffsets("larder-clicks", Map.of(new TopicPartition("clicks", 0),
                    new OffsetAndMetadata(0), new TopicPartition("clicks", 1), new OffsetAndMetadata(0)))
                    .all().get(30, TimeUnit.SECONDS);
        }
        try (LarderEngine engine = LarderEngine.open(store, ingest())) {
            Follower f = KafkaChangeSource.follow(engine, "clicks", feed, follow());
            await("records produced while stopped", () -> holds(f.handle().table(), model));
            TableReader r = f.handle().table().newReader();
            for (int i = 50; i < 200; i++) {
                assertEquals(ReadStatus.FOUND, r.get("k" + i));
                assertTrue(r.version() <= before, "k" + i + " was written again after the restart, by version "
                        + r.version() + " (the table was at " + before + ")");
            }
            for (int i = 0; i < 50; i++) {
                assertEquals(ReadStatus.FOUND, r.get("k" + i));
                assertTrue(r.version() > before, "k" + i + " has its update from after the restart");
            }
        }
    }

    @Test
    void aPoisonRecordStopsItsPartitionOnly() throws Exception {
        broker.createTopic("mixed", 4);
        Map<String, Long> model = new HashMap<>();
        List<String> poison = List.of("not json", "{\"nope\": 1}", "{\"clicks\": \"many\"}");
        try (KafkaProducer<String, String> p = broker.producer()) {
            for (int part = 0; part < 4; part++) {
                for (int i = 0; i < 10; i++) {
                    put(p, "mixed", part, "p" + part + "-" + i, i, model);
                }
                if (part < 3) {
                    p.send(new ProducerRecord<>("mixed", part, "bad" + part, poison.get(part))).get();
                    for (int i = 10; i < 15; i++) {
                        p.send(new ProducerRecord<>("mixed", part, "p" + part + "-" + i, row(i, i / 2.0, "n" + i)))
                                .get();
                    }
                }
            }
        }
        try (LarderEngine engine = LarderEngine.open(store, ingest())) {
            Follower f = KafkaChangeSource.follow(engine, "mixed", new KafkaFeed(broker.bootstrap(), "mixed", SCHEMA),
                    follow());
            KafkaChangeSource src = KafkaChangeSource.of(f);
            await("three partitions stopped", () -> src.stoppedPartitions().size() == 3);
            await("the records before the poison", () -> holds(f.handle().table(), model));
            Map<Integer, String> stopped = src.stoppedPartitions();
            for (int part = 0; part < 3; part++) {
                assertTrue(stopped.get(part).startsWith("Kafka topic mixed partition " + part + " offset 10: "),
                        stopped.get(part));
            }
            assertTrue(stopped.get(0).contains("expected '{'"), stopped.get(0));
            assertTrue(stopped.get(1).contains("unknown column 'nope'"), stopped.get(1));
            assertTrue(stopped.get(2).contains("column clicks (int64): expected an integer"), stopped.get(2));
            try (KafkaProducer<String, String> p = broker.producer()) {
                put(p, "mixed", 3, "later", 5, model);
            }
            await("the healthy partition goes on", () -> holds(f.handle().table(), model));
        }
        try (LarderEngine engine = LarderEngine.open(store, ingest())) {
            Follower f = KafkaChangeSource.follow(engine, "mixed", new KafkaFeed(broker.bootstrap(), "mixed", SCHEMA),
                    follow());
            KafkaChangeSource src = KafkaChangeSource.of(f);
            await("the same partitions stopped after a restart", () -> src.stoppedPartitions().size() == 3);
            assertTrue(src.stoppedPartitions().get(1).contains("offset 10: "), src.stoppedPartitions().get(1));
            assertTrue(holds(f.handle().table(), model), "nothing after a poison record was applied");
        }
    }

    @Test
    void aBrokerRestartOnlyPausesTheFeed() throws Exception {
        broker.createTopic("restarts", 2);
        Map<String, Long> model = new HashMap<>();
        try (LarderEngine engine = LarderEngine.open(store, ingest())) {
            Follower f = KafkaChangeSource.follow(engine, "restarts", new KafkaFeed(broker.bootstrap(), "restarts",
                    SCHEMA), follow());
            try (KafkaProducer<String, String> p = broker.producer()) {
                for (int i = 0; i < 100; i++) {
                    put(p, "restarts", null, "r" + i, i, model);
                }
            }
            await("records before the restart", () -> holds(f.handle().table(), model));
            broker.stop();
            TableReader r = f.handle().table().newReader();
            assertEquals(ReadStatus.FOUND, r.get("r7"), "readers are served while the broker is down");
            broker.startProcess();
            try (KafkaProducer<String, String> p = broker.producer()) {
                for (int i = 50; i < 150; i++) {
                    put(p, "restarts", null, "r" + i, 1000 + i, model);
                }
            }
            await("records after the restart", () -> holds(f.handle().table(), model));
        }
    }

    @Test
    void aTopicRecreatedWithLowerOffsetsFailsTheFeedNamingThePartition() throws Exception {
        broker.createTopic("recreated", 1);
        Map<String, Long> model = new HashMap<>();
        try (KafkaProducer<String, String> p = broker.producer()) {
            for (int i = 0; i < 50; i++) {
                put(p, "recreated", null, "x" + i, i, model);
            }
        }
        try (LarderEngine engine = LarderEngine.open(store, ingest())) {
            Follower f = KafkaChangeSource.follow(engine, "recreated", new KafkaFeed(broker.bootstrap(), "recreated",
                    SCHEMA), follow());
            await("the first records", () -> holds(f.handle().table(), model));
        }
        try (Admin a = broker.admin()) {
            a.deleteTopics(List.of("recreated")).all().get(60, TimeUnit.SECONDS);
        }
        await("the topic gone", () -> {
            try (Admin a = broker.admin()) {
                return !a.listTopics().names().get(30, TimeUnit.SECONDS).contains("recreated");
            } catch (Exception e) {
                return false;
            }
        });
        createAgain("recreated");
        try (KafkaProducer<String, String> p = broker.producer()) {
            p.send(new ProducerRecord<>("recreated", "y", row(1, 0.5, "n1"))).get();
        }
        try (LarderEngine engine = LarderEngine.open(store, ingest())) {
            Follower f = KafkaChangeSource.follow(engine, "recreated", new KafkaFeed(broker.bootstrap(), "recreated",
                    SCHEMA), follow());
            await("the feed failing", () -> f.status().lastError() != null);
            String error = f.status().lastError();
            assertTrue(error.contains("recreated-0"), error);
            assertTrue(holds(f.handle().table(), model), "the table stays at its last good version");
        }
    }

    /** Creates a topic just deleted, once the broker has finished deleting it. */
    private static void createAgain(String topic) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                broker.createTopic(topic, 1);
                return;
            } catch (java.util.concurrent.ExecutionException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }
}
