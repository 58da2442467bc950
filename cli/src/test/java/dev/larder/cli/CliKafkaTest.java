package dev.larder.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.cli.CliTest.Run;
import dev.larder.kafka.KafkaBroker;
import dev.larder.kafka.KernelTable;
import dev.larder.store.FeatureStore;
import dev.larder.store.FeatureTable;
import dev.larder.store.ReadStatus;
import dev.larder.store.SparkHash;
import dev.larder.store.TableReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code larder follow --kafka} against a real broker (KRaft, child JVM on loopback). */
class CliKafkaTest {
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

    /** Produces keys 0..199 (clicks = 10 * key), then deletes every fifth; returns key to clicks. */
    private static Map<Long, Long> produce(String topic) throws Exception {
        broker.createTopic(topic, 2);
        Map<Long, Long> model = new HashMap<>();
        try (KafkaProducer<String, String> p = broker.producer()) {
            for (long k = 0; k < 200; k++) {
                p.send(new ProducerRecord<>(topic, Long.toString(k), "{\"clicks\": " + (10 * k) + ", \"name\": \"n" + k
                        + "\"}"));
                model.put(k, 10 * k);
            }
            for (long k = 0; k < 200; k += 5) {
                p.send(new ProducerRecord<>(topic, Long.toString(k), null));
                model.remove(k);
            }
            p.flush();
        }
        return model;
    }

    private static Run follow(Path store, String topic, String... more) {
        String[] base = {"follow", "--store", store.toString(), "--kafka", broker.bootstrap(), "--topic", topic,
            "--key", "id", "--table", topic, "--schema", "id int64, clicks int64, name string", "--poll", "100ms",
            "--status-every", "1s", "--duration", "6s"};
        String[] args = new String[base.length + more.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(more, 0, args, base.length, more.length);
        return CliTest.larder(args);
    }

    @Test
    void followsATopicIntoATable() throws Exception {
        Map<Long, Long> model = produce("feats");
        Path store = dir.resolve("store");
        Run run = follow(store, "feats");
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("following Kafka topic feats at " + broker.bootstrap() + " as feats (key id)"),
                run.out());
        assertTrue(run.out().contains("feats [feats] FOLLOWING"), run.out());
        try (FeatureStore s = FeatureStore.openReadOnly(store)) {
            FeatureTable t = s.table("feats");
            TableReader r = t.newReader();
            for (long k = 0; k < 200; k++) {
                if (model.containsKey(k)) {
                    assertEquals(ReadStatus.FOUND, r.get(k), "key " + k);
                    assertEquals(model.get(k), r.getLong(1));
                    assertEquals("n" + k, r.getString(2));
                } else {
                    assertEquals(ReadStatus.NOT_FOUND, r.get(k), "deleted key " + k);
                }
            }
            assertEquals(model.size(), t.size());
        }
        Run get = CliTest.larder("get", "--store", store.toString(), "--table", "feats", "7");
        assertEquals(0, get.exit(), get.err());
        assertTrue(get.out().contains("clicks (int64) = 70"), get.out());
    }

    @Test
    void shardOptionsDropOtherShardsRows() throws Exception {
        Map<Long, Long> model = produce("sharded");
        Path store = dir.resolve("store");
        Run run = follow(store, "sharded", "--shards", "4", "--own", "1,3");
        assertEquals(0, run.exit(), run.err());
        int owned = assertHoldsShards(store, "sharded", model, 1, 3);
        assertTrue(owned > 0 && owned < model.size(), owned + " of " + model.size());
    }

    @Test
    void aNewTableNeedsItsSchema() throws Exception {
        broker.createTopic("noschema", 1);
        Run run = CliTest.larder("follow", "--store", dir.resolve("store").toString(), "--kafka", broker.bootstrap(),
                "--topic", "noschema", "--key", "id", "--table", "noschema", "--duration", "1s");
        assertEquals(1, run.exit(), run.out());
        assertTrue(run.err().contains("table noschema from kafka://" + broker.bootstrap() + "/noschema is new: give its"
                + " columns"), run.err());
        Run twoKeys = CliTest.larder("follow", "--store", dir.resolve("two-keys").toString(), "--kafka",
                broker.bootstrap(), "--topic", "noschema", "--key", "id,day", "--table", "noschema", "--schema",
                "id int64, day int32", "--duration", "1s");
        assertEquals(1, twoKeys.exit(), twoKeys.out());
        assertTrue(twoKeys.err().contains("table noschema from kafka://" + broker.bootstrap() + "/noschema: a"
                + " Kafka-fed table has one key column (the record key), not [id, day]"), twoKeys.err());
        assertTrue(Files.notExists(dir.resolve("two-keys")), "a refused feed creates no store");
    }

