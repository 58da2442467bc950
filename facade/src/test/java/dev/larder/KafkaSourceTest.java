package dev.larder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.kafka.KafkaBroker;
import dev.larder.store.SparkHash;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka sources through the facade: {@link Source#kafka} on the builder and {@code kafka:} in a definition file, with
 * shards, a restart resuming from the stored offsets, and a poison record in a table's status. A real broker (KRaft,
 * child JVM on loopback).
 */
class KafkaSourceTest {
    private static final String SCHEMA = "id int64, clicks int64, name string";
    @TempDir
    static Path brokerDir;
    static KafkaBroker broker;

    @TempDir
    Path dir;

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

    /** Produces keys {@code from..to-1} (clicks = 10 * key + round), deletes every fifth; updates {@code model}. */
    private static void produce(String topic, long from, long to, int round, Map<Long, Long> model) throws Exception {
        try (KafkaProducer<String, String> p = broker.producer()) {
            for (long k = from; k < to; k++) {
                p.send(new ProducerRecord<>(topic, Long.toString(k), "{\"clicks\": " + (10 * k + round)
                        + ", \"name\": \"n" + k + "\"}"));
                model.put(k, 10 * k + round);
            }
            for (long k = from; k < to; k += 5) {
                p.send(new ProducerRecord<>(topic, Long.toString(k), null));
                model.remove(k);
            }
            p.flush();
        }
    }

