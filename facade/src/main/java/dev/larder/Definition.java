package dev.larder;

import dev.larder.snapshot.DeltaFeatureSchemas;
import dev.larder.snapshot.DeltaSchema;
import dev.larder.snapshot.DeltaSource;
import dev.larder.store.Column;
import dev.larder.store.ColumnType;
import dev.larder.store.FeatureSchema;
import java.io.IOException;
import java.nio.file.Files;
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
import org.snakeyaml.engine.v2.exceptions.Mark;
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
 * source by path or Unity Catalog name, key, TTL, maximum staleness, typed defaults) and the model's input vectors.
 * Immutable. {@link #read} checks the file's shape; {@link #open} checks it against the Delta tables (columns, types,
 * defaults) before anything is served, and reports every problem with its line.
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
 * vectors:
 *   ranker:
 *     - users.ctr_7d                        # the table's default, else 0
 *     - {feature: users.sessions_30d, default: -1}
 * }</pre>
 *
 * <p>Restarting with a changed file re-bootstraps no table whose source is unchanged: a followed table resumes from its
 * watermark whatever else changed around it.
 */
public final class Definition {
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");
    private static final Set<String> TOP = Set.of("store", "unity_catalog", "poll_interval", "tables", "vectors");
    private static final Set<String> TABLE = Set.of("delta", "unity_catalog", "key", "columns", "ttl", "max_staleness",
            "inline_bytes", "settings", "defaults");

    /** A default value of a column, as written, with its line. */
    record Default(String column, String text, int line) {
    }

    /** {@code columnsLine} is 0 when the table serves every column. */
    record TableDef(String name, Source source, Map<String, Default> defaults, int line, int keyLine, int columnsLine) {
    }

    /** A vector feature; {@code defaultText} null when the table's default (else 0) applies. */
    record FeatureDef(String table, String column, String defaultText, int line) {
    }

