package dev.larder;

import dev.larder.ingest.Follower;
import dev.larder.ingest.LarderEngine;
import dev.larder.ingest.Redaction;
import dev.larder.ingest.TableHandle;
import dev.larder.store.FeatureTable;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * Thread-safe: a served feature table under a stable name; its generation may be swapped by a re-bootstrap, which its
 * readers follow. Obtain it from {@link Larder#table(String)}.
 */
public final class Table {
    private final String name;
    /** The engine's handle on the current generation; null in a Larder opened read-only. */
    private final TableHandle handle;
    /** The generation a Larder opened read-only maps (it follows no swap); null when {@link #handle} is set. */
    private final FeatureTable mapped;
    private final Follower follower;
    /** The engine that pushes go through; null unless the table was declared with {@link Larder.Builder#push}. */
    private final LarderEngine pushTo;
    /** The log of this table's single-table reads ({@link Larder.Builder#logReads}); null if they are not logged. */
    private ServeLogger readLog;
    private String[] loggedColumns;

    Table(TableHandle handle, Follower follower, LarderEngine pushTo) {
        this.name = handle.name();
        this.handle = handle;
        this.mapped = null;
        this.follower = follower;
        this.pushTo = pushTo;
    }

    /** A table of a Larder opened read-only: {@code mapped} is its generation as the store's writer published it. */
    Table(String name, FeatureTable mapped) {
        this.name = name;
        this.handle = null;
        this.mapped = mapped;
        this.follower = null;
        this.pushTo = null;
    }

    public String name() {
        return name;
    }

    /**
     * The Delta table this table records as its source, by its Unity Catalog name if it was opened through the
     * catalog, else by path, keyed by this table's key; null for a table the application feeds. For
     * {@link Larder#verify} and other reads of the source; add the settings its storage needs.
     */
    public Source recordedSource() {
        Lineage l = lineage();
        if (l.sourcePath().isEmpty() && !l.fromCatalog()) {
            return null;
        }
        Source s = l.fromCatalog() ? Source.unityCatalog(l.catalogTable()) : Source.delta(l.sourcePath());
        return s.key(schema().keyColumns().toArray(String[]::new));
    }

    /** Set once by {@link Larder.Builder#open()} before the Larder is handed out. */
    void logReads(ServeLogger log, List<String> columns) {
        this.readLog = log;
        this.loggedColumns = columns.toArray(String[]::new);
    }

    /** The log of this table's single-table reads; null if they are not logged. */
    ServeLogger readLog() {
        return readLog;
    }

    /** The columns whose reads are logged, in the log's order; null if none are. */
    String[] loggedColumns() {
        return loggedColumns;
    }

    /**
     * The log of this table's reads through {@link Reader#loggedColumns}: its counters (reads logged, dropped on full
     * buffers, committed).
     *
     * @throws IllegalStateException if the table's reads are not logged ({@link Larder.Builder#logReads})
     */
    public ServeLogStats readLogStats() {
        return readLogger().stats();
    }

    /**
     * Commits every read logged so far, and returns once it is committed.
     *
     * @throws IllegalStateException if the table's reads are not logged, or the commit failed (kept and retried)
     */
    public void flushReadLog() {
        readLogger().flush();
    }

    /**
     * Commits the logged reads, then runs the skew check over the whole read log, as {@link Vector#checkLog} does.
     *
     * @throws IllegalStateException if the table's reads are not logged or the log cannot be committed or read
     */
    public SkewReport checkReadLog(int maxDifferences) {
        if (maxDifferences < 0) {
            throw new IllegalArgumentException("maxDifferences must be at least 0, got " + maxDifferences);
        }
        return readLogger().check(maxDifferences);
    }

    private ServeLogger readLogger() {
        if (readLog == null) {
            throw new IllegalStateException("the reads of table " + name + " are not logged: declare them with"
                    + " Larder.Builder.logReads");
        }
        return readLog;
    }

    /** A reader for the calling thread. */
    public Reader newReader() {
        return new Reader(this, false);
    }

    /**
     * A reader for the calling thread that checks each row it returns against the row's checksum and throws (naming
     * rows.dat and the key) instead of serving damaged values; values kept out of line in heap.dat are not covered.
     * For tools, and for callers who would rather fail a request than serve a flipped bit: the check costs a CRC32C
     * of the row per lookup. Its lookups are not counted in {@link #readStats()}.
     */
    public Reader newCheckedReader() {
        return new Reader(this, true);
    }

    /**
     * Runs {@code read} (lookups with this table's readers, and what is built from their rows) so that its answer
     * holds for one layout of the table's files. In a Larder {@link Larder#openReadOnly opened read-only} beside the
     * store's writer, which may grow the files or switch index files meanwhile, it first maps the files as the writer
     * last published them, and runs {@code read} again whenever the writer changed their layout during a run, up to a
     * bound (then it throws, saying to try again); {@code read} must build its answer afresh on each run. In a Larder
     * that writes the store it runs {@code read} once.
     */
    public <T> T readConsistently(Supplier<T> read) {
        return current().readConsistently(read);
    }

    /**
     * Where a followed table's rows come from: its Delta table's path or URI (credentials masked), for a Unity
     * Catalog table the storage location the catalog gave; null for a table that is not followed.
     */
    public String source() {
        return follower == null ? null : Redaction.uris(follower.source().path());
    }

    /**
     * A pusher for the calling producer thread.
     *
     * @throws IllegalStateException unless the table was declared with {@link Larder.Builder#push} (a followed table
     *                               changes only with its source)
     */
    public Pusher newPusher() {
        if (pushTo == null) {
            throw new IllegalStateException("table " + name() + " is not fed by the application: declare it with "
                    + "Larder.Builder.push"
                    + (follower == null ? "" : " (it follows " + follower.source().path() + ")"));
        }
        return new Pusher(pushTo, handle);
    }

    /** Column names of the current generation, in schema order. */
    public List<String> columns() {
        return current().schema().names();
    }

    /** The current generation's schema: its columns, their types and the key. */
    public Schema schema() {
        return new Schema(current().schema());
    }

    /**
     * How long a row stays served after its commit time (older rows read as EXPIRED); {@link Duration#ZERO} for ever.
     * A followed table keeps the TTL it was bootstrapped with until it is bootstrapped again.
     */
    public Duration ttl() {
        return current().ttl();
    }

    /** Lookups and sampled lookup latency of the current generation's readers, since it opened. */
    public ReadStats readStats() {
        return ReadStats.of(current().readMetrics());
    }

    /** Live rows in the current generation. */
    public long size() {
        return current().size();
    }

    /** What the table reflects: source (path, Delta table id, catalog name), watermark version and its commit time. */
    public Lineage lineage() {
        return Lineage.of(current().lineage());
    }

    /** Feed state, freshness and errors of a followed table; null for a table that is served but not followed. */
    public TableStatus status() {
        return follower == null ? null : TableStatus.of(follower.status());
    }

    /** Whether a follower feeds this table (its {@link #status()} is not null). */
    boolean followed() {
        return follower != null;
    }

    /** The generation served now: one volatile read for a table the engine serves. */
    FeatureTable current() {
        return handle != null ? handle.table() : mapped;
    }

    /** The engine's handle; null in a Larder opened read-only. */
    TableHandle handle() {
        return handle;
    }

    @Override
    public String toString() {
        return "Table[" + name() + "]";
    }
}
