package dev.larder;

import dev.larder.ingest.Redaction;
import dev.larder.snapshot.DeltaSource;
import dev.larder.store.Column;
import dev.larder.store.FeatureSchema;
import dev.larder.store.ShardSpec;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Where a feature table comes from and how it is kept: a Delta table by path or URI, or by Unity Catalog name, or a
 * Kafka topic; its entity key columns, a TTL and settings for its storage (Hadoop's) or consumer (Kafka's). Immutable;
 * each {@code with}-style call returns a copy.
 *
 * <pre>{@code
 * Source.delta("s3a://lake/features/users").key("user_id").ttl(Duration.ofDays(7))
 * Source.unityCatalog("main.features.users").key("user_id")
 * Source.kafka("localhost:9092", "clicks").key("user_id").schema("user_id int64, clicks int64, ctr float64")
 * Source.delta("/lake/trips").key("id").stream(Source.kafka("localhost:9092", "trip-updates")).eventTime("updated_at")
 * }</pre>
 */
public final class Source {
    /** Bytes of each non-key string or binary value kept inline in the row unless {@link #inlineBytes} says. */
    public static final int DEFAULT_INLINE_BYTES = Column.DEFAULT_VARIABLE_CAPACITY;
    /** The fewest inline bytes a table may keep per value. */
    public static final int MIN_INLINE_BYTES = Column.MIN_VARIABLE_CAPACITY;
    /** The most inline bytes a table may keep per value. */
    public static final int MAX_INLINE_BYTES = Column.MAX_VARIABLE_CAPACITY;

    private final String path;
    private final String catalogName;
    private final List<String> key;
    private final Duration ttl;
    private final int inlineBytes;
    private final Map<String, String> settings;
    private final Duration maxStaleness;
    /** Feature columns to serve besides the key; empty for every column. */
    private final List<String> columns;
    /** The key shards this store holds; {@link ShardSpec#ALL} for every key. */
    private final ShardSpec shards;
    /** The topic of a Kafka source; null for a Delta table. */
    private final KafkaTopic kafka;
    /** The Kafka source applied on top of this Delta table ({@link #stream}); null when there is none. */
    private final Source stream;
    /** The column ordering this table's changes ({@link #eventTime}); empty when there is none. */
    private final String eventTime;

    private Source(String path, String catalogName, List<String> key, Duration ttl, int inlineBytes,
                   Map<String, String> settings, Duration maxStaleness, List<String> columns, ShardSpec shards,
                   KafkaTopic kafka, Source stream, String eventTime) {
        this.path = path;
        this.catalogName = catalogName;
        this.key = key;
        this.ttl = ttl;
        this.inlineBytes = inlineBytes;
        this.settings = settings;
        this.maxStaleness = maxStaleness;
        this.columns = columns;
        this.shards = shards;
        this.kafka = kafka;
        this.stream = stream;
        this.eventTime = eventTime;
    }

    /**
     * A Delta table at a local path or Hadoop URI ({@code s3a://}, {@code abfss://}, {@code gs://} need larder-cloud).
     */
    public static Source delta(String pathOrUri) {
        return new Source(Objects.requireNonNull(pathOrUri, "pathOrUri"), null, List.of(), Duration.ZERO,
                Column.DEFAULT_VARIABLE_CAPACITY, Map.of(), null, List.of(), ShardSpec.ALL, null, null, "");
    }

    /**
     * A Delta table by its Unity Catalog name, {@code catalog.schema.table}, read with the credentials the catalog
     * vends (needs larder-cloud; the catalog is {@link Larder.Builder#unityCatalog}, by default
     * {@code $DATABRICKS_HOST}).
     */
    public static Source unityCatalog(String fullName) {
        return new Source(null, Objects.requireNonNull(fullName, "fullName"), List.of(), Duration.ZERO,
                Column.DEFAULT_VARIABLE_CAPACITY, Map.of(), null, List.of(), ShardSpec.ALL, null, null, "");
    }

