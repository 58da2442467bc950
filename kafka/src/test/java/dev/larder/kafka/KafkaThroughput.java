package dev.larder.kafka;

import dev.larder.ingest.FollowOptions;
import dev.larder.ingest.Follower;
import dev.larder.ingest.IngestOptions;
import dev.larder.ingest.LarderEngine;
import dev.larder.store.FeatureSchema;
import dev.larder.store.TableOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
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

/**
 * Throughput of a topic followed into a table: produces {@code RECORDS} rows (distinct int64 keys, three feature
 * columns as JSON, or as Avro datums of one configured writer schema) to a local broker, then times a follower from
 * its start until every record is in the table and prints records/s. Not a test: {@code java -cp
 * kafka/target/classes:kafka/target/test-classes:$(cat kafka/target/broker.classpath)
 * dev.larder.kafka.KafkaThroughput [RECORDS] [PARTITIONS] [STORE_PARENT_DIR|-] [json|avro]} (the broker's log and,
 * without a third argument or with {@code -}, the store under {@code java.io.tmpdir}).
 */
public final class KafkaThroughput {
    private static final Schema AVRO = KafkaValues.schema("{\"type\": \"record\", \"name\": \"Event\", \"fields\": ["
            + "{\"name\": \"clicks\", \"type\": \"long\"}, {\"name\": \"score\", \"type\": \"double\"},"
            + " {\"name\": \"country\", \"type\": \"string\"}]}");

    private KafkaThroughput() {
    }

    public static void main(String[] args) throws Exception {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 3_000_000;
        int partitions = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        Path dir = Files.createTempDirectory("larder-kafka-throughput");
        Path store = args.length > 2 && !args[2].equals("-")
                ? Files.createTempDirectory(Path.of(args[2]), "larder-kafka-store") : dir.resolve("store");
        boolean avro = args.length > 3 && args[3].equals("avro");
        try (KafkaBroker broker = KafkaBroker.start(dir.resolve("broker"))) {
            // The first round warms the JIT up (the consumer, the decoder, the writer); the second is the figure.
            for (String topic : new String[] {"warmup", "events"}) {
                broker.createTopic(topic, partitions);
                produce(broker, topic, records, avro);
                follow(broker, store, topic, records, avro);
            }
        }
    }

    private static void produce(KafkaBroker broker, String topic, int records, boolean avro) throws IOException {
        long p0 = System.nanoTime();
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 1 << 20);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        GenericDatumWriter<GenericRecord> writer = new GenericDatumWriter<>(AVRO);
        GenericRecord row = new GenericData.Record(AVRO);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = null;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < records; i++) {
                byte[] value;
                if (avro) {
                    row.put("clicks", (long) (i % 1000));
                    row.put("score", (i % 97) / 4.0);
                    row.put("country", "c" + (i % 50));
                    out.reset();
                    encoder = EncoderFactory.get().binaryEncoder(out, encoder);
                    writer.write(row, encoder);
                    encoder.flush();
                    value = out.toByteArray();
                } else {
                    value = ("{\"clicks\": " + (i % 1000) + ", \"score\": " + (i % 97) / 4.0 + ", \"country\": \"c"
                            + (i % 50) + "\"}").getBytes(StandardCharsets.UTF_8);
                }
                producer.send(new ProducerRecord<>(topic, Integer.toString(i), value));
            }
        }
        System.out.printf("%s: produced %,d records in %.1f s%n", topic, records, (System.nanoTime() - p0) / 1e9);
    }

    private static void follow(KafkaBroker broker, Path store, String topic, int records, boolean avro)
            throws Exception {
        FeatureSchema schema = KafkaFeed.schema("id int64, clicks int64, score float64, country string", "id");
        IngestOptions ingest = IngestOptions.DEFAULT.withJmx(false);
        FollowOptions follow = FollowOptions.DEFAULT.withPollInterval(Duration.ofMillis(100))
                .withTableOptions(TableOptions.DEFAULT.withInitialRows(records));
        try (LarderEngine engine = LarderEngine.open(store, ingest)) {
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            long t0 = System.nanoTime();
            Follower f = KafkaChangeSource.follow(engine, topic, new KafkaFeed(broker.bootstrap(), topic, schema,
                    Map.of(), Duration.ofSeconds(30), avro ? KafkaValues.avro(AVRO) : KafkaValues.JSON), follow);
            while (f.handle().table().size() < records) {
                Thread.sleep(1);
            }
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf("%s: followed %,d records into the table in %.2f s: %,.0f records/s (%d versions)%n",
                    topic, records, s, records / s, f.handle().lineage().version());
            for (ThreadInfo ti : mx.dumpAllThreads(false, false)) {
                if (ti.getThreadName().startsWith("larder-")) {
                    System.out.printf("  thread %s: %.2f s CPU%n", ti.getThreadName(),
                            mx.getThreadCpuTime(ti.getThreadId()) / 1e9);
                }
            }
        }
    }
}
