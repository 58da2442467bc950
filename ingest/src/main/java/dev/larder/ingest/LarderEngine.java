package dev.larder.ingest;

import dev.larder.store.FeatureSchema;
import dev.larder.store.FeatureStore;
import dev.larder.store.FeatureTable;
import dev.larder.store.Generations;
import dev.larder.store.Lineage;
import dev.larder.store.RowBuffer;
import dev.larder.store.TableOptions;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;
import javax.management.InstanceAlreadyExistsException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Thread-safe entry point of ingestion over a {@link FeatureStore}: one ingest pipeline (one writer thread, the only
 * mutator of the tables), the followers of change sources, freshness/health and metrics.
 *
 * <p>Application producers push rows from any thread: {@link #upsert}, {@link #delete} with a caller-chosen version,
 * then {@link #endVersion} once every change of a version is pushed, which makes it the table's watermark
 * ({@link #tryUpsert}, {@link #tryDelete} and {@link #tryEndVersion} return a {@link PushStatus} instead of throwing);
 * {@link TableHandle#awaitDurable} acknowledges it durable. A row is visible to readers as soon as the writer applies
 * it.
 *
 * <pre>{@code
 * try (LarderEngine larder = LarderEngine.open(dir, IngestOptions.DEFAULT)) {
 *     Follower f = larder.follow("users", source, FollowOptions.DEFAULT);
 *     TableReader r = f.handle().table().newReader();   // one per reader thread, of the generation served now
 *     if (r.get(42) == ReadStatus.FOUND) { double x = r.getDouble(1); }
 * }
 * }</pre>
 */
public final class LarderEngine implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(LarderEngine.class.getName());

    private final FeatureStore store;
    private final boolean ownsStore;
    private final IngestOptions options;
    private final IngestPipeline pipeline;
    private final Map<String, TableHandle> handles = new ConcurrentHashMap<>();
    private final Map<String, Follower> followers = new ConcurrentHashMap<>();
    private final List<FreshnessListener> listeners = new CopyOnWriteArrayList<>();
    private final List<TableListener> tableListeners = new CopyOnWriteArrayList<>();
    private final ObjectName jmxName;
    private final List<ObjectName> tableJmxNames = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    private LarderEngine(FeatureStore store, boolean ownsStore, IngestOptions options) {
        this.store = store;
        this.ownsStore = ownsStore;
        this.options = options;
        this.pipeline = new IngestPipeline(options, this::unhealthyTables);
        this.jmxName = options.registerJmx()
                ? registerJmx("dev.larder:type=Ingest,store=" + ObjectName.quote(store.directory().toString()),
                        pipeline.metrics())
                : null;
    }

    /** Opens (creating if needed) the store directory and owns it: {@link #close()} closes it. */
    public static LarderEngine open(Path storeDir, IngestOptions options) {
        return new LarderEngine(FeatureStore.open(storeDir, options.clock()), true, options);
    }

    /** Ingests into a store the caller owns; close the store after this engine. */
    public static LarderEngine open(FeatureStore store, IngestOptions options) {
        return new LarderEngine(store, false, options);
    }

    public FeatureStore store() {
        return store;
    }

    IngestPipeline pipeline() {
        return pipeline;
    }

    InstantSource clock() {
        return options.clock();
    }

    // ---------------------------------------------------------------- tables

    /** Creates an application-fed table; it records {@link Lineage#APPLICATION}, so no change source may feed it. */
    public synchronized TableHandle createTable(String name, FeatureSchema schema, TableOptions tableOptions) {
        Generations.checkTableName(name);
        if (handles.containsKey(name)) {
            throw new IllegalStateException("table " + name + " is already open");
        }
        FeatureTable t = store.create(name, schema, tableOptions, Lineage.APPLICATION);
        return opened(register(name, t, Lineage.APPLICATION), null);
    }

    /**
     * The application-fed table {@code name}: created with {@code schema} if the store does not hold it, else opened
     * where it was, with its stored schema (see {@link FeatureSchema#takesRowsOf}); build rows with the handle's
     * {@code table().newRow()}.
     *
     * @throws IllegalStateException    if a change source feeds the table (one feeder per table), naming that source,
     *                                  or the table records neither a feeder nor a version (an unfinished load)
     * @throws IllegalArgumentException if the stored table has another schema
     */
    public synchronized TableHandle pushTable(String name, FeatureSchema schema, TableOptions tableOptions) {
        Generations.checkTableName(name);
        if (handles.containsKey(name)) {
            throw new IllegalStateException("table " + name + " is already open");
        }
        if (!store.exists(name)) {
            return createTable(name, schema, tableOptions);
        }
        checkFeeder(store, name, Lineage.APPLICATION);
        Lineage stored = store.metadata(name).lineage();
        if (!stored.applicationFed()) {
            // Loads and bootstraps record their source from the start; a table without one is older than that.
            throw new IllegalStateException("table " + name + " in " + store.directory() + " records no feeder and no"
                    + " version: an unfinished load or bootstrap; finish it with the same command, or drop it");
        }
        FeatureTable t = store.table(name);
        // Served with its stored schema, whose inline capacities may differ from the declaration's (an older default).
        if (!t.schema().takesRowsOf(schema)) {
            throw new IllegalArgumentException("table " + name + " in " + store.directory() + " has schema "
                    + t.schema() + ", not the declared " + schema + "; drop it or declare its schema");
        }
        return opened(register(name, t, Lineage.APPLICATION), null);
    }

    /**
     * One feeder per table: refuses to feed table {@code name} of {@code store} from {@code feeder} (the application,
     * {@link Lineage#APPLICATION}, or a change source's {@link ChangeSource#origin()}) when the table records the other
     * kind. Whether a table follows the right Delta table is the follower's check, once it knows the table's current
     * generation.
     *
     * @throws IllegalStateException naming the table's feeder
     */
    public static void checkFeeder(FeatureStore store, String name, Lineage feeder) {
        if (!store.exists(name)) {
            return;
        }
        Lineage stored = store.metadata(name).lineage();
        if (feeder.applicationFed() ? stored.sourceFed() : stored.applicationFed()) {
            throw new IllegalStateException("table " + name + " in " + store.directory() + " is fed by "
                    + stored.feeder() + "; a table has one feeder, so " + feeder.feeder()
                    + " cannot feed it too: use another table name");
        }
    }

    /**
     * The handle of a table: a followed one, one already open, or an existing table opened now (its current generation,
     * see {@link FeatureStore#table}).
     */
    public synchronized TableHandle table(String name) {
        TableHandle h = handles.get(name);
        if (h != null) {
            return h;
        }
        Generations.checkTableName(name);
        FeatureTable t = store.table(name);
        return opened(register(name, t, t.lineage()), null);
    }

    synchronized TableHandle register(String name, FeatureTable table, Lineage source) {
        TableHandle h = new TableHandle(name, this);
        h.slot(new TableSlot(h, table, source.withVersion(-1, 0)));
        handles.put(name, h);
        if (jmxName != null) {
            ObjectName n = registerJmx("dev.larder:type=Table,store=" + ObjectName.quote(store.directory().toString())
                    + ",table=" + ObjectName.quote(name), new TableMetrics(h));
            if (n != null) {
                tableJmxNames.add(n);
            }
        }
        return h;
    }

    // ---------------------------------------------------------------- application producers

    /**
     * Enqueues an upsert of {@code row} (built from the table's schema, e.g. {@code handle.table().newRow()}) at
     * {@code version}; returns once enqueued, and {@code row} may be refilled at once. A stored row with a newer
     * version is left as it is. Allocation-free.
     *
     * <p>A push is refused at the call, with nothing enqueued, when the table could only lose it: a key column unset, a
     * version that is negative or not above the newest version ended ({@link #endVersion} enqueued, or the watermark;
     * its rows would never be published), or a table stopped by a failed change until {@link #resume}.
     *
     * @throws IllegalArgumentException for a row of another schema or with a key column unset, or a version not above
     *                                  the newest ended one, naming the table and that version
     * @throws IllegalStateException    if a change source feeds the table (a table has one feeder), or when closed
     * @throws FeedException            if the table is stopped: a change failed, later ones are skipped until resumed
     * @throws RingFullException        in {@link Backpressure#REJECT} mode when the ring is full (nothing was enqueued)
     */
    public void upsert(TableHandle table, RowBuffer row, long version, long commitTimestampMillis) {
        pipeline.pushRow(table.slot(), ChangeRecordDescriptor.UPSERT, row, version, commitTimestampMillis);
    }

    /**
     * Enqueues a delete of the key in {@code keyRow}'s key columns at {@code version}; refused as {@link #upsert} is.
     */
    public void delete(TableHandle table, RowBuffer keyRow, long version) {
        pipeline.pushRow(table.slot(), ChangeRecordDescriptor.DELETE, keyRow, version, 0);
    }

    /**
     * Marks {@code version} complete: once the writer reaches this marker, every change enqueued before it is applied
     * and the version becomes the table's watermark. Durable per {@link SyncPolicy}. From this call on, rows of
     * {@code version} or older are refused; ending the same version again is allowed (and does nothing).
     *
     * <p>End a version only once every thread pushing rows of it has returned from its calls: a row another thread is
     * still pushing can reach the writer after the end, and then fails the table, which drops every change pushed after
     * the watermark (of later versions too) until {@link #resume}; push them again then.
     *
     * @throws IllegalArgumentException if {@code version} is negative or below the newest version ended
     * @throws IllegalStateException    if a change source feeds the table, or when closed
     * @throws FeedException            if the table is stopped until {@link #resume}
     * @throws RingFullException        in {@link Backpressure#REJECT} mode when the ring is full (nothing was enqueued)
     */
    public void endVersion(TableHandle table, long version, long commitTimestampMillis) {
        pipeline.pushEnd(table.slot(), version, commitTimestampMillis);
    }

    /**
     * As {@link #upsert}, but never throws for a full ring, a stopped table, a stale version or a closed Larder and
     * never waits, whatever the {@link Backpressure} mode: the status says whether the row was enqueued.
     * Allocation-free.
     *
     * @return {@link PushStatus#ACCEPTED} if enqueued; otherwise nothing was enqueued: {@link PushStatus#RING_FULL} may
     *         be retried, {@link PushStatus#STOPPED} after {@link #resume}, {@link PushStatus#STALE_VERSION} never
     * @throws IllegalArgumentException if {@code row} was built for another schema or has a key column unset (a bug in
     *                                  the caller, not a condition to retry)
     * @throws IllegalStateException    if a change source feeds the table
     */
    public PushStatus tryUpsert(TableHandle table, RowBuffer row, long version, long commitTimestampMillis) {
        return pipeline.tryUpsert(table.slot(), row, version, commitTimestampMillis);
    }

    /** As {@link #delete}, returning a status instead of throwing or waiting; see {@link #tryUpsert}. */
    public PushStatus tryDelete(TableHandle table, RowBuffer keyRow, long version) {
        return pipeline.tryDelete(table.slot(), keyRow, version);
    }

    /** As {@link #endVersion}, returning a status instead of throwing or waiting; see {@link #tryUpsert}. */
    public PushStatus tryEndVersion(TableHandle table, long version, long commitTimestampMillis) {
        return pipeline.tryEndVersion(table.slot(), version, commitTimestampMillis);
    }

    /**
     * Syncs every table now and waits: everything enqueued before this call is applied and durable on return.
     *
     * @throws FeedException if an application-fed table is stopped (a change failed, so versions after it were
     *                       skipped) until {@link #resume}
     */
    public void flush() {
        pipeline.control(IngestEvent.SYNC, null, null).join();
        for (TableHandle h : handles.values()) {
            TableSlot s = h.slot();
            if (s.pushed) {
                pipeline.checkNotStopped(s);
            }
        }
    }

    /**
     * Lets an application-fed table whose writer failed on a change accept changes again (followers resume their tables
     * themselves). Changes enqueued between the failure and this call were skipped; re-send them.
     */
    public void resume(TableHandle table) {
        pipeline.control(IngestEvent.RESUME, table.slot(), null).join();
    }

    // ---------------------------------------------------------------- one-shot operations

    /**
     * Loads one version into {@code table}, a table of this Larder's store that holds no rows (just created), through
     * the ring on the calling thread: {@code bootstrap} delivers the version into the sink it is given ({@code begin},
     * upserts, {@code end()}) and its result is returned (e.g. the rows it loaded). The writer applies the rows as its
     * bulk load; a key the snapshot holds twice is refused, naming it, before the version becomes the watermark. On
     * return the version is published with {@code origin}'s identity and durable. On failure nothing of the version
     * stays in the table (it has no watermark) and what the source or the writer threw is thrown.
     *
     * <p>The table must not be fed otherwise meanwhile (followed, pushed into, another operation).
     */
    public long load(FeatureTable table, Lineage origin, ToLongFunction<ChangeSink> bootstrap) {
        return oneShot(table, origin, false, bootstrap);
    }

    /**
     * Applies versions after {@code table}'s watermark through the ring on the calling thread: {@code changes} delivers
     * them into the sink it is given, in order, one {@code begin}/{@code end()} bracket each, and its result is
     * returned. Each version is published (with the identity the table records) and durable before the next begins,
     * so a failure leaves the versions before it applied and nothing of the failed one: resuming at the watermark + 1
     * is exact. Failures throw what the source or the writer threw. The table must not be fed otherwise meanwhile.
     */
    public long applyChanges(FeatureTable table, ToLongFunction<ChangeSink> changes) {
        return oneShot(table, table.lineage(), true, changes);
    }

    /**
     * Rebuilds table {@code name} of this Larder's store ({@link NextGeneration}): bootstraps a new generation of it
     * beside the others, with {@code schema}, {@code options} and {@code origin}, through the ring on the calling
     * thread ({@code bootstrap} delivers one version into the sink it is given, as for {@link #load}), and only once
     * that is complete and durable drops the other generations, whatever state their files are in. On failure the new
     * generation is dropped and the others are left exactly as they were. Returns what {@code bootstrap} returns.
     *
     * @throws IllegalStateException             if this Larder has the table open
     * @throws dev.larder.store.StoreException if a generation of the table is open elsewhere (another store, process)
     */
    public long rebuild(String name, FeatureSchema schema, TableOptions tableOptions, Lineage origin,
                        ToLongFunction<ChangeSink> bootstrap) {
        Generations.checkTableName(name);
        checkOpen();
        if (handles.containsKey(name)) {
            throw new IllegalStateException("table " + name + " is open in this larder; close it before rebuilding");
        }
        TableHandle h = new TableHandle(name, this);
        RingSink sink = new RingSink(pipeline, h, origin.sourcePath(), () -> false,
                FollowOptions.DEFAULT.commitStageBytes(), true);
        return NextGeneration.bootstrap(this, h, false, sink, schema, tableOptions, origin, bootstrap);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("larder is closed");
        }
    }

    private long oneShot(FeatureTable table, Lineage source, boolean commits, ToLongFunction<ChangeSink> delivery) {
        checkOpen();
        if (!commits && table.size() != 0) {
            throw new IllegalArgumentException("table " + table.name() + " holds " + table.size()
                    + " rows; a load fills an empty table");
        }
        TableHandle h = new TableHandle(table.name(), this);
        TableSlot s = new TableSlot(h, table, source.withVersion(-1, 0));
        h.slot(s);
        RingSink sink = new RingSink(pipeline, h, source.sourcePath(), () -> false,
                FollowOptions.DEFAULT.commitStageBytes(), true);
        sink.open(s, table.lineage().version(), commits);
        Throwable failure = null;
        try {
            long result = delivery.applyAsLong(sink);
            sink.checkComplete();
            sink.settle();
            return result;
        } catch (RuntimeException | Error e) {
            failure = e;
            throw e;
        } finally {
            // Rolls back what of an unfinished version reached the table, then stops the writer touching it.
            if (failure != null) {
                finish(IngestEvent.RESUME, s, failure);
            }
            finish(IngestEvent.RETIRE, s, failure);
        }
    }

    private void finish(byte op, TableSlot s, Throwable failure) {
        try {
            pipeline.control(op, s, null).join();
        } catch (RuntimeException e) {
            if (failure == null) {
                throw e;
            }
            failure.addSuppressed(e);
        }
    }

    // ---------------------------------------------------------------- following

    /**
     * Starts following {@code source} into table {@code name}: bootstrap if the table is new, then tail. Returns once
     * the table's current generation is open, so {@link Follower#handle()} can serve reads at once.
     */
    public synchronized Follower follow(String name, ChangeSource source, FollowOptions followOptions) {
        Generations.checkTableName(name);
        checkOpen();
        if (handles.containsKey(name)) {
            throw new IllegalStateException("table " + name + " is already open or followed");
        }
        checkFeeder(store, name, source.origin());
        Follower f = new Follower(this, name, source, followOptions);
        followers.put(name, f);
        opened(f.handle(), f);
        f.start();
        return f;
    }

    /** A closed follower's table may be followed again (its generation stays open in the store). */
    synchronized void unregister(Follower f) {
        if (followers.remove(f.table(), f)) {
            handles.remove(f.table(), f.handle());
            fireTables(l -> l.onClosed(f.handle()));
        }
    }

    private TableHandle opened(TableHandle h, Follower f) {
        fireTables(l -> l.onOpened(h, f));
        return h;
    }

    /**
     * Adds a listener and, atomically with it, calls its {@link TableListener#onOpened} for every table open now, so it
     * misses no table however tables come and go meanwhile. A closed Larder adds nothing and calls only
     * {@link TableListener#onLarderClosed}.
     */
    public synchronized void addTableListener(TableListener listener) {
        if (closed) {
            listener.onLarderClosed();
            return;
        }
        tableListeners.add(listener);
        for (TableHandle h : handles.values()) {
            Follower f = followers.get(h.name());
            call(listener, l -> l.onOpened(h, f != null && f.handle() == h ? f : null));
        }
    }

    public void removeTableListener(TableListener listener) {
        tableListeners.remove(listener);
    }

    private void fireTables(Consumer<TableListener> event) {
        for (TableListener l : tableListeners) {
            call(l, event);
        }
    }

    private static void call(TableListener l, Consumer<TableListener> event) {
        try {
            event.accept(l);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "table listener " + l + " failed", e);
        }
    }

    public void addListener(FreshnessListener listener) {
        listeners.add(listener);
    }

    public void removeListener(FreshnessListener listener) {
        listeners.remove(listener);
    }

    void fire(Consumer<FreshnessListener> event) {
        for (FreshnessListener l : listeners) {
            try {
                event.accept(l);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "freshness listener " + l + " failed", e);
            }
        }
    }

    /** Status of every followed table; evaluates health, so listeners hear of transitions. */
    public List<TableStatus> status() {
        List<TableStatus> out = new ArrayList<>();
        for (Follower f : followers.values()) {
            out.add(f.checkHealth());
        }
        out.sort((a, b) -> a.table().compareTo(b.table()));
        return out;
    }

    /** Whether every followed table is within its staleness bound. */
    public boolean healthy() {
        for (TableStatus s : status()) {
            if (!s.healthy()) {
                return false;
            }
        }
        return true;
    }

    private String[] unhealthyTables() {
        List<String> names = new ArrayList<>();
        for (TableStatus s : status()) {
            if (!s.healthy()) {
                names.add(s.table());
            }
        }
        return names.toArray(new String[0]);
    }

    // ---------------------------------------------------------------- metrics

    public IngestMetricsSnapshot metrics() {
        return pipeline.metrics().snapshot();
    }

    /** The live metrics object (also registered with JMX unless disabled in {@link IngestOptions}). */
    public IngestMetrics metricsBean() {
        return pipeline.metrics();
    }

    /**
     * Registers {@code bean} with JMX as {@code dev.larder:type=TYPE,store=DIR,name=NAME}, unregistered when this
     * engine closes; nothing when JMX is disabled in {@link IngestOptions}. For the beans of what is built on the
     * engine (the facade's served-feature logs).
     */
    public void registerJmx(String type, String name, Object bean) {
        if (!options.registerJmx()) {
            return;
        }
        ObjectName n = registerJmx("dev.larder:type=" + type + ",store="
                + ObjectName.quote(store.directory().toString()) + ",name=" + ObjectName.quote(name), bean);
        if (n != null) {
            tableJmxNames.add(n);
        }
    }

    private static ObjectName registerJmx(String base, Object bean) {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        for (int instance = 0; ; instance++) {
            try {
                ObjectName n = new ObjectName(instance == 0 ? base : base + ",instance=" + instance);
                server.registerMBean(bean, n);
                return n;
            } catch (InstanceAlreadyExistsException e) {
                // Another Larder on the same directory in this JVM (e.g. tests): take the next instance number.
            } catch (JMException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot register " + base + " with JMX: " + e);
                return null;
            }
        }
    }

    /**
     * Stops the followers (mid-version if need be), applies and syncs everything enqueued, stops the writer, and closes
     * the store if this Larder opened it. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        for (Follower f : List.copyOf(followers.values())) {
            f.close();
        }
        pipeline.close();
        synchronized (this) {
            for (TableHandle h : handles.values()) {
                fireTables(l -> l.onClosed(h));
            }
            fireTables(TableListener::onLarderClosed);
            tableListeners.clear();
        }
        List<ObjectName> names = new ArrayList<>(tableJmxNames);
        if (jmxName != null) {
            names.add(jmxName);
        }
        for (ObjectName n : names) {
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(n);
            } catch (JMException e) {
                LOG.log(System.Logger.Level.DEBUG, "cannot unregister " + n + ": " + e);
            }
        }
        if (ownsStore) {
            store.close();
        }
    }
}