    /**
     * A Kafka topic (needs dev.larder:larder-kafka): each record's key is the table's one key column, its value the row
     * as a JSON object with the table's column names, a null value (a tombstone) deletes the key. The consumed offsets
     * are stored with the table, so a restart resumes exactly where the table is (no consumer group is used). Give the
     * key, and the {@link #schema(String) schema} of a table the store does not hold yet; {@link #setting} adds
     * consumer settings (security, client id), {@link #shards} hold some shards only, as for Delta tables.
     *
     * @param bootstrapServers Kafka's {@code bootstrap.servers}, e.g. {@code broker-1:9092,broker-2:9092}
     */
    public static Source kafka(String bootstrapServers, String topic) {
        KafkaTopic k = new KafkaTopic(Objects.requireNonNull(bootstrapServers, "bootstrapServers"),
                Objects.requireNonNull(topic, "topic"), null, null, "json", List.of());
        return new Source(null, null, List.of(), Duration.ZERO, Column.DEFAULT_VARIABLE_CAPACITY, Map.of(), null,
                List.of(), ShardSpec.ALL, k, null, "");
    }

    /**
     * The columns of a new Kafka-fed table, written {@code "name type, name type, ..."} with the types of
     * {@code larder follow --schema} ({@code string}, {@code string(32)}, {@code int32}, {@code int64},
     * {@code float64}, {@code decimal(10,2)}, {@code timestamp}, {@code float32_array(8)}, ...); checked when the
     * Larder opens. A table the store holds keeps its own schema, so this may be left out then.
     *
     * @throws IllegalStateException unless this is a {@link #kafka} source
     */
    public Source schema(String columns) {
        KafkaTopic k = kafka();
        return withKafka(new KafkaTopic(k.bootstrap(), k.topic(), Objects.requireNonNull(columns, "columns"), null,
                k.valueFormat(), k.avroSchemas()));
    }

    /** {@link #schema(String)} as a {@link Schema} built in code; its key must be the one {@link #key} names. */
    public Source schema(Schema schema) {
        KafkaTopic k = kafka();
        return withKafka(new KafkaTopic(k.bootstrap(), k.topic(), null, Objects.requireNonNull(schema, "schema").schema,
                k.valueFormat(), k.avroSchemas()));
    }

    /**
     * How a Kafka source's record values are written: {@code json} (the default: an object of the table's column
     * names), {@code avro} (a raw Avro datum of the one writer schema given), {@code avro-single-object} (Avro's
     * single-object encoding, the writer schema found by fingerprint among those given) or {@code avro-confluent}
     * (Confluent's wire format, each schema given as {@code ID=SCHEMA}, no registry asked). Each schema is an
     * {@code .avsc} file's path or the schema's JSON text; checked when the Larder opens.
     *
     * @throws IllegalStateException unless this is a {@link #kafka} source
     */
    public Source values(String format, String... avroSchemas) {
        KafkaTopic k = kafka();
        return withKafka(new KafkaTopic(k.bootstrap(), k.topic(), k.schemaText(), k.schema(),
                Objects.requireNonNull(format, "format"), List.of(avroSchemas)));
    }

    /**
     * Applies Kafka source {@code updates} on top of this Delta table (needs dev.larder:larder-kafka): the table is
     * bootstrapped from and follows the Delta table, and each record of the topic updates (a tombstone deletes) the
     * row of its key, both through the table's one writer. The records fill the Delta table's columns (JSON or
     * {@link #values Avro} as {@code updates} says), so {@code updates} takes no schema; its {@link #setting settings}
     * are the consumer's. Needs an {@link #eventTime} column, which orders the two sources; this table's key must be
     * one column, the record key.
     *
     * @throws IllegalStateException    unless this is a Delta table (by path or Unity Catalog name)
     * @throws IllegalArgumentException unless {@code updates} is a {@link #kafka} source without a schema
     */
    public Source stream(Source updates) {
        Objects.requireNonNull(updates, "updates");
        if (kafka != null) {
            throw new IllegalStateException("source " + location() + ": a stream is applied on top of a Delta table,"
                    + " not of a Kafka topic");
        }
        if (updates.kafka == null) {
            throw new IllegalArgumentException("source " + location() + ": the stream on top must be a Kafka source,"
                    + " not " + updates.location());
        }
        if (updates.kafka.schemaText() != null || updates.kafka.schema() != null) {
            throw new IllegalArgumentException("stream " + updates.location() + " on top of " + location()
                    + " takes no schema: the table's columns are the Delta table's");
        }
        return new Source(path, catalogName, key, ttl, inlineBytes, settings, maxStaleness, columns, shards, kafka,
                updates, eventTime);
    }

