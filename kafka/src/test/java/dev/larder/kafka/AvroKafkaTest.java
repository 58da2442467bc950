package dev.larder.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.ingest.Follower;
import dev.larder.ingest.LarderEngine;
import dev.larder.store.FeatureSchema;
import dev.larder.store.FeatureTable;
import dev.larder.store.ReadStatus;
import dev.larder.store.TableReader;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Avro values on a real broker (KRaft, child JVM on loopback): single-object, Confluent, and a poison record. */
class AvroKafkaTest {
    static final FeatureSchema SCHEMA = KafkaChangeSourceTest.SCHEMA;
    static final Schema FULL = KafkaValues.schema("""
            {"type": "record", "name": "Click", "fields": [{"name": "clicks", "type": "long"},
              {"name": "score", "type": "double"}, {"name": "name", "type": "string"}]}""");
    static final Schema SLIM = KafkaValues.schema("""
            {"type": "record", "name": "Click", "fields": [{"name": "clicks", "type": "long"},
              {"name": "name", "type": ["null", "string"]}]}""");
    /** A schema the table is not configured with. */
    static final Schema OTHER = KafkaValues.schema("""
            {"type": "record", "name": "Other", "fields": [{"name": "clicks", "type": "long"}]}""");

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

    private static KafkaProducer<String, byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    private static GenericRecord full(long clicks) {
        GenericRecord r = new GenericData.Record(FULL);
        r.put("clicks", clicks);
        r.put("score", clicks / 2.0);
        r.put("name", "n" + clicks);
        return r;
    }

    private static GenericRecord slim(long clicks) {
        GenericRecord r = new GenericData.Record(SLIM);
        r.put("clicks", clicks);
        r.put("name", "n" + clicks);
        return r;
    }

    /** Whether the table holds exactly {@code model}: key to clicks, and name "n" + clicks. */
    private static boolean holds(FeatureTable t, Map<String, Long> model) {
        if (t.size() != model.size()) {
            return false;
        }
        TableReader r = t.newReader();
        for (Map.Entry<String, Long> e : model.entrySet()) {
            if (r.get(e.getKey()) != ReadStatus.FOUND || r.getLong(1) != e.getValue()
                    || !r.getString(3).equals("n" + e.getValue())) {
                return false;
            }
        }
        return true;
    }

    @Test
    void singleObjectValuesFlowAndAnUnknownSchemaStopsItsPartitionOnly() throws Exception {
        broker.createTopic("avro", 2);
        Map<String, Long> model = new HashMap<>();
        try (KafkaProducer<String, byte[]> p = producer()) {
            for (int i = 0; i < 5; i++) {
                p.send(new ProducerRecord<>("avro", 0, "a" + i, AvroRowDecoderTest.singleObject(full(i)))).get();
                model.put("a" + i, (long) i);
                p.send(new ProducerRecord<>("avro", 1, "b" + i, AvroRowDecoderTest.singleObject(slim(10 + i))))
                        .get();
                model.put("b" + i, 10L + i);
            }
            GenericRecord other = new GenericData.Record(OTHER);
            other.put("clicks", 99L);
            p.send(new ProducerRecord<>("avro", 0, "poison", AvroRowDecoderTest.singleObject(other))).get();
            p.send(new ProducerRecord<>("avro", 0, "after", AvroRowDecoderTest.singleObject(full(1)))).get();
            p.send(new ProducerRecord<>("avro", 1, "b9", AvroRowDecoderTest.singleObject(slim(19)))).get();
            model.put("b9", 19L);
            p.send(new ProducerRecord<>("avro", 1, "b0", (byte[]) null)).get();
            model.remove("b0");
        }
        KafkaFeed feed = new KafkaFeed(broker.bootstrap(), "avro", SCHEMA)
                .withValues(KafkaValues.avroSingleObject(List.of(FULL, SLIM)));
        try (LarderEngine engine = LarderEngine.open(store, KafkaChangeSourceTest.ingest())) {
            Follower f = KafkaChangeSource.follow(engine, "avro", feed, KafkaChangeSourceTest.follow());
            KafkaChangeSource src = KafkaChangeSource.of(f);
            KafkaChangeSourceTest.await("partition 0 stopped", () -> src.stoppedPartitions().size() == 1);
            KafkaChangeSourceTest.await("the other records", () -> holds(f.handle().table(), model));
            String stopped = src.stoppedPartitions().get(0);
            assertTrue(stopped.startsWith("Kafka topic avro partition 0 offset 5: "), stopped);
            assertTrue(stopped.contains("schema fingerprint " + java.util.HexFormat.of().toHexDigits(
                    org.apache.avro.SchemaNormalization.parsingFingerprint64(OTHER))
                    + " is not among the configured schemas'"), stopped);
            TableReader r = f.handle().table().newReader();
            assertEquals(ReadStatus.FOUND, r.get("a0"));
            assertEquals(0.0, r.getDouble(2));
            assertEquals(ReadStatus.FOUND, r.get("b1"));
            assertTrue(r.isNull(2), "a field the writer schema lacks is null");
        }
    }

    @Test
    void confluentFramedValuesResolveTheirIds() throws Exception {
        broker.createTopic("confluent", 1);
        Map<String, Long> model = new HashMap<>();
        try (KafkaProducer<String, byte[]> p = producer()) {
            for (int i = 0; i < 20; i++) {
                byte[] v = i % 2 == 0 ? AvroRowDecoderTest.confluent(41, full(i))
                        : AvroRowDecoderTest.confluent(42, slim(i));
                p.send(new ProducerRecord<>("confluent", "k" + (i % 7), v)).get();
                model.put("k" + (i % 7), (long) i);
            }
        }
        KafkaFeed feed = new KafkaFeed(broker.bootstrap(), "confluent", SCHEMA)
                .withValues(KafkaValues.avroConfluent(Map.of(41, FULL, 42, SLIM)));
        try (LarderEngine engine = LarderEngine.open(store, KafkaChangeSourceTest.ingest())) {
            Follower f = KafkaChangeSource.follow(engine, "confluent", feed, KafkaChangeSourceTest.follow());
            KafkaChangeSourceTest.await("the topic", () -> holds(f.handle().table(), model));
            assertTrue(KafkaChangeSource.of(f).stoppedPartitions().isEmpty());
        }
    }
}
