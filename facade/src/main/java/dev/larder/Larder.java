package dev.larder;

import dev.larder.ingest.FollowOptions;
import dev.larder.ingest.Follower;
import dev.larder.ingest.IngestMetrics;
import dev.larder.ingest.IngestOptions;
import dev.larder.ingest.Redaction;
import dev.larder.ingest.LarderEngine;
import dev.larder.ingest.SyncPolicy;
import dev.larder.ingest.TableHandle;
import dev.larder.ingest.TableListener;
import dev.larder.snapshot.DeltaChangeSource;
import dev.larder.snapshot.DeltaFeatureSchemas;
import dev.larder.snapshot.DeltaFeed;
import dev.larder.snapshot.DeltaSource;
import dev.larder.snapshot.Rebuild;
import dev.larder.snapshot.TableParity;
import dev.larder.snapshot.servelog.ServeLogLayout;
import dev.larder.store.FeatureSchema;
import dev.larder.store.FeatureStore;
import dev.larder.store.FeatureTable;
import dev.larder.store.FeatureVector;
import dev.larder.store.Generations;
import dev.larder.store.ShardSpec;
import dev.larder.store.StoreCorruptedException;
import dev.larder.store.StoreException;
import dev.larder.store.TableMetadata;
import dev.larder.store.TableOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Thread-safe: an embedded feature store, the one type a model server starts from. It keeps feature tables in
 * memory-mapped files under one directory, follows their Delta sources (bootstrap, then every commit exactly once, in
 * order) and serves lock-free, allocation-free lookups from any number of threads.
 *
 * <pre>{@code
 * try (Larder larder = Larder.builder(Path.of("/var/lib/larder"))
 *         .follow("users", Source.unityCatalog("main.features.users").key("user_id"))
 *         .vector("ranker", Feature.of("users.ctr_7d"), Feature.of("users.sessions_30d", -1))
 *         .open()) {
 *     Reader users = larder.table("users").newReader();      // per thread
 *     ...
 * }
 * }</pre>
 *
 * <p>Opening returns once every followed table's current generation is open: a table new to the store is then still
 * bootstrapping (its reads say NOT_FOUND until its first version is in; {@link Table#status()} tells), a table the
 * store already holds serves its last version at once and catches up.
 */
public final class Larder implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Larder.class.getName());
    /** The engine that writes the store; null in a Larder opened read-only. */
    private final LarderEngine engine;
    /** The store opened read-only, beside its writer; null when {@link #engine} is set. */
    private final FeatureStore readOnly;
    /** The Unity Catalog endpoint sources are opened through (null: the environment's). */
    private Catalog catalog;
    private final Map<String, Table> tables = new LinkedHashMap<>();
    private final Map<String, Vector> vectors = new LinkedHashMap<>();
    /** The vectors' served-feature logs, closed (their last vectors committed) before the engine. */
    private final List<ServeLogger> logs = new ArrayList<>();

    private Larder(LarderEngine engine) {
        this.engine = engine;
        this.readOnly = null;
    }

    private Larder(FeatureStore readOnly) {
        this.engine = null;
        this.readOnly = readOnly;
    }

    /**
     * A Larder over an engine its caller opened and fed (Larder's own tools and tests: the engine's package is exported
     * to Larder's modules only). The Larder owns the engine from here on: closing it closes the engine.
     */
    public static Larder over(LarderEngine engine) {
        return new Larder(Objects.requireNonNull(engine, "engine"));
    }

    /** A builder for the store in {@code directory} (created if missing). */
    public static Builder builder(Path directory) {
        return new Builder(directory);
    }

    /** The store in {@code directory}, serving its tables without following any source. */
    public static Larder open(Path directory) {
        return builder(directory).open();
    }

    /**
     * The store in {@code directory} for reading only, beside the process that writes it (a running
     * {@code larder follow}, or another Larder): no lock is taken, nothing is recovered, created or written. Each
     * table is read as its writer had published it when {@link #table} first named it here, and sees what the
     * writer publishes later through {@link Table#readConsistently}, which a lookup beside a running writer should go
     * through; a table the writer bootstraps again meanwhile is still read in the generation first named. It follows
     * nothing, pushes nothing, declares no vectors: {@link #status()} is empty, {@link #flush()} does nothing, and
     * {@link #ingestMetrics()} and the table listeners are refused. For tools and for a second process that only
     * reads; a model server reads the Larder that follows.
     *
     * @throws RuntimeException the store's own error (it names the directory) when there is no store there
     */
    public static Larder openReadOnly(Path directory) {
        return new Larder(FeatureStore.openReadOnly(Objects.requireNonNull(directory, "directory")));
    }

    /**
     * Every generation directory of every table in the store, in name order, each with its rows, lineage and files'
     * sizes read consistently with its writer, or the error that keeps it from opening: what an operator looks at
     * ({@code larder stats}). A generation this Larder had not opened is closed again after it is described.
     *
     * @param sampleRows the payload is measured over this many live rows (a uniform sample)
     * @throws IllegalStateException unless this Larder was {@link #openReadOnly opened read-only}: in a Larder that
     *                               writes the store, opening a generation a bootstrap left would recover it
     */
    public synchronized List<TableFiles> tableFiles(long sampleRows) {
        if (readOnly == null) {
            throw new IllegalStateException("tableFiles lists the store of a Larder opened read-only");
        }
        TreeSet<String> dirs = new TreeSet<>(readOnly.tableNames());
        dirs.addAll(readOnly.damagedTableNames());
        List<TableFiles> out = new ArrayList<>();
        for (String dir : dirs) {
            out.add(describe(Generations.tableOf(dir), dir, sampleRows));
        }
        return out;
    }

    private TableFiles describe(String table, String dir, long sampleRows) {
        boolean current;
        int generations;
        try {
            current = readOnly.resolve(table).equals(dir);
        } catch (StoreException e) {
            current = false;
        }
        try {
            generations = readOnly.generations(table).size();
        } catch (StoreException e) {
            generations = 1;
        }
        Table served = tables.get(table);
        boolean keep = served != null && served.current().name().equals(dir);
        FeatureTable t;
        try {
            t = readOnly.generation(table, Generations.parse(table, dir));
        } catch (StoreException e) {
            return TableFiles.failed(table, dir, current, generations, e);
        }
        try {
            return TableFiles.of(table, dir, current, generations, t, sampleRows);
        } finally {
            if (!keep) {
                readOnly.close(dir);
            }
        }
    }

    /**
     * Compares table {@code table} with the Delta table {@code against} at the table's watermark, row by row and value
     * by value, and checks the table's rows against their checksums, describing up to {@code maxDifferences}
     * differences. {@code against} needs no key: the table's is used.
     *
     * @throws IllegalStateException if the table has no watermark (its bootstrap did not finish)
     */
    public Verification verify(String table, Source against, int maxDifferences) {
        if (maxDifferences < 0) {
            throw new IllegalArgumentException("maxDifferences must be at least 0, got " + maxDifferences);
        }
        Table t = table(table);
        if (t.lineage().version() < 0) {
            throw new IllegalStateException("bootstrap of table " + table + " did not finish; re-run load (or follow)");
        }
        Source keyed = against.keyColumns().isEmpty()
                ? against.key(t.schema().keyColumns().toArray(String[]::new)) : against;
        DeltaSource src = keyed.open(catalog);
        TableParity.Result r = t.readConsistently(() -> TableParity.verify(src, t.current(), maxDifferences));
        return new Verification(r.equal(), Redaction.uris(src.tablePath()), r.version(), r.deltaRows(),
                r.tableRows(), r.missingFromTable(), r.missingFromDelta(), r.differing(), r.differences(),
                r.scrub().rows(), r.scrub().damaged(), r.scrub().samples());
    }

    /** Whether this Larder was opened with {@link #openReadOnly}. */
    public boolean readOnly() {
        return readOnly != null;
    }

    /**
     * The table {@code name}: a followed one, or one the store holds (loaded by {@code larder load}, say).
     *
     * @throws IllegalArgumentException if the store has no such table; in a Larder {@link #openReadOnly opened
     *                                  read-only}, the store's own error instead, which names the file at fault (a
     *                                  table whose files are damaged, or that no writer finished creating), as it
     *                                  is for a table whose files are damaged in any Larder
     */
    public synchronized Table table(String name) {
        Table t = tables.get(name);
        if (t == null && readOnly != null) {
            t = new Table(name, readOnly.table(name));
            tables.put(name, t);
        }
        if (t == null) {
            try {
                t = new Table(engine.table(name), null, null);
            } catch (StoreCorruptedException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("no table " + name + " in " + engine.store().directory()
                        + " (followed: " + tables.keySet() + "): " + e.getMessage(), e);
            }
            tables.put(name, t);
        }
        return t;
    }

    /**
     * The vector {@code name} declared on the builder.
     *
     * @throws IllegalArgumentException if none was declared under that name
     */
    public synchronized Vector vector(String name) {
        Vector v = vectors.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no vector " + name + " (declared: " + vectors.keySet() + ")");
        }
        return v;
    }

    /**
     * A vector over this Larder's tables built now rather than declared on the builder (a definition file's vector
     * over a store {@link #openReadOnly opened read-only}, say); {@link #vector(String)} does not know it.
     *
     * @throws IllegalArgumentException naming each feature whose table or column is missing
     */
    public Vector newVector(String name, List<Feature> features) {
        if (features.isEmpty()) {
            throw new IllegalArgumentException("vector " + name + " has no features");
        }
        return new Vector(name, Builder.build(this, name, features), null, 0);
    }

    /**
     * Waits until every followed table holds a complete version (its bootstrap is done), e.g. before a model server
     * starts taking traffic.
     *
     * @return false if {@code timeout} passed first
     */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Table> followed;
        synchronized (this) {
            followed = tables.values().stream().filter(Table::followed).toList();
        }
        for (Table t : followed) {
            while (t.current().lineage().version() < 0) {
                if (System.nanoTime() >= deadline) {
                    return false;
                }
                Thread.sleep(10);
            }
        }
        return true;
    }

    /** Reads, checks against the Delta tables and opens the definition file {@code file} (see {@link Definition}). */
    public static Larder fromDefinition(Path file) {
        return Definition.read(file).open();
    }

    /** The live ingest metrics (ring, writer, rejections), the bean JMX shows as {@code dev.larder:type=Ingest}. */
    public IngestMetrics ingestMetrics() {
        return writer("ingest metrics").metricsBean();
    }

    /** The engine, or a refusal naming what a Larder opened read-only lacks. */
    private LarderEngine writer(String what) {
        if (engine == null) {
            throw new IllegalStateException("a Larder opened read-only has no " + what + " (it writes nothing)");
        }
        return engine;
    }

    /**
     * Adds a listener to the set of tables served, for metrics binders (Micrometer's): it hears at once of every table
     * open now, then of tables opened and closed, and of this Larder closing (see {@link TableListener}).
     */
    public void addTableListener(TableListener listener) {
        writer("table listeners").addTableListener(listener);
    }

    /** Removes a listener {@link #addTableListener} added. */
    public void removeTableListener(TableListener listener) {
        writer("table listeners").removeTableListener(listener);
    }

    /**
     * Syncs every table and waits: every version ended so far ({@link Pusher#endVersion}, and every followed commit
     * applied) survives a crash from here on. Changes of a version not yet ended are rolled back on reopen.
     *
     * @throws FeedException if a pushed table is stopped (a change failed and the versions after it were skipped) until
     *                       {@link Pusher#resume()}
     */
    public void flush() {
        if (engine == null) {
            return;
        }
        try {
            engine.flush();
        } catch (dev.larder.ingest.FeedException e) {
            throw FeedException.of(e);
        }
    }

    /** False once a followed table is staler than its maximum or its feed keeps failing. */
    public boolean healthy() {
        return engine == null || engine.healthy();
    }

    /** Feed state, watermark, freshness and last error of every followed table. */
    public List<TableStatus> status() {
        return engine == null ? List.of() : engine.status().stream().map(TableStatus::of).toList();
    }

    /**
     * The counters of every served-feature log, by the vector's name (or the table's, for its logged single-table
     * reads), in declaration order; empty when nothing is logged. Each call sums the serving threads' counters.
     */
    public Map<String, ServeLogStats> logStats() {
        Map<String, ServeLogStats> m = new LinkedHashMap<>();
        for (ServeLogger l : logs) {
            m.put(l.name(), l.stats());
        }
        return m;
    }

    /** Stops following, syncs and closes every table; readers must not be used afterwards. */
    @Override
    public void close() {
        if (engine == null) {
            readOnly.close();
            return;
        }
        try {
            closeLogs();
        } finally {
            engine.close();
        }
    }

    private void closeLogs() {
        for (ServeLogger l : logs) {
            l.close();
        }
    }

    /** The Unity Catalog endpoint of a builder: its URI (null: {@code $DATABRICKS_HOST}) and the token's variable. */
    record Catalog(String uri, String tokenEnv) {
    }

    /** An application-fed table declared on a builder. */
    private record Pushed(FeatureSchema schema, TableOptions options) {
    }

    /** A table's logged single-table reads: the columns read and where they are logged. */
    private record LoggedReads(ServeLog settings, List<String> columns) {
    }

    /** Not thread-safe: configures and opens a {@link Larder}. */
    public static final class Builder {
        private final Path directory;
        private final Map<String, Source> follows = new LinkedHashMap<>();
        private final Map<String, DeltaSource> opened = new LinkedHashMap<>();
        private final Map<String, List<Feature>> vectors = new LinkedHashMap<>();
        private final Map<String, Pushed> pushed = new LinkedHashMap<>();
        private final Map<String, ServeLog> logs = new LinkedHashMap<>();
        private final Map<String, LoggedReads> loggedReads = new LinkedHashMap<>();
        private final Map<String, LoadProgress> bootstrapProgress = new LinkedHashMap<>();
        private Duration pollInterval = FollowOptions.DEFAULT.pollInterval();
        private Duration maxStaleness = FollowOptions.DEFAULT.maxStaleness();
        private Catalog catalog;
        private boolean existing;
        private int ringSize = IngestOptions.DEFAULT.ringSize();
        private WaitStrategy waitStrategy = WaitStrategy.PHASED_BACKOFF;
        private int syncMaxPendingVersions = SyncPolicy.DEFAULT.maxPendingVersions();
        private Duration syncMaxDelay = SyncPolicy.DEFAULT.maxDelay();

        private Builder(Path directory) {
            this.directory = Objects.requireNonNull(directory, "directory");
        }

        /**
         * Follows {@code source} into table {@code table}: bootstrap if the store does not hold it yet, then every
         * commit (of a Kafka source: every record, from the topic's start, then from the offsets stored with it).
         */
        public Builder follow(String table, Source source) {
            if (pushed.containsKey(table)
                    || follows.putIfAbsent(table, Objects.requireNonNull(source, "source")) != null) {
                throw new IllegalArgumentException("table " + table + " is followed twice");
            }
            return this;
        }

        /**
         * Declares table {@code table} as fed by the application ({@link Table#newPusher()}): created with
         * {@code schema} if the store does not hold it, otherwise served from where it was, which must have that schema
         * (string and binary inline capacities aside: it keeps its stored ones). A table has one feeder:
         * {@link #open()} refuses a table a Delta table feeds, and {@code follow} refuses this one.
         *
         * @param ttl rows older than this (by commit time) read as EXPIRED; {@link Duration#ZERO} for never
         */
        public Builder push(String table, Schema schema, Duration ttl) {
            Pushed p = new Pushed(Objects.requireNonNull(schema, "schema").schema, TableOptions.DEFAULT.withTtl(ttl));
            if (follows.containsKey(table) || pushed.putIfAbsent(table, p) != null) {
                throw new IllegalArgumentException("table " + table + " is declared twice");
            }
            return this;
        }

        /** {@link #follow(String, Source)} with the source already opened (a definition file checked it). */
        Builder follow(String table, Source source, DeltaSource open) {
            follow(table, source);
            opened.put(table, open);
            return this;
        }

        /** Declares a named model input vector: {@code features} in input order. */
        public Builder vector(String name, Feature... features) {
            if (features.length == 0) {
                throw new IllegalArgumentException("vector " + name + " has no features");
            }
            if (vectors.putIfAbsent(name, List.of(features)) != null) {
                throw new IllegalArgumentException("vector " + name + " is declared twice");
            }
            return this;
        }

        /**
         * Logs the vectors served of vector {@code vector} (declared with {@link #vector}) into a Delta table: see
         * {@link ServeLog}. The key columns are logged as they are named in the vector's first table; a binary key
         * column cannot be logged.
         */
        public Builder log(String vector, ServeLog settings) {
            if (logs.putIfAbsent(vector, Objects.requireNonNull(settings, "settings")) != null) {
                throw new IllegalArgumentException("vector " + vector + " is logged twice");
            }
            return this;
        }

        /**
         * Logs the single-table reads of {@code columns} of table {@code table} made through
         * {@link Reader#loggedColumns} into a Delta table, as a vector's log ({@link ServeLog}) with this table only:
         * its {@code vector} column holds the table's name, its features are {@code <table>__<column>}.
         *
         * @throws IllegalArgumentException if no column is given or the table's reads are logged twice; {@link #open()}
         *                                  refuses a table or column that is not there, or a binary key
         */
        public Builder logReads(String table, ServeLog settings, String... columns) {
            if (columns.length == 0) {
                throw new IllegalArgumentException("logged reads of table " + table + " need at least one column");
            }
            if (loggedReads.putIfAbsent(table, new LoggedReads(Objects.requireNonNull(settings, "settings"),
                    List.of(columns))) != null) {
                throw new IllegalArgumentException("the reads of table " + table + " are logged twice");
            }
            return this;
        }

        /**
         * Tells {@code progress} how a bootstrap of the followed table {@code table} goes (when the store does not hold
         * the table yet, and at every re-bootstrap), for a progress display: it is called on the follower's thread as
         * the Delta snapshot is read, and must return quickly, as the bootstrap waits for it.
         *
         * @throws IllegalArgumentException if a progress is already set for the table; {@link #open()} refuses one
         *                                  for a table that is not followed
         */
        public Builder bootstrapProgress(String table, LoadProgress progress) {
            if (bootstrapProgress.putIfAbsent(table, Objects.requireNonNull(progress, "progress")) != null) {
                throw new IllegalArgumentException("table " + table + " has a bootstrap progress already");
            }
            return this;
        }

        /** How often followed sources are polled for new commits (default 1 s). */
        public Builder pollInterval(Duration d) {
            this.pollInterval = d;
            return this;
        }

        /**
         * A followed table is unhealthy once it has not reflected its source's newest version for this long (default
         * 5 min).
         */
        public Builder maxStaleness(Duration d) {
            this.maxStaleness = d;
            return this;
        }

        /**
         * Slots of the ring every change passes through to the store's one writer (default 16384), a power of two. Each
         * slot holds one row image, so the ring takes about this many rows' size of heap; a larger ring absorbs longer
         * bursts of pushes before producers wait. Checked by {@link #open()}.
         */
        public Builder ringSize(int slots) {
            this.ringSize = slots;
            return this;
        }

        /** How the writer waits for changes while the ring is empty (default {@link WaitStrategy#PHASED_BACKOFF}). */
        public Builder waitStrategy(WaitStrategy strategy) {
            this.waitStrategy = strategy;
            return this;
        }

        /**
         * When ended versions become durable: a table is synced once {@code maxPendingVersions} ended versions await
         * it, or {@code maxDelay} after the first of them ended, whichever comes first (default 1000 and 100 ms; 1 and
         * {@link Duration#ZERO} sync every version); {@link Larder#flush()} and close always sync. A crash loses only
         * versions not yet synced, which a followed table reads again from its source. Checked by {@link #open()}.
         */
        public Builder syncPolicy(int maxPendingVersions, Duration maxDelay) {
            this.syncMaxPendingVersions = maxPendingVersions;
            this.syncMaxDelay = maxDelay;
            return this;
        }

        /**
         * Makes {@link #open()} refuse a directory that holds no store instead of creating one: for tools that look at
         * a store, which must not leave an empty one behind a mistyped path.
         */
        public Builder existing() {
            this.existing = true;
            return this;
        }

        /** {@link #unityCatalog(String, String)} from a definition file: a null URI means {@code $DATABRICKS_HOST}. */
        Builder catalog(Catalog c) {
            this.catalog = c;
            return this;
        }

        /**
         * The Unity Catalog that {@link Source#unityCatalog} names resolve in (default: {@code $DATABRICKS_HOST} with
         * the token in {@code $DATABRICKS_TOKEN}).
         *
         * @param uri      the workspace URI, e.g. {@code https://dbc-1234.cloud.databricks.com}; null for
         *                 {@code $DATABRICKS_HOST}
         * @param tokenEnv the environment variable holding the bearer token
         */
        public Builder unityCatalog(String uri, String tokenEnv) {
            this.catalog = new Catalog(uri, Objects.requireNonNull(tokenEnv, "tokenEnv"));
            return this;
        }

        /**
         * Checks the settings, opens the store, checks every source (readable, key columns present) before following
         * any, starts following, and builds the vectors.
         *
         * @throws IllegalArgumentException naming the setting for a bad ring size, wait strategy or sync policy (before
         *                                  the store directory is touched), and the table and column for a vector
         *                                  feature the tables lack
         */
        public Larder open() {
            IngestOptions ingest = ingestOptions();
            for (String v : logs.keySet()) {
                if (!vectors.containsKey(v)) {
                    throw new IllegalArgumentException("vector " + v + " is logged but not declared (declared: "
                            + vectors.keySet() + ")");
                }
            }
            for (String t : bootstrapProgress.keySet()) {
                if (!follows.containsKey(t)) {
                    throw new IllegalArgumentException("bootstrap progress for table " + t + ", which is not followed "
                            + "(followed: " + follows.keySet() + ")");
                }
            }
            // Every source is opened, and its key and selection checked against the Delta schema, before anything else.
            Map<String, DeltaChangeSource> sources = new LinkedHashMap<>();
            Map<String, DeltaSource> deltas = new LinkedHashMap<>();
            for (Map.Entry<String, Source> f : follows.entrySet()) {
                Source s = f.getValue();
                if (s.fromKafka()) {
                    // Checked now as far as it can be without the store: the jar, the key, a schema given.
                    Kafka.check(s, f.getKey());
                    continue;
                }
                DeltaSource delta = opened.containsKey(f.getKey()) ? opened.get(f.getKey()) : s.open(catalog);
                deltas.put(f.getKey(), delta);
                LoadProgress told = bootstrapProgress.getOrDefault(f.getKey(), LoadProgress.NONE);
                DeltaChangeSource declared = new DeltaChangeSource(delta, s.keyColumns(), s.columns(),
                        s.inlineBytes(), version -> (rows, files) -> told.onProgress(version, rows, files));
                if (s.streamed() != null) {
                    Kafka.checkStream(s, f.getKey(), declared.schema());
                } else if (!s.eventTimeColumn().isEmpty()) {
                    throw new IllegalArgumentException("table " + f.getKey() + " from " + s.location() + ": event-time"
                            + " column " + s.eventTimeColumn() + " orders a stream applied on top of the Delta table,"
                            + " and none is given (stream(Source.kafka(...)))");
                }
                sources.put(f.getKey(), declared);
            }
            if (existing) {
                // A read-only open writes nothing: it only refuses ("no store at DIR") a directory that is not there.
                FeatureStore.openReadOnly(directory).close();
            }
            LarderEngine engine = LarderEngine.open(directory, ingest);
            Larder larder = new Larder(engine);
            larder.catalog = catalog;
            try {
                for (Map.Entry<String, Source> e : follows.entrySet()) {
                    Source s = e.getValue();
                    if (s.fromKafka()) {
                        FeatureSchema schema = Kafka.schema(s, engine.store(), e.getKey());
                        Follower f = Kafka.follow(engine, e.getKey(), s, schema, followOptions(s));
                        larder.tables.put(e.getKey(), new Table(f.handle(), f, null));
                        continue;
                    }
                    DeltaChangeSource batch = source(engine, e.getKey(), s, sources.get(e.getKey()));
                    Follower f = s.streamed() != null
                            ? Kafka.followStream(engine, e.getKey(), s, batch, followOptions(s))
                            : engine.follow(e.getKey(), batch, followOptions(s));
                    Duration kept = f.handle().table().ttl();
                    if (!kept.equals(s.ttl())) {
                        LOG.log(System.Logger.Level.WARNING, "table " + e.getKey()
                                + " keeps the TTL it was bootstrapped with (" + kept + ", not " + s.ttl()
                                + "); the new TTL applies once the table is bootstrapped again");
                    }
                    ShardSpec held = f.handle().table().shards();
                    if (!s.shardSpec().ownsAll() && !held.equals(s.shardSpec())) {
                        LOG.log(System.Logger.Level.WARNING, "table " + e.getKey() + " keeps the shards it was"
                                + " bootstrapped with (" + held + ", not " + s.shardSpec() + "; COUNT:OWNED@COLUMN);"
                                + " the new ones apply once the table is bootstrapped again");
                    }
                    larder.tables.put(e.getKey(), new Table(f.handle(), f, null));
                }
                for (Map.Entry<String, Pushed> p : pushed.entrySet()) {
                    Pushed declared = p.getValue();
                    TableHandle h = engine.pushTable(p.getKey(), declared.schema(), declared.options());
                    larder.tables.put(p.getKey(), new Table(h, null, engine));
                }
                for (Map.Entry<String, List<Feature>> v : vectors.entrySet()) {
                    FeatureVector built = build(larder, v.getKey(), v.getValue());
                    List<String> tables = v.getValue().stream().map(Feature::table).distinct().toList();
                    ServeLog settings = logs.get(v.getKey());
                    ServeLogger log = settings == null ? null
                            : log(larder, v.getKey(), settings, built.names(), tables, deltas);
                    larder.vectors.put(v.getKey(), new Vector(v.getKey(), built, log, tables.size()));
                }
                for (Map.Entry<String, LoggedReads> e : loggedReads.entrySet()) {
                    String table = e.getKey();
                    if (!larder.tables.containsKey(table)) {
                        throw new IllegalArgumentException("the reads of table " + table + " are logged, but there is"
                                + " no such table (tables: " + larder.tables.keySet() + ")");
                    }
                    List<String> features = e.getValue().columns().stream().map(c -> table + "." + c).toList();
                    for (String c : e.getValue().columns()) {
                        if (!larder.table(table).current().schema().hasColumn(c)) {
                            throw new IllegalArgumentException("the reads of table " + table + " are logged, but it"
                                    + " has no column " + c);
                        }
                    }
                    ServeLogger log = log(larder, table, e.getValue().settings(), features, List.of(table), deltas);
                    larder.table(table).logReads(log, e.getValue().columns());
                }
            } catch (RuntimeException | Error e) {
                try {
                    larder.closeLogs();
                    engine.close();
                } catch (RuntimeException closing) {
                    e.addSuppressed(closing);
                }
                throw e;
            }
            return larder;
        }

        /**
         * Loads instead of opening: copies {@code source}'s snapshot {@code at} into the new table {@code table} of
         * the store (created if missing), then closes the store, so that a Larder opened later serves it (or follows
         * it from there). The source is opened and its key and columns checked before the store directory is
         * touched. A table whose earlier load did not finish (it has no watermark) is dropped and loaded again; the
         * rows are read on the calling thread and written on the store's writer thread. On failure nothing of the
         * table stays. This builder's follows, pushes and vectors play no part.
         *
         * @throws IllegalArgumentException if the store holds {@code table} with a watermark already, or the source
         *                                  does not fit (a key column it lacks, a selected column it lacks)
         * @throws IllegalStateException    if the table is open in another process, or fed by another source or by
         *                                  the application
         */
        public Loaded load(String table, Source source, Snapshot at, LoadProgress progress) {
            IngestOptions ingest = ingestOptions().withJmx(false);
            DeltaSource src = source.open(catalog);
            long v = at.resolve(src);
            FeatureSchema schema = DeltaFeatureSchemas.toFeatureSchema(src.schema(v), source.keyColumns(),
                    source.columns(), source.inlineBytes());
            dev.larder.store.Lineage origin = src.origin(v);
            try (LarderEngine engine = LarderEngine.open(directory, ingest)) {
                FeatureStore store = engine.store();
                boolean reloaded = false;
                if (store.exists(table)) {
                    LarderEngine.checkFeeder(store, table, origin);
                    dropUnfinished(store, table);
                    reloaded = true;
                }
                // Recorded from the start: a load killed before its end is known as the Delta table's.
                FeatureTable t = store.create(table, schema,
                        TableOptions.DEFAULT.withTtl(source.ttl()).withShards(source.shardSpec()), origin);
                long rows;
                Lineage loaded;
                try {
                    DeltaFeed feed = new DeltaFeed(src, schema);
                    engine.load(t, origin, sink -> feed.bootstrap(v, sink,
                            (delivered, files) -> progress.onProgress(v, delivered, files)));
                    // The rows held: a sharded table holds only its shards' rows of the ones read.
                    rows = t.size();
                    loaded = Lineage.of(t.lineage());
                    store.close(t.name());
                } catch (RuntimeException | Error e) {
                    // The half-built table would block the retry; closing it would write again (and, with the disk
                    // full, fail again), so it is discarded as it is. The first failure is the one to report.
                    try {
                        store.discard(t.name());
                    } catch (RuntimeException | Error cleanup) {
                        e.addSuppressed(cleanup);
                    }
                    throw e;
                }
                return new Loaded(table, Redaction.uris(src.tablePath()), v, rows, loaded, reloaded);
            }
        }

        /**
         * Applies instead of opening: the commits of table {@code table}'s Delta table after its watermark, up to the
         * version {@code upTo} names, each exactly once and in order, through the store's writer on the calling
         * thread; then closes the store. Each version is durable before the next begins, so a failure leaves the
         * versions before it applied and resuming applies the rest. The store must exist; this builder's follows,
         * pushes and vectors play no part.
         *
         * @param source the Delta table to read (its key may be left out: the table's is used); null for the one the
         *               table records, by its Unity Catalog name when it was opened through the catalog
         * @throws IllegalArgumentException if {@code upTo} is below the table's watermark (a table only moves forward),
         *                                  or the table records no Delta source and none is given
         * @throws IllegalStateException    if the table is fed by the application, its bootstrap did not finish (it
         *                                  has no watermark), or it is open in another process
         */
        public Applied applyChanges(String table, Source source, Snapshot upTo) {
            IngestOptions ingest = ingestOptions().withJmx(false);
            // A read-only open writes nothing: it only refuses ("no store at DIR") a directory that is not there.
            FeatureStore.openReadOnly(directory).close();
            try (LarderEngine engine = LarderEngine.open(directory, ingest)) {
                FeatureTable t = engine.store().table(table);
                dev.larder.store.Lineage l = t.lineage();
                if (l.applicationFed()) {
                    throw new IllegalStateException("table " + table + " in " + directory + " is fed by " + l.feeder()
                            + "; a table has one feeder, so no Delta table's commits are applied to it");
                }
                long watermark = l.version();
                if (watermark < 0) {
                    throw new IllegalStateException("bootstrap of table " + table + " did not finish; re-run load (or "
                            + "follow)");
                }
                String[] key = Definition.keyNames(t.schema()).toArray(String[]::new);
                Source from = source != null ? source : recorded(table, Lineage.of(l));
                DeltaSource src = (from.keyColumns().isEmpty() ? from.key(key) : from).open(catalog);
                long to = upTo.resolve(src);
                if (to < watermark) {
                    throw new IllegalArgumentException("version " + to + " (" + upTo + ") is below the watermark "
                            + watermark + " of table " + table + ": a table only moves forward (rebuild it to go "
                            + "back)");
                }
                long last = watermark;
                if (to > watermark) {
                    DeltaFeed feed = new DeltaFeed(src, t.schema());
                    last = engine.applyChanges(t, sink -> feed.applyChanges(watermark + 1, to, sink));
                }
                return new Applied(table, Redaction.uris(src.tablePath()), watermark + 1, last, t.size(),
                        Lineage.of(t.lineage()));
            }
        }

        /**
         * Rebuilds instead of opening: replaces table {@code table}, whose files are damaged (a store that will not
         * open names it), with a bootstrap of the latest version of the Delta table it records, read with
         * {@code settings} (Hadoop settings such as {@code fs.s3a.endpoint}; by its Unity Catalog name through this
         * builder's catalog when it was loaded that way), with the schema, TTL and shards it records. The new
         * generation is built beside the damaged one, which is deleted only once the new one is complete and durable,
         * so a rebuild that fails loses nothing; then the store is closed. Readable while the table's data files are
         * damaged; {@link #rebuild(String, Source, LoadProgress)} when its metadata file is damaged too.
         *
         * @throws IllegalStateException    if the table records no Delta source, the Delta table now holds another
         *                                  table than the one loaded, or the table is open (here or in another
         *                                  process)
         */
        public Rebuilt rebuild(String table, Map<String, String> settings, LoadProgress progress) {
            try (FeatureStore store = FeatureStore.openExisting(directory)) {
                Rebuild.Plan plan = Rebuild.recordedPlan(store, table);
                Source from = recorded(table, Lineage.of(store.metadata(table).lineage()))
                        .key(Definition.keyNames(plan.schema()).toArray(String[]::new));
                for (Map.Entry<String, String> e : settings.entrySet()) {
                    from = from.setting(e.getKey(), e.getValue());
                }
                DeltaSource src = from.open(catalog);
                return rebuild(store, plan, src, src.latestVersion(), progress);
            }
        }

        /**
         * As {@link #rebuild(String, Map, LoadProgress)} from {@code source} (its key, columns, inline bytes, TTL and
         * shards, as {@link #load} takes them) rather than from what the table records: for a table whose metadata
         * file is damaged as well.
         */
        public Rebuilt rebuild(String table, Source source, LoadProgress progress) {
            DeltaSource src = source.open(catalog);
            try (FeatureStore store = FeatureStore.openExisting(directory)) {
                long v = src.latestVersion();
                FeatureSchema schema = DeltaFeatureSchemas.toFeatureSchema(src.schema(v), source.keyColumns(),
                        source.columns(), source.inlineBytes());
                return rebuild(store, new Rebuild.Plan(table, src.tablePath(), "", schema, source.ttl(),
                        source.shardSpec()), src, v, progress);
            }
        }

        /** Rebuilds at version {@code v} of {@code src}: the one the plan's schema was read at, when it was. */
        private Rebuilt rebuild(FeatureStore store, Rebuild.Plan plan, DeltaSource src, long v,
                                LoadProgress progress) {
            Rebuild.Result r = Rebuild.run(store, plan, src, ingestOptions().withJmx(false), v,
                    (delivered, files) -> progress.onProgress(v, delivered, files));
            return new Rebuilt(r.table(), r.generation(), Redaction.uris(r.deltaPath()), r.version(), r.rows());
        }

        /** The Delta table {@code table} records, as a source to open (its key is added by the caller). */
        private static Source recorded(String table, Lineage l) {
            if (l.fromCatalog()) {
                return Source.unityCatalog(l.catalogTable());
            }
            if (l.sourcePath().isEmpty()) {
                throw new IllegalArgumentException("table " + table + " records no Delta source; give one");
            }
            return Source.delta(l.sourcePath());
        }

        /**
         * A table without a watermark is a load that did not finish (killed, or stopped): nothing in it can be relied
         * on, so loading again starts afresh. A table with one is refused.
         */
        private void dropUnfinished(FeatureStore store, String table) {
            if (store.currentGeneration(table) >= 0) {
                throw new IllegalArgumentException("table " + table + " already exists in " + directory
                        + "; use apply-changes to bring it forward, or load under another name");
            }
            List<String> generations = store.generations(table).stream().map(g -> Generations.name(table, g)).toList();
            for (String g : generations) {
                store.checkNotOpen(g);
            }
            for (String g : generations) {
                store.drop(g);
            }
        }

        private FollowOptions followOptions(Source s) {
            return FollowOptions.DEFAULT.withPollInterval(pollInterval).withMaxStaleness(s.maxStalenessOr(maxStaleness))
                    .withTableOptions(TableOptions.DEFAULT.withTtl(s.ttl()).withShards(s.shardSpec())
                            .withEventTime(s.eventTimeColumn()));
        }

        /** The engine's settings, each checked once, before anything is opened, naming the setting at fault. */
        private IngestOptions ingestOptions() {
            IngestOptions withRing = IngestOptions.DEFAULT.withRingSize(ringSize);
            if (waitStrategy == null) {
                throw new IllegalArgumentException("waitStrategy must be one of " + List.of(WaitStrategy.values())
                        + ", got null");
            }
            if (syncMaxPendingVersions < 1) {
                throw new IllegalArgumentException("syncPolicy's maxPendingVersions must be at least 1, got "
                        + syncMaxPendingVersions);
            }
            if (syncMaxDelay == null || syncMaxDelay.isNegative()) {
                throw new IllegalArgumentException("syncPolicy's maxDelay must be zero or positive, got "
                        + syncMaxDelay);
            }
            return withRing.withWaitStrategy(waitStrategy.factory())
                    .withSyncPolicy(new SyncPolicy(syncMaxPendingVersions, syncMaxDelay));
        }

        /**
         * The change source of a followed table. A table the store already serves keeps the columns it holds until it
         * is dropped or rebuilt, even across re-bootstraps (VACUUMed history): a generation that quietly lost a column
         * would take a feature from a running model. A changed selection is therefore logged, not applied.
         */
        private static DeltaChangeSource source(LarderEngine engine, String name, Source s,
                DeltaChangeSource declared) {
            if (!engine.store().exists(name)) {
                return declared;
            }
            // A table fed by the application is refused for its feeder before its key is compared.
            LarderEngine.checkFeeder(engine.store(), name, declared.origin());
            TableMetadata stored = engine.store().metadata(name);
            List<String> storedKey = Definition.keyNames(stored.schema());
            if (!storedKey.equals(s.keyColumns())) {
                // Served under the old key, its rows would be found by the old key's values: wrong data, not a warning.
                Path dir = engine.store().directory();
                throw new IllegalArgumentException("table " + name + " in " + dir + " is keyed by " + storedKey
                        + ", not " + s.keyColumns() + "; declare its key, or rebuild it with the new one (./larder "
                        + "rebuild --store " + dir + " --table " + name + " --delta "
                        + (s.fromCatalog() ? declared.path() : s.location()) + " --key "
                        + String.join(",", s.keyColumns()) + ") or drop it");
            }
            List<String> served = stored.schema().names();
            List<String> wanted = declared.schema().names();
            if (stored.lineage().version() < 0 || served.equals(wanted)) {
                return declared;
            }
            if (s.columns().isEmpty()) {
                // Every column: the table widens at its next re-bootstrap (a column added to the Delta table
                // triggers one).
                LOG.log(System.Logger.Level.WARNING, "table " + name + " serves the columns it was bootstrapped with ("
                        + served + "); the others are served once it is bootstrapped again");
                return declared;
            }
            LOG.log(System.Logger.Level.WARNING, "table " + name + " keeps the columns it was bootstrapped with ("
                    + served + ", not " + wanted + "); drop or rebuild the table to serve the new selection");
            List<String> kept = served.stream().filter(c -> !s.keyColumns().contains(c)).toList();
            return declared.withColumns(kept);
        }

        /**
         * Opens (or creates) the served-feature log of a vector of {@code features} over {@code tables}, in the
         * vector's table order, keyed as its first table.
         */
        private static ServeLogger log(Larder larder, String name, ServeLog settings, List<String> features,
                                       List<String> tables, Map<String, DeltaSource> deltas) {
            FeatureSchema keyed = larder.table(tables.get(0)).handle().table().schema();
            List<String> keys = new ArrayList<>();
            List<ServeLogLayout.KeyKind> kinds = new ArrayList<>();
            for (int k = 0; k < keyed.keyColumnCount(); k++) {
                dev.larder.store.Column c = keyed.column(keyed.keyColumn(k));
                keys.add(c.name());
                kinds.add(switch (c.type()) {
                    case BOOLEAN -> ServeLogLayout.KeyKind.BOOLEAN;
                    case STRING -> ServeLogLayout.KeyKind.STRING;
                    case BINARY -> throw new IllegalArgumentException(name + " is logged, but its key column "
                            + c.name() + " is binary: the served-feature log takes integral, boolean and string keys");
                    default -> ServeLogLayout.KeyKind.LONG;
                });
            }
            // One integral key travels in the ring as a long; any other as its encoding, decoded by the drain.
            int keyWidth = keys.size() == 1 && kinds.get(0) == ServeLogLayout.KeyKind.LONG
                    ? 0 : new dev.larder.store.Key(keyed).encodedCapacity();
            TableHandle[] handles = new TableHandle[tables.size()];
            DeltaSource[] delta = new DeltaSource[tables.size()];
            for (int t = 0; t < handles.length; t++) {
                handles[t] = larder.table(tables.get(t)).handle();
                delta[t] = deltas.get(tables.get(t));
            }
            ServeLogLayout layout = new ServeLogLayout(name, keys, kinds, features, tables);
            ServeLogger log = new ServeLogger(name, settings, layout, keyWidth, handles, delta);
            larder.logs.add(log);
            larder.engine.registerJmx("ServeLog", name, log);
            return log;
        }

        private static FeatureVector build(Larder larder, String name, List<Feature> features) {
            FeatureVector.Builder b = FeatureVector.builder();
            List<String> problems = new ArrayList<>();
            for (Feature f : features) {
                try {
                    Table t = larder.table(f.table());
                    if (!t.current().schema().hasColumn(f.column())) {
                        problems.add(f.table() + "." + f.column() + ": table " + f.table() + " has no column "
                                + f.column());
                        continue;
                    }
                    b.add(t.current(), t::current, f.column(), f.defaultValue());
                } catch (IllegalArgumentException e) {
                    problems.add(f.table() + "." + f.column() + ": " + e.getMessage());
                }
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("vector " + name + ": " + String.join("; ", problems));
            }
            return b.build();
        }
    }
}
