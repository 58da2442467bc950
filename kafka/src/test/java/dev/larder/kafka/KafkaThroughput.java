package dev.larder.kafka;

import dev.larder.ingest.FollowOptions;
import dev.larder.ingest.Follower;
import dev.larder.ingest.IngestOptions;
import dev.larder.ingest.LarderEngine;
import dev.larder.store.FeatureSchema;
import dev.larder.store.TableOptions;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Throughput of a topic followed into a table: produces {@code RECORDS} rows (distinct int64 keys, three feature
 * columns as JSON) to a local broker, then times a follower from its start until every record is in the table and
 * prints records/s. Not a test: {@code java -cp kafka/target/classes:kafka/target/test-classes:$(cat
 * kafka/target/broker.classpath) dev.larder.kafka.KafkaThroughput [RECORDS] [PARTITIONS] [STORE_PARENT_DIR]}
 * (the broker's log and, without a third argument, the store under {@code java.io.tmpdir}).
 */
public final class KafkaThroughput {
    private KafkaThroughput() {
    }

    public static void main(String[] args) throws Exception {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 3_000_000;
        int partitions = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        Path dir = Files.createTempDirectory("larder-kafka-throughput");
        Path store = args.length > 2 ? Files.createTempDirectory(Path.of(args[2]), "larder-kafka-store")
                : dir.resolve("store");
        try (KafkaBroker broker = KafkaBroker.start(dir.resolve("broker"))) {
            // The first round warms the JIT up (the consumer, the decoder, the writer); the second is the figure.
            for (String topic : new String[] {"warmup", "events"}) {
                broker.createTopic(topic, partitions);
                produce(broker, topic, records);
                follow(broker, store, topic, records);
            }
        }
    }

    private static void produce(KafkaBroker broker, String topic, int records) {
        long p0 = System.nanoTime();
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 1 << 20);
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(),
                new StringSerializer())) {
            for (int i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>(topic, Integer.toString(i), "{\"clicks\": " + (i % 1000)
                        + ", \"score\": " + (i % 97) / 4.0 + ", \"country\": \"c" + (i % 50) + "\"}"));
            }
        }
        System.out.printf("%s: produced %,d records in %.1f s%n", topic, records, (System.nanoTime() - p0) / 1e9);
    }

    private static void follow(KafkaBroker broker, Path store, String topic, int records) throws Exception {
        FeatureSchema schema = KafkaFeed.schema("id int64, clicks int64, score float64, country string", "id");
        IngestOptions ingest = IngestOptions.DEFAULT.withJmx(false);
        FollowOptions follow = FollowOptions.DEFAULT.withPollInterval(Duration.ofMillis(100))
                .withTableOptions(TableOptions.DEFAULT.withInitialRows(records));
        try (LarderEngine engine = LarderEngine.open(store, ingest)) {
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            long t0 = System.nanoTime();
            Follower f = KafkaChangeSource.follow(engine, topic, new KafkaFeed(broker.bootstrap(), topic, schema,
                    Map.of(), Duration.ofSeconds(30)), follow);
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