    @Test
    void aPoisonRecordIsReportedWhileTheOtherPartitionGoesOn() throws Exception {
        broker.createTopic("poisoned", 2);
        try (KafkaProducer<String, String> p = broker.producer()) {
            p.send(new ProducerRecord<>("poisoned", 0, "1", "{\"clicks\": 1}")).get();
            p.send(new ProducerRecord<>("poisoned", 0, "2", "{\"clicks\": true}")).get();
            p.send(new ProducerRecord<>("poisoned", 0, "3", "{\"clicks\": 3}")).get();
            p.send(new ProducerRecord<>("poisoned", 1, "4", "{\"clicks\": 4}")).get();
        }
        Path store = dir.resolve("store");
        Run run = follow(store, "poisoned", "--max-staleness", "1s");
        assertEquals(0, run.exit(), run.err());
        // The status lines show the stopped partition, and the table unhealthy for it once stale beyond 1 s.
        String stopped = "; stopped: Kafka topic poisoned partition 0 offset 1: cannot apply the record (at byte 11 of"
                + " the value: column clicks (int64): expected an integer)";
        String line = run.out().lines().filter(l -> l.contains(stopped)).reduce((a, b) -> b).orElse(run.out());
        assertTrue(line.startsWith("poisoned [poisoned] FOLLOWING") && line.contains(", UNHEALTHY"), line);
        try (FeatureStore s = FeatureStore.openReadOnly(store)) {
            TableReader r = s.table("poisoned").newReader();
            assertEquals(ReadStatus.FOUND, r.get(1L));
            assertEquals(ReadStatus.NOT_FOUND, r.get(2L));
            assertEquals(ReadStatus.NOT_FOUND, r.get(3L), "the partition stopped at the poison record");
            assertEquals(ReadStatus.FOUND, r.get(4L), "the other partition went on");
        }
    }