    /**
     * The column whose value orders the changes to a key when a {@link #stream} is applied on top of the Delta table:
     * a change older than the row held is skipped, whichever source it came from (ties: the later wins); a Kafka
     * tombstone's time is its record timestamp, a Delta delete's its commit timestamp. A timestamp, timestamp_ntz or
     * int64 column of the Delta table, not a key column; checked when the Larder opens.
     *
     * @throws IllegalStateException for a {@link #kafka} source (one topic's records apply in offset order)
     */
    public Source eventTime(String column) {
        if (Objects.requireNonNull(column, "column").isEmpty()) {
            throw new IllegalArgumentException("an event-time column needs a name");
        }
        if (kafka != null) {
            throw new IllegalStateException("source " + location() + ": an event-time column orders a Kafka stream"
                    + " applied on top of a Delta table; give it to the Delta source (Source.delta(...).stream(...))");
        }
        return new Source(path, catalogName, key, ttl, inlineBytes, settings, maxStaleness, columns, shards, kafka,
                stream, column);
    }

    /** The Kafka source applied on top of this Delta table; null when there is none. */
    Source streamed() {
        return stream;
    }

    /** The event-time column; empty when none is given. */
    String eventTimeColumn() {
        return eventTime;
    }

    private KafkaTopic kafka() {
        if (kafka == null) {
            throw new IllegalStateException("source " + location() + ": only a Kafka source takes a schema or a"
                    + " value format (a Delta table has its own)");
        }
        return kafka;
    }

    private Source withKafka(KafkaTopic k) {
        return new Source(path, catalogName, key, ttl, inlineBytes, settings, maxStaleness, columns, shards, k,
                stream, eventTime);
    }

    /** The entity key column(s), in key order. */
    public Source key(String... columns) {
        if (columns.length == 0) {
            throw new IllegalArgumentException("a key needs at least one column");
        }
        return new Source(path, catalogName, List.of(columns), ttl, inlineBytes, settings, maxStaleness, this.columns,
                shards, kafka, stream, eventTime);
    }

    /**
     * Serves only these feature columns (and the key columns): the model's columns of a wide table, so rows stay small
     * and a column added to the Delta table later does not re-bootstrap the table. By default every column is served.
     */
    public Source columns(String... names) {
        if (names.length == 0) {
            throw new IllegalArgumentException("select at least one column, or none to serve every column");
        }
        if (kafka != null) {
            throw new IllegalStateException("Kafka topic " + kafka.topic() + ": a Kafka-fed table holds the columns of"
                    + " its schema; declare only the ones to serve there");
        }
        return new Source(path, catalogName, key, ttl, inlineBytes, settings, maxStaleness, List.of(names), shards,
                kafka, stream, eventTime);
    }

    /**
     * Rows older than this (by commit time) read as EXPIRED; zero (the default) keeps rows until the source deletes
     * them.
     */
    public Source ttl(Duration ttl) {
        if (ttl.isNegative()) {
            throw new IllegalArgumentException("ttl must not be negative: " + ttl);
        }
        return new Source(path, catalogName, key, ttl, inlineBytes, settings, maxStaleness, columns, shards, kafka,
                stream, eventTime);
    }