    private static void await(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "waited 60 s for " + what);
            Thread.sleep(50);
        }
    }

    /** Whether table {@code name} holds exactly {@code model} (keys below {@code keys}), of the shards it owns. */
    private static boolean holds(Larder larder, String name, Map<Long, Long> model, long keys, int count, int... own) {
        Reader r = larder.table(name).newReader();
        long expected = 0;
        for (long k = 0; k < keys; k++) {
            int shard = SparkHash.shardOf(SparkHash.hashLong(k, SparkHash.SEED), count);
            boolean owned = count == 1 || java.util.Arrays.stream(own).anyMatch(o -> o == shard);
            ReadStatus st = r.get(k);
            if (!owned) {
                if (st != ReadStatus.NOT_OWNED) {
                    return false;
                }
            } else if (model.containsKey(k)) {
                expected++;
                if (st != ReadStatus.FOUND || r.getLong("clicks", -1) != model.get(k)
                        || !r.getString("name", "").equals("n" + k)) {
                    return false;
                }
            } else if (st != ReadStatus.NOT_FOUND) {
                return false;
            }
        }
        return larder.table(name).size() == expected;
    }

    @Test
    void theBuilderFollowsATopicAndResumesFromTheStoredOffsets() throws Exception {
        broker.createTopic("built", 3);
        Map<Long, Long> model = new HashMap<>();
        produce("built", 0, 300, 0, model);
        Path store = dir.resolve("store");
        Source source = Source.kafka(broker.bootstrap(), "built").key("id").schema(SCHEMA)
                .setting("client.id", "larder-facade-test");
        try (Larder larder = Larder.builder(store).pollInterval(Duration.ofMillis(50)).follow("built", source).open()) {
            await("the first 300 keys", () -> holds(larder, "built", model, 300, 1));
            TableStatus st = larder.table("built").status();
            assertEquals(TableStatus.State.FOLLOWING, st.state());
            assertTrue(st.healthy() && st.stoppedParts().isEmpty(), st.toString());
            assertEquals("kafka://" + broker.bootstrap() + "/built", larder.table("built").source());
            produce("built", 200, 400, 1, model);
            await("the updates", () -> holds(larder, "built", model, 400, 1));
        }
        produce("built", 350, 500, 2, model);
        // Reopened without a schema: the stored table's; the records produced while closed are applied once.
        try (Larder larder = Larder.builder(store).pollInterval(Duration.ofMillis(50))
                .follow("built", Source.kafka(broker.bootstrap(), "built").key("id")).open()) {
            assertTrue(larder.awaitReady(Duration.ofSeconds(30)));
            await("the records produced while closed", () -> holds(larder, "built", model, 500, 1));
        }
    }

    @Test
    void aDefinitionFollowsAKafkaTableWithShardsAndAVector() throws Exception {
        broker.createTopic("defined", 2);
        Map<Long, Long> model = new HashMap<>();
        produce("defined", 0, 200, 0, model);
        Path file = dir.resolve("features.yaml");
        Files.writeString(file, String.join("\n",
                "store: " + dir.resolve("store"),
                "poll_interval: 50ms",
                "tables:",
                "  clicks:",
                "    kafka: {bootstrap: '" + broker.bootstrap() + "', topic: defined, schema: '" + SCHEMA + "'}",
                "    key: id",
                "    settings: {client.id: larder-definition-test}",
                "    max_staleness: 10m",
                "    defaults: {clicks: -1}",
                "    shards: {count: 4, own: [1, 3]}",
                "vectors:",
                "  ranker: [clicks.clicks]",
                ""));
        Definition d = Definition.read(file);
        assertEquals("kafka://" + broker.bootstrap() + "/defined", d.source("clicks"));
        try (Larder larder = d.open()) {
            await("the owned shards' keys", () -> holds(larder, "clicks", model, 200, 4, 1, 3));
            Vector ranker = larder.vector("ranker");
            double[] out = new double[1];
            ReadStatus[] statuses = new ReadStatus[1];
            Vector.Filler filler = ranker.newFiller();
            long found = model.keySet().stream().filter(k -> {
                int shard = SparkHash.shardOf(SparkHash.hashLong(k, SparkHash.SEED), 4);
                return shard == 1 || shard == 3;
            }).findFirst().orElseThrow();
            filler.fill(found, out, statuses);
            assertEquals(ReadStatus.FOUND, statuses[0]);
            assertEquals(model.get(found), (long) out[0], "key " + found);
            long deleted = 5;
            filler.fill(deleted, out, statuses);
            assertEquals(-1, out[0], "the table's default for key " + deleted + ", deleted or of another shard");
        }
    }

    @Test
    void aPoisonRecordShowsInTheTablesStatusWhileTheOtherPartitionAndReadsGoOn() throws Exception {
        broker.createTopic("poison", 2);
        try (KafkaProducer<String, String> p = broker.producer()) {
            p.send(new ProducerRecord<>("poison", 0, "1", "{\"clicks\": 1, \"name\": \"n1\"}")).get();
            p.send(new ProducerRecord<>("poison", 0, "2", "{\"clicks\": \"many\"}")).get();
            p.send(new ProducerRecord<>("poison", 0, "3", "{\"clicks\": 3, \"name\": \"n3\"}")).get();
            p.send(new ProducerRecord<>("poison", 1, "4", "{\"clicks\": 4, \"name\": \"n4\"}")).get();
        }
        // A short maximum: the stopped partition makes the table as stale as a stopped feed, from when it stopped.
        Source source = Source.kafka(broker.bootstrap(), "poison").key("id").schema(SCHEMA)
                .maxStaleness(Duration.ofSeconds(1));
        try (Larder larder = Larder.builder(dir.resolve("store")).pollInterval(Duration.ofMillis(50))
                .follow("poison", source).open()) {
            Table t = larder.table("poison");
            await("the stopped partition in the status", () -> !t.status().stoppedParts().isEmpty());
            await("the table unhealthy", () -> !t.status().healthy());
            TableStatus st = t.status();
            assertEquals(List.of("Kafka topic poison partition 0 offset 1: cannot apply the record (at byte 11 of the"
                    + " value: column clicks (int64): expected an integer); the partition stops there, the others go"
                    + " on"), st.stoppedParts());
            assertTrue(st.staleness().compareTo(Duration.ofSeconds(1)) > 0, st.toString());
            assertFalse(larder.healthy());
            assertEquals(TableStatus.State.FOLLOWING, st.state());
            assertEquals(null, st.lastError(), "the feed itself runs");
            Reader r = t.newReader();
            await("key 4 of the other partition", () -> r.get(4L) == ReadStatus.FOUND);
            assertEquals(ReadStatus.FOUND, r.get(1L));
            assertEquals(ReadStatus.NOT_FOUND, r.get(3L), "partition 0 stopped at the poison record");
            try (KafkaProducer<String, String> p = broker.producer()) {
                p.send(new ProducerRecord<>("poison", 1, "6", "{\"clicks\": 6, \"name\": \"n6\"}")).get();
                p.send(new ProducerRecord<>("poison", 0, "5", "{\"clicks\": 5, \"name\": \"n5\"}")).get();
            }
            await("a later record of the flowing partition", () -> r.get(6L) == ReadStatus.FOUND);
            assertEquals(6, r.getLong("clicks", -1));
            assertEquals(ReadStatus.NOT_FOUND, r.get(5L), "nothing after the poison record of partition 0");
            TableStatus later = t.status();
            assertEquals(st.stoppedParts(), later.stoppedParts());
            assertTrue(later.staleness().compareTo(st.staleness()) >= 0 && !later.healthy(),
                    "the other partition's records leave the table as stale: " + later);
        }
    }
}
