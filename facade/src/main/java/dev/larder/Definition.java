package dev.larder;

import dev.larder.snapshot.DeltaFeatureSchemas;
import dev.larder.snapshot.DeltaSchema;
import dev.larder.snapshot.DeltaSource;
import dev.larder.store.Column;
import dev.larder.store.ColumnType;
import dev.larder.store.FeatureSchema;
import dev.larder.store.FeatureStore;
import dev.larder.store.Generations;
import dev.larder.store.Key;
import dev.larder.store.TableMetadata;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;

/**
 * Features declared as code: a YAML file a team keeps in git next to its model, naming the store, the tables (Delta
 * source by path or Unity Catalog name, or a Kafka topic; key, TTL, maximum staleness, typed defaults) and the model's
 * input vectors. Immutable. {@link #read} checks the file's shape; {@link #open} checks it against the Delta tables
 * (columns, types, defaults) before anything is served, and reports every problem with its line.
 *
 * <pre>{@code
 * store: /var/lib/larder
 * tables:
 *   users:
 *     delta: s3a://lake/features/users      # or  unity_catalog: main.features.users
 *     key: user_id
 *     columns: [ctr_7d, sessions_30d]      # optional: serve only these (and the key)
 *     ttl: 7d
 *     max_staleness: 10m
 *     defaults: {ctr_7d: 0.0}
 *     shards: {count: 4, own: [0, 2]}      # optional: hold keys with pmod(hash(key), 4) in (0, 2); add
 *                                          #   column: C when the table is partitioned by C = that expression
 *     log_reads: {columns: [ctr_7d], to: s3a://lake/logs/users}   # optional: log Reader.loggedColumns reads
 *   clicks:                                # a Kafka topic (needs larder-kafka): record key = key, value = JSON row
 *     kafka: {bootstrap: broker:9092, topic: clicks, schema: "user_id int64, clicks int64, ctr float64"}
 *     # Avro values: also values: avro | avro-single-object | avro-confluent, avro_schemas: [FILE | ID=FILE]
 *     key: user_id
 *     settings: {security.protocol: SSL}   # consumer settings; ttl, max_staleness, defaults, shards as above
 *   trips:                                 # a Delta table with a Kafka topic's updates on top (needs larder-kafka)
 *     delta: s3a://lake/features/trips
 *     key: trip_id
 *     stream: {kafka: {bootstrap: broker:9092, topic: trip-updates}}   # values as above; no schema (Delta's)
 *     event_time: updated_at               # orders the two: an older event never overwrites a newer value
 * vectors:
 *   ranker:
 *     - users.ctr_7d                        # the table's default, else 0
 *     - {feature: users.sessions_30d, default: -1}
 *   ranker_logged:                          # the long form, to log what is served (see ServeLog)
 *     features: [users.ctr_7d]
 *     log: {to: s3a://lake/logs/ranker, sample: 1.0, roll_every: 10s, roll_rows: 100000, model: ranker}
 * }</pre>
 *
 * <p>Restarting with a changed file re-bootstraps no table whose source is unchanged: a followed table resumes from its
 * watermark whatever else changed around it. A table the store holds keeps its key, so a changed {@code key} is a
 * problem until the table is rebuilt with the new one.
 */
public final class Definition {
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");
    /** Bounds far above any real definition: a hostile or mistaken file is refused fast, not exhausting memory. */
    private static final int MAX_BYTES = 1 << 20;
    private static final int MAX_DEPTH = 32;
    private static final int MAX_ALIASES = 100;
    /** The longest duration the engine represents (it waits in nanoseconds): about 292 years. */
    private static final Duration MAX_DURATION = Duration.ofNanos(Long.MAX_VALUE);
    /** How much of a value a problem quotes. */
    private static final int QUOTED = 100;
    private static final Set<String> TOP = Set.of("store", "unity_catalog", "poll_interval", "tables", "vectors");
    private static final Set<String> TABLE = Set.of("delta", "unity_catalog", "kafka", "key", "columns", "ttl",
            "max_staleness", "inline_bytes", "settings", "defaults", "shards", "log_reads", "stream", "event_time");
    private static final List<String> SOURCES = List.of("delta", "unity_catalog", "kafka");

    /** A default value of a column, as written, with its line. */
    record Default(String column, String text, int line) {
    }

    /**
     * {@code columnsLine} is 0 when the table serves every column; {@code schemaLine} is a Kafka source's schema line,
     * else its source line; {@code readLog} null when its single-table reads are not logged, else they are of
     * {@code loggedColumns}.
     */
    record TableDef(String name, Source source, Map<String, Default> defaults, int line, int sourceLine, int keyLine,
                    int columnsLine, int schemaLine, ServeLog readLog, List<String> loggedColumns, int streamLine,
                    int eventTimeLine) {
    }

    /** A vector feature; {@code defaultText} null when the table's default (else 0) applies. */
    record FeatureDef(String table, String column, String defaultText, int line) {
        String ref() {
            return table + "." + column;
        }
    }

    /** {@code log} is null when the vector is not logged. */
    record VectorDef(String name, List<FeatureDef> features, int line, ServeLog log) {
    }

    private final Path file;
    private final Path store;
    private final Larder.Catalog catalog;
    private final Duration pollInterval;
    private final List<TableDef> tables;
    private final List<VectorDef> vectors;

    private Definition(Path file, Path store, Larder.Catalog catalog, Duration pollInterval, List<TableDef> tables,
                       List<VectorDef> vectors) {
        this.file = file;
        this.store = store;
        this.catalog = catalog;
        this.pollInterval = pollInterval;
        this.tables = tables;
        this.vectors = vectors;
    }

