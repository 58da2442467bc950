package dev.larder;

import dev.larder.ingest.ChangeSource;
import dev.larder.ingest.FollowOptions;
import dev.larder.ingest.Follower;
import dev.larder.ingest.LarderEngine;
import dev.larder.kafka.BatchAndKafkaSource;
import dev.larder.kafka.KafkaChangeSource;
import dev.larder.kafka.KafkaFeed;
import dev.larder.kafka.KafkaValues;
import dev.larder.store.FeatureSchema;
import dev.larder.store.FeatureStore;
import dev.larder.store.TableMetadata;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The calls into the optional larder-kafka jar, in one class so that nothing else links against it: without the jar
 * (and kafka-clients), Delta tables still open and a Kafka source says which dependency it needs. Stateless.
 */
final class Kafka {
    private static final boolean AVAILABLE = present();

    private Kafka() {
    }

    private static boolean present() {
        try {
            Class.forName("dev.larder.kafka.KafkaChangeSource", false, Kafka.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Refuses a Kafka source when larder-kafka is not on the class path, naming the topic and the dependency. */
    static void checkAvailable(Source s) {
        if (!AVAILABLE) {
            throw new IllegalStateException("source " + s.location() + " needs dev.larder:larder-kafka (and"
                    + " org.apache.kafka:kafka-clients) on the class path");
        }
    }

    /**
     * Checks what can be checked of Kafka source {@code s} before the store is open: the jar, one key column, and the
     * schema when one is given.
     *
     * @throws IllegalArgumentException naming the table and what is wrong
     */
    static void check(Source s, String table) {
        Source.KafkaTopic k = s.kafkaTopic();
        if (k.schemaText() != null || k.schema() != null) {
            schema(s, null, table);
        } else {
            checkAvailable(s);
            oneKey(s, table);
        }
    }

    private static String oneKey(Source s, String table) {
        if (s.shardSpec().partitionColumn() != null) {
            throw new IllegalArgumentException("table " + table + " from " + s.location() + ": shards of a Kafka-fed"
                    + " table take no shard column (a topic has no partition files to skip)");
        }
        if (s.keyColumns().size() != 1) {
            throw new IllegalArgumentException("table " + table + " from " + s.location() + ": a Kafka-fed table has"
                    + " one key column (the record key), not " + s.keyColumns());
        }
        return s.keyColumns().get(0);
    }

    /**
     * The schema table {@code table} is fed in from Kafka source {@code s}: the one {@code s} gives, else the one the
     * store holds the table with. Checks the key: one column, a string or an integer, the one {@code s} names.
     *
     * @throws IllegalArgumentException naming the table and what is wrong
     */
    static FeatureSchema schema(Source s, FeatureStore store, String table) {
        checkAvailable(s);
        Source.KafkaTopic k = s.kafkaTopic();
        String key = oneKey(s, table);
        FeatureSchema schema;
        if (k.schemaText() != null) {
            try {
                schema = KafkaFeed.schema(k.schemaText(), key);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("table " + table + " from " + s.location() + ": " + e.getMessage(),
                        e);
            }
        } else if (k.schema() != null) {
            schema = k.schema();
        } else if (store != null && store.exists(table) && store.currentGeneration(table) >= 0) {
            schema = store.metadata(table).schema();
        } else {
            throw new IllegalArgumentException("table " + table + " from " + s.location() + " is new: give its"
                    + " columns (schema 'NAME TYPE, ...', the key " + key + " among them)");
        }
        List<String> named = Definition.keyNames(schema);
        if (!named.equals(List.of(key))) {
            throw new IllegalArgumentException("table " + table + " from " + s.location() + ": the schema's key is "
                    + named + ", not " + key);
        }
        // Refuses a schema no record can fill (a key that is neither a string nor an integer), or values no schema
        // given can decode, before anything starts.
        try {
            feed(s, schema);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("table " + table + " from " + s.location() + ": " + e.getMessage(), e);
        }
        return schema;
    }

    /** Follows Kafka source {@code s} into table {@code table} with {@code schema} (from {@link #schema}). */
    static Follower follow(LarderEngine engine, String table, Source s, FeatureSchema schema, FollowOptions options) {
        return KafkaChangeSource.follow(engine, table, feed(s, schema), options);
    }

    /**
     * Checks Delta source {@code s} with a {@link Source#stream} on top, against {@code schema}, the table's schema
     * from the Delta table: the jar, an event-time column that can order the two, one key column (the record key) and
     * the stream's value format.
     *
     * @throws IllegalArgumentException naming the table, the sources and what is wrong
     */
    static void checkStream(Source s, String table, FeatureSchema schema) {
        Source k = s.streamed();
        checkAvailable(k);
        String what = "table " + table + " from " + s.location() + " with stream " + k.location();
        if (s.eventTimeColumn().isEmpty()) {
            throw new IllegalArgumentException(what + ": name the event-time column that orders the two sources"
                    + " (eventTime(COLUMN), event_time: COLUMN)");
        }
        try {
            TableMetadata.checkEventTime(schema, s.eventTimeColumn());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
        }
        if (s.keyColumns().size() != 1) {
            throw new IllegalArgumentException(what + ": a table with a Kafka stream has one key column (the record"
                    + " key), not " + s.keyColumns());
        }
        try {
            feed(k, schema);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
        }
    }

    /**
     * Follows Delta table {@code batch} with {@code s}'s {@link Source#stream} on top into table {@code table};
     * {@code options}' table options name the event-time column (checked by {@link #checkStream}).
     */
    static Follower followStream(LarderEngine engine, String table, Source s, ChangeSource batch,
                                 FollowOptions options) {
        return BatchAndKafkaSource.follow(engine, table, batch, feed(s.streamed(), batch.schema()), options);
    }

    private static KafkaFeed feed(Source s, FeatureSchema schema) {
        Source.KafkaTopic k = s.kafkaTopic();
        Map<String, Object> consumer = new LinkedHashMap<>(s.settings());
        return new KafkaFeed(k.bootstrap(), k.topic(), schema, consumer, Duration.ofSeconds(30))
                .withValues(KafkaValues.parse(k.valueFormat(), k.avroSchemas()));
    }
}