    record VectorDef(String name, List<FeatureDef> features, int line) {
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
     * Reads and checks the file's shape: known keys, one of {@code delta} / {@code unity_catalog} per table, durations,
     * unique names, vectors naming declared tables.
     *
     * @throws DefinitionException listing every problem as {@code file:line: what}
     */
    public static Definition read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new DefinitionException(List.of(file + ": cannot read: " + e));
        }
        Node root;
        try {
            // The composer through exported packages only (api.lowlevel is not exported), so this runs on the module path.
            LoadSettings settings = LoadSettings.builder().setLabel(file.toString()).build();
            root = new Composer(settings, new ParserImpl(settings, new StreamReader(settings, text))).getSingleNode().orElse(null);
        } catch (YamlEngineException e) {
            throw new DefinitionException(List.of(file + ": not YAML: " + e.getMessage()));
        }
        return new Parser(file).parse(root);
    }

    /** The names of the declared tables, in file order. */
    public List<String> tables() {
        return tables.stream().map(TableDef::name).toList();
    }

    /** Where table {@code name} comes from: its path or URI (credentials masked), or its Unity Catalog name. */
    public String source(String name) {
        return table(name).source().location();
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
                () -> new IllegalArgumentException("no vector " + name + " in " + file + " (declared: " + vectors() + ")"));
        List<Feature> out = new ArrayList<>();
        for (FeatureDef f : v.features()) {
            try {
                out.add(new Feature(f.table(), f.column(), Double.parseDouble(defaultOf(f))));
            } catch (NumberFormatException e) {
                throw new DefinitionException(List.of(at(f.line()) + "vector " + name + " feature " + f.table() + "." + f.column()
                        + ": default '" + defaultOf(f) + "' is not a number"));
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
     * Checks every table's key, defaults and the vectors' features against the Delta schemas, then opens the store
     * ({@code storeOverride}, else the file's {@code store}) following every table.
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
            DeltaSource src;
            try {
                src = t.source().open(catalog);
            } catch (RuntimeException e) {
                problems.add(at(t.line()) + "table " + t.name() + ": cannot open " + t.source().location() + ": " + e.getMessage());
                continue;
            }
            opened.put(t.name(), src);
            DeltaSchema delta = src.schema(src.latestVersion());
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
                continue;
            }
            if (unknown != null) {
                continue;
            }
            schemas.put(t.name(), schema);
            for (Default d : t.defaults().values()) {
                String problem = checkDefault(schema, d.column(), d.text(), false);
                if (problem != null) {
                    problems.add(at(d.line()) + "table " + t.name() + " default " + d.column() + ": " + problem);
                }
            }
        }
        Larder.Builder b = Larder.builder(dir).catalog(catalog);
        if (pollInterval != null) {
            b.pollInterval(pollInterval);
        }
        for (VectorDef v : vectors) {
            List<Feature> features = new ArrayList<>();
            for (FeatureDef f : v.features()) {
                FeatureSchema schema = schemas.get(f.table());
                if (schema == null) {
                    continue;
                }
                String text = defaultOf(f);
                String problem = checkDefault(schema, f.column(), text, true);
                if (problem != null) {
                    problems.add(at(f.line()) + "vector " + v.name() + " feature " + f.table() + "." + f.column() + ": " + problem);
                    continue;
                }
                features.add(new Feature(f.table(), f.column(), Double.parseDouble(text)));
            }
            if (!features.isEmpty()) {
                b.vector(v.name(), features.toArray(Feature[]::new));
            }
        }
        if (!problems.isEmpty()) {
            throw new DefinitionException(problems);
        }
        for (TableDef t : tables) {
            b.follow(t.name(), t.source(), opened.get(t.name()));
        }
        return b.open();
    }

    private TableDef table(String name) {
        return tables.stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }

    private String at(int line) {
        return file + ":" + line + ": ";
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
            return text.equals("true") || text.equals("false") ? null : "'" + text + "' is not a boolean (true or false)";
        }
        double v;
        try {
            v = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            return "'" + text + "' is not a number, and column " + column + " is " + col.typeString();
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
                    ? "'" + text + "' is beyond the range of float column " + column : null;
        }
        if (v != Math.rint(v) || v < range[0] || v > range[1]) {
            return "'" + text + "' is not a whole number in the range of column " + column + " (" + col.typeString() + ")";
        }
        return null;
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
                Map<String, NodeTuple> uc = mapping(top.get("unity_catalog").getValueNode(), "unity_catalog", Set.of("uri", "token_env"));
                catalog = new Larder.Catalog(uc.containsKey("uri") ? scalar(uc.get("uri").getValueNode(), "uri") : null,
                        uc.containsKey("token_env") ? scalar(uc.get("token_env").getValueNode(), "token_env") : "DATABRICKS_TOKEN");
            }
            Duration poll = top.containsKey("poll_interval") ? duration(top.get("poll_interval").getValueNode(), "poll_interval") : null;
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
                for (NodeTuple t : entries(top.get("tables") == null ? null : top.get("tables").getValueNode(), "tables")) {
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
            Map<String, NodeTuple> m = mapping(t.getValueNode(), "table " + name, TABLE);
            boolean byPath = m.containsKey("delta");
            if (byPath == m.containsKey("unity_catalog")) {
                problems.add(line(t.getKeyNode()) + "table " + name + ": give its source as 'delta: PATH' or 'unity_catalog: NAME', "
                        + (byPath ? "not both" : "neither is given"));
                return null;
            }
            Source s = byPath ? Source.delta(scalar(m.get("delta").getValueNode(), "delta"))
                    : Source.unityCatalog(scalar(m.get("unity_catalog").getValueNode(), "unity_catalog"));
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
            if (m.containsKey("columns")) {
                Node n = m.get("columns").getValueNode();
                columnsLine = lineNumber(n);
                if (n instanceof SequenceNode seq && !seq.getValue().isEmpty()) {
                    s = s.columns(seq.getValue().stream().map(c -> scalar(c, "columns")).toArray(String[]::new));
                } else {
                    problems.add(line(n) + "table " + name + ": columns is a list of column names, e.g. [ctr_7d, sessions_30d]");
                }
            }
            if (m.containsKey("ttl")) {
                s = s.ttl(duration(m.get("ttl").getValueNode(), "ttl"));
            }
            if (m.containsKey("max_staleness")) {
                s = s.maxStaleness(duration(m.get("max_staleness").getValueNode(), "max_staleness"));
            }
            if (m.containsKey("inline_bytes")) {
                Node n = m.get("inline_bytes").getValueNode();
                try {
                    s = s.inlineBytes(Integer.parseInt(scalar(n, "inline_bytes")));
                } catch (IllegalArgumentException e) {
                    problems.add(line(n) + "inline_bytes: " + e.getMessage());
                }
            }
            if (m.containsKey("settings")) {
                for (NodeTuple st : entries(m.get("settings").getValueNode(), "settings")) {
                    s = s.setting(key(st), scalar(st.getValueNode(), key(st)));
                }
            }
            Map<String, Default> defaults = new LinkedHashMap<>();
            if (m.containsKey("defaults")) {
                for (NodeTuple d : entries(m.get("defaults").getValueNode(), "defaults")) {
                    defaults.put(key(d), new Default(key(d), scalar(d.getValueNode(), key(d)), lineNumber(d.getKeyNode())));
                }
            }
            return new TableDef(name, s, defaults, lineNumber(t.getKeyNode()), lineNumber(keyNode), columnsLine);
        }

        private VectorDef vector(NodeTuple v, Set<String> tables) {
            String name = key(v);
            List<FeatureDef> features = new ArrayList<>();
            Node list = v.getValueNode();
            if (!(list instanceof SequenceNode seq) || seq.getValue().isEmpty()) {
                problems.add(line(list) + "vector " + name + ": a list of features (table.column, or {feature: table.column, default: N})");
                return new VectorDef(name, features, lineNumber(v.getKeyNode()));
            }
            for (Node f : seq.getValue()) {
                String ref;
                String def = null;
                if (f instanceof MappingNode) {
                    Map<String, NodeTuple> m = mapping(f, "feature", Set.of("feature", "default"));
                    if (!m.containsKey("feature")) {
                        problems.add(line(f) + "vector " + name + ": a feature needs 'feature: table.column'");
                        continue;
                    }
                    ref = scalar(m.get("feature").getValueNode(), "feature");
                    def = m.containsKey("default") ? scalar(m.get("default").getValueNode(), "default") : null;
                } else {
                    ref = scalar(f, "feature");
                }
                int dot = ref.indexOf('.');
                if (dot <= 0 || dot == ref.length() - 1) {
                    problems.add(line(f) + "vector " + name + ": feature '" + ref + "' is not table.column");
                    continue;
                }
                String table = ref.substring(0, dot);
                if (!tables.contains(table)) {
                    problems.add(line(f) + "vector " + name + ": feature " + ref + " names table " + table
                            + ", which is not declared under 'tables' (declared: " + String.join(", ", tables) + ")");
                    continue;
                }
                features.add(new FeatureDef(table, ref.substring(dot + 1), def, lineNumber(f)));
            }
            return new VectorDef(name, features, lineNumber(v.getKeyNode()));
        }

        /** A mapping's entries by key, reporting unknown and repeated keys. */
        private Map<String, NodeTuple> mapping(Node node, String what, Set<String> allowed) {
            Map<String, NodeTuple> out = new LinkedHashMap<>();
            for (NodeTuple t : entries(node, what)) {
                String k = key(t);
                if (!allowed.contains(k)) {
                    problems.add(line(t.getKeyNode()) + what + ": unknown key '" + k + "' (expected one of "
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
                    problems.add(line(t.getKeyNode()) + what + ": '" + k + "' is declared twice (first on line " + first + ")");
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

        private Duration duration(Node n, String what) {
            String text = scalar(n, what);
            Matcher m = DURATION.matcher(text);
            if (m.matches()) {
                long v = Long.parseLong(m.group(1));
                return switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(v);
                    case "s" -> Duration.ofSeconds(v);
                    case "m" -> Duration.ofMinutes(v);
                    case "h" -> Duration.ofHours(v);
                    default -> Duration.ofDays(v);
                };
            }
            try {
                return Duration.parse(text);
            } catch (DateTimeParseException e) {
                problems.add(line(n) + what + ": '" + text + "' is not a duration (e.g. 500ms, 30s, 10m, 24h, 7d, PT1H)");
                return Duration.ZERO;
            }
        }

        private String line(Node n) {
            return file + ":" + lineNumber(n) + ": ";
        }

        private static int lineNumber(Node n) {
            return n == null ? 1 : n.getStartMark().map(Mark::getLine).orElse(0) + 1;
        }
    }
}
