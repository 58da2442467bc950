package dev.larder.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.cli.CliTest.Run;
import dev.larder.kafka.KafkaBroker;
import dev.larder.store.FeatureStore;
import dev.larder.store.FeatureTable;
import dev.larder.store.ReadStatus;
import dev.larder.store.TableReader;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code larder follow --kafka --value-format avro --avro-schema FILE} against a real broker (KRaft, loopback). */
class CliKafkaAvroTest {
    private static final String SCHEMA = "{\"type\": \"record\", \"name\": \"Click\", \"fields\": ["
            + "{\"name\": \"clicks\", \"type\": \"long\"}, {\"name\": \"name\", \"type\": [\"null\", \"string\"]}]}";

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

    @Test
    void followsATopicOfAvroValues() throws Exception {
        Schema schema = new Schema.Parser().parse(SCHEMA);
        Path avsc = dir.resolve("click.avsc");
        Files.writeString(avsc, SCHEMA);
        broker.createTopic("avro", 1);
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, byte[]> p = new KafkaProducer<>(props, new StringSerializer(),
                new ByteArraySerializer())) {
            for (long k = 0; k < 50; k++) {
                GenericRecord r = new GenericData.Record(schema);
                r.put("clicks", 10 * k);
                r.put("name", k % 2 == 0 ? "n" + k : null);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                BinaryEncoder e = EncoderFactory.get().binaryEncoder(out, null);
                new GenericDatumWriter<GenericRecord>(schema).write(r, e);
                e.flush();
                p.send(new ProducerRecord<>("avro", Long.toString(k), out.toByteArray())).get();
            }
        }
        Path store = dir.resolve("store");
        Run run = CliTest.larder("follow", "--store", store.toString(), "--kafka", broker.bootstrap(), "--topic",
                "avro", "--key", "id", "--table", "avro", "--schema", "id int64, clicks int64, name string",
                "--value-format", "avro", "--avro-schema", avsc.toString(), "--poll", "100ms", "--status-every", "1s",
                "--duration", "5s");
        assertEquals(0, run.exit(), run.err());
        try (FeatureStore s = FeatureStore.openReadOnly(store)) {
            FeatureTable t = s.table("avro");
            assertEquals(50, t.size());
            TableReader r = t.newReader();
            for (long k = 0; k < 50; k++) {
                assertEquals(ReadStatus.FOUND, r.get(k), "key " + k);
                assertEquals(10 * k, r.getLong(1));
                assertEquals(k % 2 != 0, r.isNull(2), "key " + k);
            }
        }
        Run bad = CliTest.larder("follow", "--store", dir.resolve("other").toString(), "--kafka", broker.bootstrap(),
                "--topic", "avro", "--key", "id", "--table", "avro", "--schema", "id int64, clicks int64",
                "--value-format", "avro", "--avro-schema", avsc.toString(), "--duration", "1s");
        assertEquals(1, bad.exit(), bad.out());
        assertTrue(bad.err().contains("field name of Avro schema Click is not a column of the table"), bad.err());
    }
}
