package dev.larder.kafka;

import dev.larder.store.Column;
import dev.larder.store.ColumnType;
import dev.larder.store.FeatureSchema;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a Kafka-fed table follows: the topic, where its brokers are, the table's schema (its one key column is the
 * record key) and extra consumer settings (security, client id; those that would move offsets are ignored). Immutable.
 *
 * @param bootstrapServers Kafka's {@code bootstrap.servers}, e.g. {@code localhost:9092}
 * @param topic            the topic followed
 * @param schema           the schema of a table created for the topic; one key column, a string or an integer
 * @param consumerSettings further consumer settings, passed as they are
 * @param requestTimeout   how long a metadata request (the topic's partitions) may take
 * @param values           how record values encode rows: JSON, or Avro with a configured or embedded schema
 */
public record KafkaFeed(String bootstrapServers, String topic, FeatureSchema schema,
                        Map<String, Object> consumerSettings, Duration requestTimeout, KafkaValues values) {
    /** A feed of JSON values. */
    public KafkaFeed(String bootstrapServers, String topic, FeatureSchema schema, Map<String, Object> consumerSettings,
                     Duration requestTimeout) {
        this(bootstrapServers, topic, schema, consumerSettings, requestTimeout, KafkaValues.JSON);
    }

    public KafkaFeed {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(schema, "schema");
        consumerSettings = Map.copyOf(consumerSettings);
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(values, "values");
        // Refuses, before anything is created, a schema no record can fill (one key column, a string or an integer)
        // and Avro schemas whose fields the table cannot take.
        values.decoder(schema);
    }

    /** This feed with values encoded as {@code v}. */
    public KafkaFeed withValues(KafkaValues v) {
        return new KafkaFeed(bootstrapServers, topic, schema, consumerSettings, requestTimeout, v);
    }

    /** A feed with no extra consumer settings and a 30 s metadata timeout. */
    public KafkaFeed(String bootstrapServers, String topic, FeatureSchema schema) {
        this(bootstrapServers, topic, schema, Map.of(), Duration.ofSeconds(30));
    }

    /**
     * Parses a table schema written as {@code "name type, name type, ..."} with the types of {@code FeatureSchema}
     * ({@code string}, {@code string(32)}, {@code int32}, {@code int64}, {@code float64}, {@code decimal(10,2)},
     * {@code date}, {@code timestamp}, {@code float32_array(8)}, ...), the column {@code key} being the key (not null;
     * a string key holds up to 64 bytes unless its capacity says otherwise). Columns are nullable.
     *
     * @throws IllegalArgumentException naming the column or the text that does not parse
     */
    public static FeatureSchema schema(String columns, String key) {
        FeatureSchema.Builder b = FeatureSchema.builder();
        List<String> names = new ArrayList<>();
        int depth = 0;
        int start = 0;
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < columns.length(); i++) {
            char c = columns.charAt(i);
            depth += c == '(' ? 1 : c == ')' ? -1 : 0;
            if (c == ',' && depth == 0) {
                parts.add(columns.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(columns.substring(start));
        for (String part : parts) {
            String[] nt = part.trim().split("\\s+", 2);
            if (nt.length != 2) {
                throw new IllegalArgumentException("schema '" + columns + "': '" + part.trim()
                        + "' is not 'name type'");
            }
            boolean isKey = nt[0].equals(key);
            Column c = FeatureSchema.parseColumn(nt[0], nt[1], !isKey);
            if (isKey && c.type() == ColumnType.STRING && !nt[1].contains("(")) {
                c = Column.variable(nt[0], ColumnType.STRING, false, Column.DEFAULT_KEY_CAPACITY);
            }
            b.add(c);
            names.add(nt[0]);
        }
        if (!names.contains(key)) {
            throw new IllegalArgumentException("schema '" + columns + "' has no column " + key + " (the key)");
        }
        return b.key(key).build();
    }
}