    /**
     * Bytes of each non-key string or binary value kept inline in the row (default
     * {@value Column#DEFAULT_VARIABLE_CAPACITY}); longer values go to the table's heap by their length. Key strings
     * stay inline whole, up to {@value Column#DEFAULT_KEY_CAPACITY} bytes or this if larger.
     */
    public Source inlineBytes(int bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("inlineBytes must not be negative: " + bytes);
        }
        return new Source(path, catalogName, key, ttl, bytes, settings, maxStaleness, columns, shards, kafka, stream,
                eventTime);
    }

    /**
     * A Hadoop setting for reading this table's storage, e.g. {@code fs.s3a.endpoint}; for a Kafka source, a consumer
     * setting, e.g. {@code security.protocol} (those that would move offsets or join a group are overridden).
     */
    public Source setting(String name, String value) {
        Map<String, String> s = new LinkedHashMap<>(settings);
        s.put(name, value);
        return new Source(path, catalogName, key, ttl, inlineBytes, Map.copyOf(s), maxStaleness, columns, shards,
                kafka, stream, eventTime);
    }

    /**
     * This table is unhealthy once it has not reflected its source's newest version for this long (default: the
     * builder's).
     */
    public Source maxStaleness(Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("maxStaleness must be positive: " + d);
        }
        return new Source(path, catalogName, key, ttl, inlineBytes, settings, d, columns, shards, kafka, stream,
                eventTime);
    }

    /**
     * Holds only the keys of shards {@code owned} of {@code count}: a key's shard is Spark SQL's
     * {@code pmod(hash(key columns), count)}, so a Databricks job can partition or filter the table by the same
     * expression. Rows of other shards are not stored; a lookup of their keys answers {@link ReadStatus#NOT_OWNED}.
     * Fixed when the table is bootstrapped.
     *
     * @throws IllegalArgumentException when {@code count} is not positive or an owned shard is out of range
     */
    public Source shards(int count, int... owned) {
        return new Source(path, catalogName, key, ttl, inlineBytes, settings, maxStaleness, columns,
                ShardSpec.of(count, owned), kafka, stream, eventTime);
    }

    /**
     * Reads only the owned shards' files: the Delta table is partitioned by {@code column}, which holds each row's
     * shard as {@link #shards} computes it (on Databricks,
     * {@code df.withColumn("shard", expr("pmod(hash(key), N)")).write.partitionBy("shard")}). A bootstrap and the
     * change feed then skip the other partitions' files, so their time, not only the memory, scales with the owned
     * fraction. The rows of the files read are still checked by key; a column that does not hold the shards
     * loses rows, which {@code verify} names.
     *
     * @throws IllegalStateException when no {@link #shards} were given first
     */
    public Source shardColumn(String column) {
        if (shards.ownsAll()) {
            throw new IllegalStateException("shardColumn(" + column + ") needs shards(count, owned...) first");
        }
        return new Source(path, catalogName, key, ttl, inlineBytes, settings, maxStaleness, columns,
                shards.partitionedBy(column), kafka, stream, eventTime);
    }

    ShardSpec shardSpec() {
        return shards;
    }

    Duration maxStalenessOr(Duration fallback) {
        return maxStaleness != null ? maxStaleness : fallback;
    }

    /**
     * The path or URI (credentials in it masked, for messages), or the Unity Catalog name, or
     * {@code kafka://BOOTSTRAP/TOPIC}.
     */
    public String location() {
        if (kafka != null) {
            return "kafka://" + kafka.bootstrap() + "/" + kafka.topic();
        }
        return path != null ? Redaction.uris(path) : catalogName;
    }

    /** Whether this source is a Kafka topic ({@link #kafka}). */
    boolean fromKafka() {
        return kafka != null;
    }

    /** The Kafka topic, where its brokers are and the schema given; null for a Delta source. */
    KafkaTopic kafkaTopic() {
        return kafka;
    }

    /** Consumer settings of a Kafka source, Hadoop settings of a Delta one, as given. */
    Map<String, String> settings() {
        return settings;
    }

    public List<String> keyColumns() {
        return key;
    }

    /** The selected feature columns; empty when every column is served. */
    public List<String> columns() {
        return columns;
    }

    public Duration ttl() {
        return ttl;
    }

    int inlineBytes() {
        return inlineBytes;
    }

    /** Whether this source is named in Unity Catalog rather than by path. */
    boolean fromCatalog() {
        return catalogName != null;
    }

    /** Opens the Delta table; {@code catalog} is the builder's Unity Catalog endpoint, null for the environment's. */
    DeltaSource open(Larder.Catalog catalog) {
        if (kafka != null) {
            throw new IllegalArgumentException("source " + location() + " is a Kafka topic, not a Delta table");
        }
        if (key.isEmpty()) {
            throw new IllegalArgumentException("source " + location() + " has no key: call key(...)");
        }
        if (catalogName != null) {
            return Cloud.openCatalogTable(catalog, catalogName, settings);
        }
        return Cloud.openPath(path, settings);
    }

    /**
     * A Kafka source's topic: {@code schemaText} as given to {@link #schema(String)}, or {@code schema} as given to
     * {@link #schema(Schema)}; both null when the table's stored schema is used.
     */
    record KafkaTopic(String bootstrap, String topic, String schemaText, FeatureSchema schema, String valueFormat,
                      List<String> avroSchemas) {
    }

    @Override
    public String toString() {
        return (catalogName != null ? "unity-catalog:" + catalogName : location()) + " key " + key
                + (columns.isEmpty() ? "" : " columns " + columns)
                + (stream == null ? "" : " with stream " + stream.location() + " by event time " + eventTime);
    }
}