    @Test
    void aDefinitionFileDeclaresAKafkaTableWithShards() throws Exception {
        Map<Long, Long> model = produce("defined");
        Path store = dir.resolve("store");
        Path file = dir.resolve("features.yaml");
        java.nio.file.Files.writeString(file, String.join("\n",
                "store: " + store,
                "poll_interval: 100ms",
                "tables:",
                "  defined:",
                "    kafka: {bootstrap: '" + broker.bootstrap() + "', topic: defined,",
                "            schema: 'id int64, clicks int64, name string'}",
                "    key: id",
                "    shards: {count: 4, own: [0, 2]}",
                ""));
        Run run = CliTest.larder("follow", "--definition", file.toString(), "--duration", "6s", "--status-every", "1s");
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("following kafka://" + broker.bootstrap() + "/defined as defined"), run.out());
        assertTrue(run.out().contains("defined [defined] FOLLOWING"), run.out());
        assertHoldsShards(store, "defined", model, 0, 2);
    }

    /**
     * {@code --delta} with {@code --kafka}/{@code --topic} and {@code --event-time}, then the same through a definition
     * file: the newer event wins whichever source it came from, and a tombstone older than Delta's row is skipped.
     */
    @Test
    void aTopicOnTopOfADeltaTableKeepsTheNewerEvent() throws Exception {
        KernelTable delta = new KernelTable(dir.resolve("delta"));
        // Key 1 older than the topic's update, key 2 newer; key 3 newer than the tombstone's 1,000,000 µs.
        delta.append(new long[] {1, 1, 100}, new long[] {2, 2, 500}, new long[] {3, 3, 5_000_000});
        broker.createTopic("ontop", 1);
        try (KafkaProducer<String, String> p = broker.producer()) {
            p.send(new ProducerRecord<>("ontop", 0, "1", "{\"value\": 11, \"ts\": 200}")).get();
            p.send(new ProducerRecord<>("ontop", 0, "2", "{\"value\": 22, \"ts\": 300}")).get();
            p.send(new ProducerRecord<>("ontop", 0, "4", "{\"value\": 44, \"ts\": 300}")).get();
            p.send(new ProducerRecord<String, String>("ontop", 0, 1000L, "3", null)).get();
        }
        Map<Long, Double> model = Map.of(1L, 11.0, 2L, 2.0, 3L, 3.0, 4L, 44.0);
        Path store = dir.resolve("store");
        Run run = CliTest.larder("follow", "--store", store.toString(), "--delta", delta.path(), "--kafka",
                broker.bootstrap(), "--topic", "ontop", "--event-time", "ts", "--key", "id", "--table", "trips",
                "--poll", "100ms", "--status-every", "1s", "--duration", "6s");
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("with Kafka topic ontop at " + broker.bootstrap() + " on top (by event time ts)"
                + " as trips (key id)"), run.out());
        assertHolds(store, "trips", model);

        Path file = dir.resolve("features.yaml");
        java.nio.file.Files.writeString(file, String.join("\n",
                "store: " + dir.resolve("defined"),
                "poll_interval: 100ms",
                "tables:",
                "  trips:",
                "    delta: " + delta.path(),
                "    key: id",
                "    stream: {kafka: {bootstrap: '" + broker.bootstrap() + "', topic: ontop}}",
                "    event_time: ts",
                ""));
        run = CliTest.larder("follow", "--definition", file.toString(), "--duration", "6s", "--status-every", "1s");
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("trips [trips] FOLLOWING"), run.out());
        assertHolds(dir.resolve("defined"), "trips", model);

        run = CliTest.larder("follow", "--store", dir.resolve("refused").toString(), "--delta", delta.path(),
                "--kafka", broker.bootstrap(), "--topic", "ontop", "--event-time", "value", "--key", "id", "--table",
                "trips", "--duration", "1s");
        assertEquals(1, run.exit(), run.out());
        assertTrue(run.err().contains("table trips from " + delta.path() + " with stream kafka://" + broker.bootstrap()
                + "/ontop: event-time column value is float64; it must be timestamp, timestamp_ntz or int64"),
                run.err());
    }

    /**
     * Asserts that table {@code table} holds, of keys 0..199 (shard = pmod(Spark's hash, 4)), exactly the keys of
     * shards {@code a} and {@code b} that {@code model} has, with its values, and answers NOT_OWNED for the others;
     * returns how many keys it holds.
     */
    private static int assertHoldsShards(Path store, String table, Map<Long, Long> model, int a, int b) {
        try (FeatureStore s = FeatureStore.openReadOnly(store)) {
            FeatureTable t = s.table(table);
            TableReader r = t.newReader();
            int owned = 0;
            for (long k = 0; k < 200; k++) {
                int shard = SparkHash.shardOf(SparkHash.hashLong(k, SparkHash.SEED), 4);
                ReadStatus st = r.get(k);
                if (shard != a && shard != b) {
                    assertEquals(ReadStatus.NOT_OWNED, st, "key " + k + " of shard " + shard);
                } else if (model.containsKey(k)) {
                    assertEquals(ReadStatus.FOUND, st, "key " + k);
                    assertEquals(model.get(k), r.getLong(1));
                    owned++;
                } else {
                    assertEquals(ReadStatus.NOT_FOUND, st, "deleted key " + k);
                }
            }
            assertEquals(owned, t.size());
            return owned;
        }
    }

    private static void assertHolds(Path store, String table, Map<Long, Double> model) {
        try (FeatureStore s = FeatureStore.openReadOnly(store)) {
            FeatureTable t = s.table(table);
            TableReader r = t.newReader();
            int value = t.schema().indexOf("value");
            for (long k = 0; k < 6; k++) {
                if (model.containsKey(k)) {
                    assertEquals(ReadStatus.FOUND, r.get(k), "key " + k);
                    assertEquals(model.get(k), r.getDouble(value), "key " + k);
                } else {
                    assertEquals(ReadStatus.NOT_FOUND, r.get(k), "key " + k);
                }
            }
            assertEquals(model.size(), t.size());
        }
    }

    @Test
    void followsHelpDocumentsKafkaFeedsAndDefinitions() {
        Run help = CliTest.larder("follow", "--help");
        assertEquals(0, help.exit(), help.err());
        // Picocli wraps the descriptions: compared with single spaces.
        String text = help.out().replaceAll("\\s+", " ");
        for (String option : new String[] {"--kafka=BOOTSTRAP Kafka bootstrap servers",
            "--topic=<topic> The Kafka topic",
            "--schema='NAME TYPE, ...' Columns of a new Kafka-fed table", "--shards=N", "--own=I",
            "--event-time=COLUMN With --delta (or --uc-table) and --kafka/--topic",
            "instead of --delta/--kafka/--key/--table; Delta tables and Kafka topics (kafka: {bootstrap, topic,"
                    + " schema})"}) {
            assertTrue(text.contains(option), option + " in:\n" + help.out());
        }
    }
}