    /**
     * Reads and checks the file's shape: known keys, one of {@code delta} / {@code unity_catalog} / {@code kafka} per
     * table (a Kafka source's key and schema too), durations,
     * unique and valid names, vectors naming declared tables. A file over 1 MiB, nested deeper than 32 levels, with
     * more than 100 aliases, or not UTF-8 is refused without being parsed further.
     *
     * @throws DefinitionException listing every problem as {@code file:line: what}
     */
    public static Definition read(Path file) {
        String text = decode(file, bytes(file));
        Node root;
        try {
            // The composer through exported packages only (api.lowlevel is not exported): this runs on the module path.
            LoadSettings settings = LoadSettings.builder().setLabel(file.toString()).setAllowRecursiveKeys(false)
                    .setMaxAliasesForCollections(MAX_ALIASES).setCodePointLimit(MAX_BYTES).build();
            org.snakeyaml.engine.v2.parser.Parser events = new BoundedEvents(file,
                    new ParserImpl(settings, new StreamReader(settings, text)));
            root = new Composer(settings, events).getSingleNode().orElse(null);
        } catch (MarkedYamlEngineException e) {
            int line = e.getProblemMark().or(e::getContextMark).map(Mark::getLine).orElse(0) + 1;
            String context = e.getContext() == null ? "" : e.getContext() + e.getContextMark().map(Mark::getLine)
                    .filter(l -> l + 1 != line).map(l -> " (from line " + (l + 1) + ")").orElse("") + ": ";
            throw new DefinitionException(List.of(file + ":" + line + ": not YAML: " + context + e.getProblem()));
        } catch (YamlEngineException e) {
            throw new DefinitionException(List.of(file + ": not YAML: " + e.getMessage()));
        }
        return new Parser(file).parse(root);
    }

    /** The file's bytes, at most {@code MAX_BYTES}: a larger file (or a device that never ends) is refused unread. */
    private static byte[] bytes(Path file) {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        } catch (NoSuchFileException e) {
            throw new DefinitionException(List.of(file + ": no such file"));
        } catch (AccessDeniedException e) {
            throw new DefinitionException(List.of(file + ": cannot read: permission denied"));
        } catch (IOException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new DefinitionException(List.of(file + ": cannot read: " + why));
        }
        if (bytes.length > MAX_BYTES) {
            throw new DefinitionException(List.of(file + ":" + lineAt(bytes, MAX_BYTES) + ": the file is larger than "
                    + (MAX_BYTES >> 20) + " MiB, far more than a definition takes: not read further"));
        }
        return bytes;
    }

    /** Strict UTF-8: a malformed byte is named with its line and column rather than replaced. */
    private static String decode(Path file, byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult r = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(in, out, true);
        if (r.isError()) {
            int at = in.position();
            int lineStart = at;
            while (lineStart > 0 && bytes[lineStart - 1] != '\n') {
                lineStart--;
            }
            throw new DefinitionException(List.of(file + ":" + lineAt(bytes, at) + ": not UTF-8: byte 0x"
                    + String.format("%02X", bytes[at] & 0xFF) + " at column " + (at - lineStart + 1)
                    + " (a definition is UTF-8 text)"));
        }
        return out.flip().toString();
    }

    /** The 1-based line of byte offset {@code at}. */
    private static int lineAt(byte[] bytes, int at) {
        int line = 1;
        for (int i = 0; i < at; i++) {
            if (bytes[i] == '\n') {
                line++;
            }
        }
        return line;
    }

    /** The names of the declared tables, in file order. */
    public List<String> tables() {
        return tables.stream().map(TableDef::name).toList();
    }

    /** Where table {@code name} comes from: its path or URI (credentials masked), or its Unity Catalog name. */
    public String source(String name) {
        return table(name).source().location();
    }

    /**
     * Table {@code name}'s source as the file declares it: its key columns, TTL and column selection.
     *
     * @throws IllegalArgumentException if the file declares no such table
     */
    public Source tableSource(String name) {
        return declared(name).source();
    }

    /**
     * Opens table {@code name}'s Delta table as the file declares it (path or Unity Catalog name, its settings), with
     * {@code settings} added: for Larder's tools reading a table's history, such as {@code larder training-set}.
     *
     * @throws IllegalArgumentException if the file declares no such table
     */
    public DeltaSource openTable(String name, Map<String, String> settings) {
        Source s = declared(name).source();
        for (Map.Entry<String, String> e : settings.entrySet()) {
            s = s.setting(e.getKey(), e.getValue());
        }
        return s.open(catalog);
    }

    private TableDef declared(String name) {
        return tables.stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow(
                () -> new IllegalArgumentException("no table " + name + " in " + file + " (declared: " + tables()
                        + ")"));
    }

    /** The names of the declared vectors, in file order. */
    public List<String> vectors() {
        return vectors.stream().map(VectorDef::name).toList();
    }

    /**
     * The features of vector {@code name} in input order, each with its default (the feature's own, else its table's
     * default for the column, else 0); not checked against the Delta schemas.
     *
     * @throws IllegalArgumentException if the file declares no such vector
     */
    public List<Feature> vector(String name) {
        VectorDef v = vectors.stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow(
                () -> new IllegalArgumentException("no vector " + name + " in " + file + " (declared: " + vectors()
                        + ")"));
        List<Feature> out = new ArrayList<>();
        for (FeatureDef f : v.features()) {
            try {
                out.add(new Feature(f.table(), f.column(), Double.parseDouble(defaultOf(f))));
            } catch (NumberFormatException e) {
                throw new DefinitionException(List.of(at(f.line()) + "vector " + clip(name) + " feature "
                        + clip(f.ref()) + ": default '" + clip(defaultOf(f)) + "' is not a number"));
            }
        }
        return out;
    }

    private String defaultOf(FeatureDef f) {
        if (f.defaultText() != null) {
            return f.defaultText();
        }
        Default d = table(f.table()).defaults().get(f.column());
        return d == null ? "0" : d.text();
    }

    /** The store directory the file names, or null. */
    public Path store() {
        return store;
    }

    /** Checks the file against the Delta tables and opens the store it names. */
    public Larder open() {
        return open(null);
    }

    /**
     * Checks every table's key, defaults and the vectors' features against the Delta schemas, and every key against the
     * key the store holds the table under, then opens the store ({@code storeOverride}, else the file's {@code store})
     * following every table.
     *
     * @throws DefinitionException listing every problem as {@code file:line: what}; nothing is opened then
     */
    public Larder open(Path storeOverride) {
        Path dir = storeOverride != null ? storeOverride : store;
        if (dir == null) {
            throw new DefinitionException(List.of(file + ":1: no store: add 'store: DIR' or pass the directory"));
        }
        List<String> problems = new ArrayList<>();
        Map<String, FeatureSchema> schemas = new LinkedHashMap<>();
        Map<String, DeltaSource> opened = new LinkedHashMap<>();
        for (TableDef t : tables) {
            FeatureSchema schema = t.source().fromKafka() ? kafkaSchema(dir, t, problems)
                    : deltaSchema(t, opened, problems);
            if (schema == null) {
                continue;
            }
            schemas.put(t.name(), schema);
            if (t.source().streamed() != null) {
                checkStream(t, schema, problems);
            }
            for (Default d : t.defaults().values()) {
                String problem = checkDefault(schema, d.column(), d.text(), false);
                if (problem != null) {
                    problems.add(at(d.line()) + "table " + t.name() + " default " + clip(d.column()) + ": " + problem);
                }
            }
        }
        checkStoredKeys(dir, schemas, opened, problems);
        Larder.Builder b = Larder.builder(dir).catalog(catalog);
        if (pollInterval != null) {
            b.pollInterval(pollInterval);
        }
        for (VectorDef v : vectors) {
            List<Feature> features = new ArrayList<>();
            // One key looks up every table of a vector, so their keys must encode alike (FeatureVector.Builder's rule).
            FeatureDef keyed = null;
            for (FeatureDef f : v.features()) {
                FeatureSchema schema = schemas.get(f.table());
                if (schema == null) {
                    continue;
                }
                if (keyed == null) {
                    keyed = f;
                } else if (!new Key(schemas.get(keyed.table())).compatibleWith(schema)) {
                    problems.add(at(f.line()) + "vector " + clip(v.name()) + " feature " + clip(f.ref()) + ": table "
                            + f.table() + " is keyed by " + keyOf(schema) + ", unlike table " + keyed.table()
                            + " (keyed by " + keyOf(schemas.get(keyed.table())) + ", line " + keyed.line()
                            + "): one key looks up every table of a vector");
                    continue;
                }
                String text = defaultOf(f);
                String problem = checkDefault(schema, f.column(), text, true);
                if (problem != null) {
                    problems.add(at(f.line()) + "vector " + clip(v.name()) + " feature " + clip(f.ref()) + ": "
                            + problem);
                    continue;
                }
                features.add(new Feature(f.table(), f.column(), Double.parseDouble(text)));
            }
            if (!features.isEmpty()) {
                b.vector(v.name(), features.toArray(Feature[]::new));
                if (v.log() != null) {
                    b.log(v.name(), v.log());
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new DefinitionException(problems);
        }
        for (TableDef t : tables) {
            if (t.source().fromKafka()) {
                b.follow(t.name(), t.source());
            } else {
                b.follow(t.name(), t.source(), opened.get(t.name()));
            }
            if (t.readLog() != null) {
                b.logReads(t.name(), t.readLog(), t.loggedColumns().toArray(String[]::new));
            }
        }
        return b.open();
    }

    /**
     * Table {@code t}'s schema from its Delta table, which is opened (and kept in {@code opened}); null after adding
     * the problems found to {@code problems}.
     */
    private FeatureSchema deltaSchema(TableDef t, Map<String, DeltaSource> opened, List<String> problems) {
        DeltaSource src;
        DeltaSchema delta;
        try {
            src = t.source().open(catalog);
            // Reading the newest version checks the protocol (a catalog-managed table named by path is refused).
            delta = src.schema(src.latestVersion());
        } catch (RuntimeException e) {
            problems.add(at(t.sourceLine()) + "table " + t.name() + ": cannot open " + t.source().location() + ": "
                    + e.getMessage());
            return null;
        }
        opened.put(t.name(), src);
        String unknown = DeltaFeatureSchemas.unknownSelection(delta, t.source().columns());
        if (unknown != null) {
            problems.add(at(t.columnsLine()) + "table " + t.name() + ": " + unknown);
        }
        FeatureSchema schema;
        try {
            // Without a valid selection the key is still checked, so both problems are reported.
            schema = DeltaFeatureSchemas.toFeatureSchema(delta, t.source().keyColumns(),
                    unknown == null ? t.source().columns() : List.of(), t.source().inlineBytes());
        } catch (RuntimeException e) {
            problems.add(at(t.keyLine()) + "table " + t.name() + ": " + e.getMessage());
            return null;
        }
        return unknown == null ? schema : null;
    }

    /**
     * Table {@code t}'s stream on top of its Delta table, against {@code schema}, the Delta table's: the event-time
     * column at its line, the rest (the jar, the key, the value format) at the stream's.
     */
    private void checkStream(TableDef t, FeatureSchema schema, List<String> problems) {
        String column = t.source().eventTimeColumn();
        if (column.isEmpty()) {
            return;
        }
        try {
            TableMetadata.checkEventTime(schema, column);
        } catch (IllegalArgumentException e) {
            problems.add(at(t.eventTimeLine()) + "table " + t.name() + " from " + t.source().location() + ": "
                    + e.getMessage());
            return;
        }
        try {
            Kafka.checkStream(t.source(), t.name(), schema);
        } catch (RuntimeException e) {
            problems.add(at(t.streamLine()) + e.getMessage());
        }
    }

    /**
     * Kafka-fed table {@code t}'s schema: the one its source gives, else the one the store in {@code dir} holds the
     * table with; null after adding the problem to {@code problems} (a new table without a schema). Nothing is
     * created.
     */
    private FeatureSchema kafkaSchema(Path dir, TableDef t, List<String> problems) {
        FeatureStore store = Files.isDirectory(dir) ? FeatureStore.openExisting(dir) : null;
        try {
            return Kafka.schema(t.source(), store, t.name());
        } catch (RuntimeException e) {
            problems.add(at(t.schemaLine()) + e.getMessage());
            return null;
        } finally {
            if (store != null) {
                store.close();
            }
        }
    }

    /**
     * A table the store already holds keeps the key it was bootstrapped with: served under another key, its rows would
     * be found by the old key's values. So a changed {@code key} is a problem at its line until the table is rebuilt
     * with the new key (or dropped). Reads only metadata files; creates nothing.
     */
    private void checkStoredKeys(Path dir, Map<String, FeatureSchema> schemas, Map<String, DeltaSource> opened,
                                 List<String> problems) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (FeatureStore store = FeatureStore.openExisting(dir)) {
            for (Map.Entry<String, FeatureSchema> e : schemas.entrySet()) {
                if (!store.exists(e.getKey())) {
                    continue;
                }
                List<String> stored = keyNames(store.metadata(e.getKey()).schema());
                TableDef t = table(e.getKey());
                if (!stored.equals(t.source().keyColumns())) {
                    String key = String.join(",", t.source().keyColumns());
                    String old = String.join(",", stored);
                    if (t.source().fromKafka()) {
                        // A Kafka-fed table is rebuilt by following its topic from the start again.
                        problems.add(at(t.keyLine()) + "table " + t.name() + ": key " + key + " is not the key the"
                                + " table in " + dir + " was created with (" + old + "); keep 'key: " + old + "', or"
                                + " drop the table to follow " + t.source().location() + " from its start");
                        continue;
                    }
                    String delta = t.source().fromCatalog() ? opened.get(t.name()).tablePath() : t.source().location();
                    String ttl = t.source().ttl().isZero() ? "" : " --ttl " + t.source().ttl();
                    problems.add(at(t.keyLine()) + "table " + t.name() + ": key " + key + " is not the key the table "
                            + "in " + dir + " was bootstrapped with (" + old + "), and lookups would still go by that "
                            + "one; keep 'key: " + old + "', or re-bootstrap the table with the new key: ./larder "
                            + "rebuild --store " + dir + " --table " + t.name() + " --delta " + delta + " --key " + key
                            + ttl + " --yes");
                }
            }
        }
    }

    /** The names of {@code schema}'s key columns, in key order. */
    static List<String> keyNames(FeatureSchema schema) {
        List<String> names = new ArrayList<>();
        for (int k : schema.keyColumns()) {
            names.add(schema.column(k).name());
        }
        return names;
    }

    private static String keyOf(FeatureSchema schema) {
        List<String> parts = new ArrayList<>();
        for (int k : schema.keyColumns()) {
            parts.add(schema.column(k).name() + " (" + schema.column(k).typeString() + ")");
        }
        return String.join(", ", parts);
    }

    private TableDef table(String name) {
        return tables.stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }

    private String at(int line) {
        return file + ":" + line + ": ";
    }

    /** {@code text} as a problem quotes it: a long value (or one aliased many times) does not flood the message. */
    static String clip(String text) {
        return text.length() <= QUOTED ? text : text.substring(0, QUOTED) + "... (" + text.length() + " characters)";
    }

    /**
     * Null if {@code text} is a valid value of {@code column}, else why not; {@code numeric} requires a numeric column
     * (a vector feature).
     */
    static String checkDefault(FeatureSchema schema, String column, String text, boolean numeric) {
        List<String> names = schema.names();
        int c = names.indexOf(column);
        if (c < 0) {
            return "no column " + column + " (columns: " + String.join(", ", names) + ")";
        }
        Column col = schema.column(c);
        ColumnType type = col.type();
        if (numeric && (type.isVariableWidth() || type == ColumnType.FLOAT32_ARRAY || type == ColumnType.OPAQUE)) {
            return "column " + column + " is " + col.typeString() + ", not numeric: a model input vector takes numbers";
        }
        if (!numeric && (type.isVariableWidth() || type == ColumnType.FLOAT32_ARRAY || type == ColumnType.OPAQUE)) {
            return null;
        }
        if (!numeric && type == ColumnType.BOOLEAN) {
            return text.equals("true") || text.equals("false") ? null
                    : "'" + clip(text) + "' is not a boolean (true or false)";
        }
        double v;
        try {
            v = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            return "'" + clip(text) + "' is not a number, and column " + column + " is " + col.typeString();
        }
        // parseDouble rounds a number beyond the double range to infinity; only an infinity written as one is meant.
        if (Double.isInfinite(v) && !text.contains("Infinity")) {
            return "'" + clip(text) + "' is beyond the range of a double (about 1.8e308)";
        }
        if (numeric) {
            return null;
        }
        long[] range = switch (type) {
            case INT8 -> new long[] {Byte.MIN_VALUE, Byte.MAX_VALUE};
            case INT16 -> new long[] {Short.MIN_VALUE, Short.MAX_VALUE};
            case INT32, DATE -> new long[] {Integer.MIN_VALUE, Integer.MAX_VALUE};
            case INT64, TIMESTAMP, TIMESTAMP_NTZ -> new long[] {Long.MIN_VALUE, Long.MAX_VALUE};
            default -> null;
        };
        if (range == null) {
            return type == ColumnType.FLOAT32 && Double.isFinite(v) && Math.abs(v) > Float.MAX_VALUE
                    ? "'" + clip(text) + "' is beyond the range of float column " + column : null;
        }
        // Exact: as a double, 2^63 equals Long.MAX_VALUE and would pass for an int64.
        BigDecimal exact;
        try {
            exact = new BigDecimal(text.strip());
        } catch (NumberFormatException e) {
            exact = null;
        }
        if (exact == null || exact.stripTrailingZeros().scale() > 0 || exact.compareTo(BigDecimal.valueOf(range[0])) < 0
                || exact.compareTo(BigDecimal.valueOf(range[1])) > 0) {
            return "'" + clip(text) + "' is not a whole number in the range of column " + column + " ("
                    + col.typeString() + ": " + range[0] + ".." + range[1] + ")";
        }
        return null;
    }

    /**
     * The parser's events, refused past {@code MAX_DEPTH} nested collections (the composer recurses per level, so a
     * deeply nested file would overflow the stack) and past {@code MAX_ALIASES} aliases of any kind (snakeyaml bounds
     * only aliases of collections; a large scalar aliased many times multiplies in every message quoting it).
     */
    private static final class BoundedEvents implements org.snakeyaml.engine.v2.parser.Parser {
        private final Path file;
        private final org.snakeyaml.engine.v2.parser.Parser events;
        private int depth;
        private int aliases;

        BoundedEvents(Path file, org.snakeyaml.engine.v2.parser.Parser events) {
            this.file = file;
            this.events = events;
        }

        @Override
        public boolean checkEvent(Event.ID id) {
            return events.checkEvent(id);
        }

        @Override
        public Event peekEvent() {
            return events.peekEvent();
        }

        @Override
        public boolean hasNext() {
            return events.hasNext();
        }

        @Override
        public Event next() {
            Event e = events.next();
            switch (e.getEventId()) {
                case MappingStart, SequenceStart -> {
                    if (++depth > MAX_DEPTH) {
                        throw refused(e, "nested deeper than " + MAX_DEPTH
                                + " levels, far more than a definition takes");
                    }
                }
                case MappingEnd, SequenceEnd -> depth--;
                case Alias -> {
                    if (++aliases > MAX_ALIASES) {
                        throw refused(e, "more than " + MAX_ALIASES
                                + " aliases (*name), far more than a definition takes");
                    }
                }
                default -> {
                }
            }
            return e;
        }

        private DefinitionException refused(Event e, String what) {
            int line = e.getStartMark().map(Mark::getLine).orElse(0) + 1;
            return new DefinitionException(List.of(file + ":" + line + ": " + what));
        }
    }

    /** Walks the YAML nodes, collecting every problem with its line. */
    private static final class Parser {
        private final Path file;
        private final List<String> problems = new ArrayList<>();

        Parser(Path file) {
            this.file = file;
        }

        Definition parse(Node root) {
            Map<String, NodeTuple> top = mapping(root, "the definition", TOP);
            Path store = top.containsKey("store") ? Path.of(scalar(top.get("store").getValueNode(), "store")) : null;
            Larder.Catalog catalog = null;
            if (top.containsKey("unity_catalog")) {
                Map<String, NodeTuple> uc = mapping(top.get("unity_catalog").getValueNode(), "unity_catalog",
                        Set.of("uri", "token_env"));
                catalog = new Larder.Catalog(uc.containsKey("uri") ? scalar(uc.get("uri").getValueNode(), "uri") : null,
                        uc.containsKey("token_env") ? scalar(uc.get("token_env").getValueNode(), "token_env")
                                : "DATABRICKS_TOKEN");
            }
            // Zero would poll without pause, as the CLI's --poll 0s would (refused there too).
            Duration poll = top.containsKey("poll_interval")
                    ? duration(top.get("poll_interval").getValueNode(), "poll_interval", false) : null;
            List<TableDef> tables = new ArrayList<>();
            if (!top.containsKey("tables")) {
                problems.add(line(root) + "no tables: a definition declares at least one under 'tables'");
            } else {
                for (NodeTuple t : entries(top.get("tables").getValueNode(), "tables")) {
                    TableDef def = table(t);
                    if (def != null) {
                        tables.add(def);
                    }
                }
            }
            List<VectorDef> vectors = new ArrayList<>();
            if (top.containsKey("vectors")) {
                Set<String> declared = new java.util.HashSet<>();
                for (NodeTuple t : entries(top.get("tables") == null ? null : top.get("tables").getValueNode(),
                        "tables")) {
                    declared.add(key(t));
                }
                for (NodeTuple v : entries(top.get("vectors").getValueNode(), "vectors")) {
                    vectors.add(vector(v, declared));
                }
            }
            if (!problems.isEmpty()) {
                throw new DefinitionException(problems);
            }
            return new Definition(file, store, catalog, poll, tables, vectors);
        }

        private TableDef table(NodeTuple t) {
            String name = key(t);
            try {
                Generations.checkTableName(name);
            } catch (IllegalArgumentException e) {
                problems.add(line(t.getKeyNode()) + e.getMessage().replace(name, clip(name)));
                return null;
            }
            Map<String, NodeTuple> m = mapping(t.getValueNode(), "table " + name, TABLE);
            List<String> given = SOURCES.stream().filter(m::containsKey).toList();
            if (given.size() != 1) {
                problems.add(line(t.getKeyNode()) + "table " + name + ": give its source as 'delta: PATH',"
                        + " 'unity_catalog: NAME' or 'kafka: {bootstrap: HOST:PORT, topic: T, schema: ...}', "
                        + (given.isEmpty() ? "neither is given" : "not " + String.join(" and ", given)));
                return null;
            }
            Node sourceNode = m.get(given.get(0)).getValueNode();
            int[] schemaLine = {lineNumber(sourceNode)};
            Source s = switch (given.get(0)) {
                case "delta" -> Source.delta(scalar(sourceNode, "delta"));
                case "unity_catalog" -> Source.unityCatalog(scalar(sourceNode, "unity_catalog"));
                default -> kafka(sourceNode, name, schemaLine);
            };
            if (s == null) {
                return null;
            }
            if (!m.containsKey("key")) {
                problems.add(line(t.getKeyNode()) + "table " + name + ": no key");
                return null;
            }
            Node keyNode = m.get("key").getValueNode();
            List<String> key = new ArrayList<>();
            if (keyNode instanceof SequenceNode seq) {
                seq.getValue().forEach(n -> key.add(scalar(n, "key")));
            } else {
                key.add(scalar(keyNode, "key"));
            }
            s = s.key(key.toArray(String[]::new));
            int columnsLine = 0;
            // A Kafka-fed table's columns are its schema's: checkKafka reports a selection.
            if (m.containsKey("columns") && !s.fromKafka()) {
                Node n = m.get("columns").getValueNode();
                columnsLine = lineNumber(n);
                if (n instanceof SequenceNode seq && !seq.getValue().isEmpty()) {
                    s = s.columns(seq.getValue().stream().map(c -> scalar(c, "columns")).toArray(String[]::new));
                } else {
                    problems.add(line(n) + "table " + name
                            + ": columns is a list of column names, e.g. [ctr_7d, sessions_30d]");
                }
            }
            // A zero TTL keeps rows until the source deletes them (Source.ttl), so it is allowed.
            Duration ttl = m.containsKey("ttl") ? duration(m.get("ttl").getValueNode(), "ttl", true) : null;
            if (ttl != null) {
                s = s.ttl(ttl);
            }
            Duration staleness = m.containsKey("max_staleness")
                    ? duration(m.get("max_staleness").getValueNode(), "max_staleness", false) : null;
            if (staleness != null) {
                s = s.maxStaleness(staleness);
            }
            if (m.containsKey("inline_bytes")) {
                Node n = m.get("inline_bytes").getValueNode();
                String text = scalar(n, "inline_bytes");
                int bytes = text.matches("\\d{1,7}") ? Integer.parseInt(text) : -1;
                if (bytes < Column.MIN_VARIABLE_CAPACITY || bytes > Column.MAX_VARIABLE_CAPACITY) {
                    problems.add(line(n) + "inline_bytes: '" + clip(text) + "' is not a number of bytes in "
                            + Column.MIN_VARIABLE_CAPACITY + ".." + Column.MAX_VARIABLE_CAPACITY);
                } else {
                    s = s.inlineBytes(bytes);
                }
            }
            if (m.containsKey("shards")) {
                s = shards(m.get("shards").getValueNode(), name, s);
            }
            if (m.containsKey("settings")) {
                for (NodeTuple st : entries(m.get("settings").getValueNode(), "settings")) {
                    s = s.setting(key(st), scalar(st.getValueNode(), key(st)));
                }
            }
            Map<String, Default> defaults = new LinkedHashMap<>();
            if (m.containsKey("defaults")) {
                for (NodeTuple d : entries(m.get("defaults").getValueNode(), "defaults")) {
                    defaults.put(key(d), new Default(key(d), scalar(d.getValueNode(), key(d)),
                            lineNumber(d.getKeyNode())));
                }
            }
            if (s.fromKafka()) {
                checkKafka(s, name, m, sourceNode, keyNode, schemaLine[0]);
            }
            int streamLine = 0;
            if (m.containsKey("stream")) {
                streamLine = lineNumber(m.get("stream").getValueNode());
                s = stream(m.get("stream").getValueNode(), name, s);
                if (s == null) {
                    return null;
                }
            }
            int eventTimeLine = 0;
            if (m.containsKey("event_time")) {
                Node n = m.get("event_time").getValueNode();
                eventTimeLine = lineNumber(n);
                if (streamLine == 0) {
                    problems.add(line(n) + "table " + name + ": event_time orders a stream applied on top of a Delta"
                            + " table, and none is given (stream: {kafka: {bootstrap: HOST:PORT, topic: T}})");
                } else {
                    s = s.eventTime(scalar(n, "event_time"));
                }
            } else if (streamLine != 0) {
                problems.add(line(m.get("stream").getKeyNode()) + "table " + name + ": a stream on top of a Delta table"
                        + " needs 'event_time: COLUMN', the column that orders the two sources");
            }
            ServeLog readLog = null;
            List<String> logged = List.of();
            if (m.containsKey("log_reads")) {
                Node n = m.get("log_reads").getValueNode();
                Map<String, NodeTuple> lr = mapping(n, "table " + name + " log_reads", Set.of("columns", "to", "sample",
                        "roll_every", "roll_rows", "model", "model_version"));
                if (lr.containsKey("columns") && lr.get("columns").getValueNode() instanceof SequenceNode seq
                        && !seq.getValue().isEmpty()) {
                    logged = seq.getValue().stream().map(c -> scalar(c, "log_reads columns")).toList();
                    readLog = log(lr, n, "table " + name + " log_reads");
                } else {
                    problems.add(line(n) + "table " + name + " log_reads: needs 'columns: [COLUMN, ...]'");
                }
            }
            return new TableDef(name, s, defaults, lineNumber(t.getKeyNode()), lineNumber(sourceNode),
                    lineNumber(keyNode), columnsLine, schemaLine[0], readLog, logged, streamLine, eventTimeLine);
        }

        /**
         * {@code stream: {kafka: {bootstrap: HOST:PORT, topic: T, values: ...}, settings: {...}}}: the topic applied on
         * top of Delta source {@code s} (no schema: the records fill the Delta table's columns; the settings are the
         * consumer's); null after reporting what is wrong.
         */
        private Source stream(Node n, String table, Source s) {
            Map<String, NodeTuple> m = mapping(n, "table " + table + " stream", Set.of("kafka", "settings"));
            if (s.fromKafka()) {
                problems.add(line(n) + "table " + table + ": a stream is applied on top of a Delta table ('delta:' or"
                        + " 'unity_catalog:'), not of a Kafka topic");
                return null;
            }
            if (!m.containsKey("kafka")) {
                problems.add(line(n) + "table " + table + ": stream needs kafka: {bootstrap: HOST:PORT, topic: T}");
                return null;
            }
            Node k = m.get("kafka").getValueNode();
            int[] schemaLine = {0};
            Source updates = kafka(k, table, schemaLine);
            if (updates == null) {
                return null;
            }
            if (schemaLine[0] != 0) {
                problems.add(file + ":" + schemaLine[0] + ": table " + table + ": a stream takes no schema: the"
                        + " table's columns are its Delta table's");
                return null;
            }
            if (m.containsKey("settings")) {
                for (NodeTuple st : entries(m.get("settings").getValueNode(), "settings")) {
                    updates = updates.setting(key(st), scalar(st.getValueNode(), key(st)));
                }
            }
            return s.stream(updates);
        }

        /**
         * {@code kafka: {bootstrap: HOST:PORT, topic: T, schema: 'NAME TYPE, ...'}}: the topic a table follows (its
         * schema may be left out for a table the store holds); null after reporting what is missing.
         */
        private Source kafka(Node n, String table, int[] schemaLine) {
            Map<String, NodeTuple> k = mapping(n, "table " + table + " kafka", Set.of("bootstrap", "topic", "schema",
                    "values", "avro_schemas"));
            if (!k.containsKey("bootstrap") || !k.containsKey("topic")) {
                problems.add(line(n) + "table " + table + ": kafka needs bootstrap and topic (e.g. kafka: {bootstrap:"
                        + " broker:9092, topic: clicks, schema: 'user_id int64, clicks int64'})");
                return null;
            }
            Source s = Source.kafka(scalar(k.get("bootstrap").getValueNode(), "bootstrap"),
                    scalar(k.get("topic").getValueNode(), "topic"));
            if (k.containsKey("schema")) {
                Node schema = k.get("schema").getValueNode();
                schemaLine[0] = lineNumber(schema);
                s = s.schema(scalar(schema, "schema"));
            }
            if (k.containsKey("values") || k.containsKey("avro_schemas")) {
                String format = k.containsKey("values") ? scalar(k.get("values").getValueNode(), "values") : "json";
                List<String> avro = new ArrayList<>();
                if (k.containsKey("avro_schemas")) {
                    Node a = k.get("avro_schemas").getValueNode();
                    if (a instanceof SequenceNode seq) {
                        seq.getValue().forEach(x -> avro.add(scalar(x, "avro_schemas")));
                    } else {
                        avro.add(scalar(a, "avro_schemas"));
                    }
                }
                s = s.values(format, avro.toArray(String[]::new));
            }
            return s;
        }

        /**
         * What a Kafka-fed table cannot take (a column selection, an inline size, a shard column: its schema says
         * what it holds, and a topic has no partition files to skip) and its key and schema, each at its line.
         */
        private void checkKafka(Source s, String table, Map<String, NodeTuple> m, Node sourceNode, Node keyNode,
                                int schemaLine) {
            for (String refused : List.of("columns", "inline_bytes")) {
                if (m.containsKey(refused)) {
                    problems.add(line(m.get(refused).getKeyNode()) + "table " + table + ": a Kafka-fed table takes no "
                            + refused + " (its schema gives the columns and their sizes, e.g. name string(32))");
                }
            }
            boolean shardColumn = s.shardSpec().partitionColumn() != null;
            if (shardColumn) {
                problems.add(line(m.get("shards").getValueNode()) + "table " + table + ": shards of a Kafka-fed table"
                        + " take no column (a topic has no partition files to skip); give count and own");
            }
            if (s.keyColumns().size() != 1) {
                problems.add(line(keyNode) + "table " + table + ": a Kafka-fed table has one key column (the record"
                        + " key), not " + s.keyColumns());
                return;
            }
            try {
                Kafka.checkAvailable(s);
            } catch (IllegalStateException e) {
                problems.add(line(sourceNode) + "table " + table + ": " + e.getMessage());
                return;
            }
            try {
                if (!shardColumn) {
                    Kafka.check(s, table);
                }
            } catch (IllegalArgumentException e) {
                problems.add(file + ":" + schemaLine + ": " + e.getMessage());
            }
        }

        /**
         * {@code shards: {count: N, own: [i, j]}} (or {@code own: i}): the table holds those shards only; with
         * {@code column: C}, the Delta table is partitioned by C holding each row's shard, and only owned partitions
         * are read.
         */
        private Source shards(Node n, String table, Source s) {
            String count = null;
            String column = null;
            List<String> own = new ArrayList<>();
            for (NodeTuple e : entries(n, "shards")) {
                switch (key(e)) {
                    case "count" -> count = scalar(e.getValueNode(), "count");
                    case "own" -> {
                        if (e.getValueNode() instanceof SequenceNode seq) {
                            seq.getValue().forEach(o -> own.add(scalar(o, "own")));
                        } else {
                            own.add(scalar(e.getValueNode(), "own"));
                        }
                    }
                    case "column" -> column = scalar(e.getValueNode(), "column");
                    default -> problems.add(line(e.getKeyNode()) + "table " + table
                            + ": shards has count, own and column, not '" + clip(key(e)) + "'");
                }
            }
            try {
                if (count == null || own.isEmpty()) {
                    throw new IllegalArgumentException("give count and own");
                }
                Source sharded = s.shards(Integer.parseInt(count), own.stream().mapToInt(Integer::parseInt).toArray());
                return column == null ? sharded : sharded.shardColumn(column);
            } catch (IllegalArgumentException | IllegalStateException e) {
                problems.add(line(n) + "table " + table + ": shards: " + e.getMessage()
                        + " (e.g. shards: {count: 4, own: [0, 2]})");
                return s;
            }
        }

        private VectorDef vector(NodeTuple v, Set<String> tables) {
            String name = key(v);
            String shown = clip(name);
            List<FeatureDef> features = new ArrayList<>();
            Node list = v.getValueNode();
            ServeLog log = null;
            if (list instanceof MappingNode) {
                // The long form: {features: [...], log: {...}}.
                Map<String, NodeTuple> m = mapping(list, "vector " + shown, Set.of("features", "log"));
                list = m.containsKey("features") ? m.get("features").getValueNode() : null;
                if (m.containsKey("log")) {
                    log = log(m.get("log").getValueNode(), shown);
                }
            }
            if (!(list instanceof SequenceNode seq) || seq.getValue().isEmpty()) {
                problems.add(line(list == null ? v.getValueNode() : list) + "vector " + shown
                        + ": a list of features (table.column, or {feature: table.column, default: N})");
                return new VectorDef(name, features, lineNumber(v.getKeyNode()), log);
            }
            for (Node f : seq.getValue()) {
                String ref;
                String def = null;
                if (f instanceof MappingNode) {
                    Map<String, NodeTuple> m = mapping(f, "feature", Set.of("feature", "default"));
                    if (!m.containsKey("feature")) {
                        problems.add(line(f) + "vector " + shown + ": a feature needs 'feature: table.column'");
                        continue;
                    }
                    ref = scalar(m.get("feature").getValueNode(), "feature");
                    def = m.containsKey("default") ? scalar(m.get("default").getValueNode(), "default") : null;
                } else {
                    ref = scalar(f, "feature");
                }
                int dot = ref.indexOf('.');
                if (dot <= 0 || dot == ref.length() - 1) {
                    problems.add(line(f) + "vector " + shown + ": feature '" + clip(ref) + "' is not table.column");
                    continue;
                }
                String table = ref.substring(0, dot);
                if (!tables.contains(table)) {
                    problems.add(line(f) + "vector " + shown + ": feature " + clip(ref) + " names table " + clip(table)
                            + ", which is not declared under 'tables' (declared: " + String.join(", ", tables) + ")");
                    continue;
                }
                features.add(new FeatureDef(table, ref.substring(dot + 1), def, lineNumber(f)));
            }
            return new VectorDef(name, features, lineNumber(v.getKeyNode()), log);
        }

        /** A vector's {@code log: {to: PATH, sample: 0..1, roll_every, roll_rows, model, model_version}}. */
        private ServeLog log(Node n, String vector) {
            Map<String, NodeTuple> m = mapping(n, "vector " + vector + " log",
                    Set.of("to", "sample", "roll_every", "roll_rows", "model", "model_version"));
            return log(m, n, "vector " + vector + " log");
        }

        /** The log settings of mapping {@code m} (node {@code n}), named {@code what} in problems. */
        private ServeLog log(Map<String, NodeTuple> m, Node n, String what) {
            if (!m.containsKey("to")) {
                problems.add(line(n) + what + ": needs 'to: PATH_OR_URI'");
                return null;
            }
            String at = what + " ";
            try {
                ServeLog log = ServeLog.to(scalar(m.get("to").getValueNode(), at + "to"));
                if (m.containsKey("sample")) {
                    log = log.sample(Double.parseDouble(scalar(m.get("sample").getValueNode(), at + "sample")));
                }
                if (m.containsKey("roll_every")) {
                    Duration every = duration(m.get("roll_every").getValueNode(), at + "roll_every", false);
                    log = every == null ? log : log.rollEvery(every);
                }
                if (m.containsKey("roll_rows")) {
                    log = log.rollRows(Integer.parseInt(scalar(m.get("roll_rows").getValueNode(), at + "roll_rows")));
                }
                String model = m.containsKey("model") ? scalar(m.get("model").getValueNode(), at + "model") : null;
                String version = m.containsKey("model_version")
                        ? scalar(m.get("model_version").getValueNode(), at + "model_version") : null;
                return log.tags(model, version);
            } catch (IllegalArgumentException e) {
                // NumberFormatException included: a sample or row count that is not a number.
                problems.add(line(n) + at.trim() + ": " + e.getMessage());
                return null;
            }
        }

        /** A mapping's entries by key, reporting unknown and repeated keys. */
        private Map<String, NodeTuple> mapping(Node node, String what, Set<String> allowed) {
            Map<String, NodeTuple> out = new LinkedHashMap<>();
            for (NodeTuple t : entries(node, what)) {
                String k = key(t);
                if (!allowed.contains(k)) {
                    problems.add(line(t.getKeyNode()) + what + ": unknown key '" + clip(k) + "' (expected one of "
                            + String.join(", ", allowed.stream().sorted().toList()) + ")");
                } else {
                    out.put(k, t);
                }
            }
            return out;
        }

        /** A mapping's entries, reporting repeated keys (YAML allows them; a definition must not). */
        private List<NodeTuple> entries(Node node, String what) {
            if (node == null) {
                return List.of();
            }
            if (!(node instanceof MappingNode m)) {
                problems.add(line(node) + what + ": expected a mapping (key: value lines)");
                return List.of();
            }
            Map<String, Integer> seen = new LinkedHashMap<>();
            List<NodeTuple> out = new ArrayList<>();
            for (NodeTuple t : m.getValue()) {
                String k = key(t);
                Integer first = seen.putIfAbsent(k, lineNumber(t.getKeyNode()));
                if (first != null) {
                    problems.add(line(t.getKeyNode()) + what + ": '" + clip(k) + "' is declared twice (first on line "
                            + first + ")");
                } else {
                    out.add(t);
                }
            }
            return out;
        }

        private String key(NodeTuple t) {
            return t.getKeyNode() instanceof ScalarNode s ? s.getValue() : "?";
        }

        private String scalar(Node n, String what) {
            if (n instanceof ScalarNode s) {
                return s.getValue();
            }
            problems.add(line(n) + what + ": expected a single value");
            return "";
        }

        /** The duration {@code n} gives, or null after reporting why it is not one the engine can use. */
        private Duration duration(Node n, String what, boolean zeroAllowed) {
            String text = scalar(n, what);
            Duration d;
            try {
                d = parseDuration(text);
            } catch (DateTimeParseException e) {
                problems.add(line(n) + what + ": '" + clip(text)
                        + "' is not a duration (e.g. 500ms, 30s, 10m, 24h, 7d, PT1H)");
                return null;
            } catch (ArithmeticException e) {
                d = null;
            }
            if (d == null || d.compareTo(MAX_DURATION) > 0) {
                problems.add(line(n) + what + ": '" + clip(text) + "' is too long (at most " + MAX_DURATION.toDays()
                        + "d)");
                return null;
            }
            if (d.isNegative() || d.isZero() && !zeroAllowed) {
                problems.add(line(n) + what + ": '" + clip(text) + "' must be "
                        + (zeroAllowed ? "zero or more" : "more than zero"));
                return null;
            }
            return d;
        }

        private static Duration parseDuration(String text) {
            Matcher m = DURATION.matcher(text);
            if (!m.matches()) {
                try {
                    return Duration.parse(text);
                } catch (DateTimeParseException e) {
                    // Duration.parse reports a number too large for its unit as a parse error caused by the overflow.
                    if (e.getCause() instanceof ArithmeticException || e.getCause() instanceof NumberFormatException) {
                        throw new ArithmeticException("overflow");
                    }
                    throw e;
                }

            }
            long v;
            try {
                v = Long.parseLong(m.group(1));
            } catch (NumberFormatException e) {
                throw new ArithmeticException("overflow");
            }
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(v);
                case "s" -> Duration.ofSeconds(v);
                case "m" -> Duration.ofMinutes(v);
                case "h" -> Duration.ofHours(v);
                default -> Duration.ofDays(v);
            };
        }

        private String line(Node n) {
            return file + ":" + lineNumber(n) + ": ";
        }

        private static int lineNumber(Node n) {
            return n == null ? 1 : n.getStartMark().map(Mark::getLine).orElse(0) + 1;
        }
    }
}
