package dev.larder;

import dev.larder.store.FeatureSchema;
import dev.larder.store.FeatureTable;
import dev.larder.store.TableReader;
import java.util.HashMap;
import java.util.Map;

/**
 * Not thread-safe: one per thread (keep it in a ThreadLocal; not one per request, as the table's metrics keep every
 * reader). Lookups in one table, lock-free and allocation-free, that move to the table's new generation after a
 * re-bootstrap; the typed getters read the row of the last lookup. Lookups are counted by status, and one in 1,024 is
 * timed, for the metrics.
 *
 * <pre>{@code
 * Reader r = larder.table("users").newReader();
 * if (r.get(userId) == ReadStatus.FOUND) { ... }
 * double ctr = r.getDouble("ctr_7d", 0.0);     // the default unless FOUND with a non-null value
 * long version = r.version();                  // the Delta version behind the row, for the served-feature log
 * }</pre>
 */
public final class Reader {
    /**
     * A stand-in for a caller's statuses array: a logged read needs the store's statuses when the caller wants none.
     */
    private static final ReadStatus[] ALL = new ReadStatus[0];
    /** One lookup in this many is timed into the table's latency histogram. */
    static final int SAMPLE_EVERY = 1024;
    private final Table table;
    /** Whether each row is checked against its checksum ({@link Table#newCheckedReader()}). */
    private final boolean checked;
    private TableReader row;
    private ReadStatus status = ReadStatus.NOT_FOUND;
    private Map<String, Integer> columns;
    private Key key;
    /** Whether the last lookup was a projected one, whose lineage the reader keeps apart from the copied row's. */
    private boolean lastProjected;
    /**
     * Where the store writes the statuses of a multi-value read, mapped into the caller's {@link ReadStatus}[] after
     * it; grown to the largest read, so a reader allocates only on its first read of a larger size.
     */
    private dev.larder.store.ReadStatus[] storeStatuses = new dev.larder.store.ReadStatus[0];

    Reader(Table table, boolean checked) {
        this.table = table;
        this.checked = checked;
        this.row = open(table.current());
        this.columns = columns(row.schema());
    }

    /** A reader of generation {@code t}: counted by status, one lookup in SAMPLE_EVERY timed, unless checked. */
    private TableReader open(FeatureTable t) {
        return checked ? t.newCheckedReader() : t.newReader(SAMPLE_EVERY);
    }

    private static Map<String, Integer> columns(FeatureSchema schema) {
        Map<String, Integer> m = new HashMap<>();
        for (int c = 0; c < schema.columnCount(); c++) {
            m.put(schema.column(c).name(), c);
        }
        return m;
    }

    /**
     * Moves to the current generation, re-resolving column names if it changed: one volatile read and a comparison,
     * allocating only after a generation swap.
     */
    private TableReader refresh() {
        FeatureTable current = table.current();
        if (row.table() != current) {
            TableReader r = open(current);
            if (r.schema() != row.schema()) {
                columns = columns(r.schema());
                key = null;
            }
            row = r;
        }
        return row;
    }

    /** Looks up an entity with a single integral key. */
    public ReadStatus get(long entityKey) {
        lastProjected = false;
        return status = ReadStatus.of(refresh().get(entityKey));
    }

    /** Looks up an entity with a single string key. */
    public ReadStatus get(CharSequence entityKey) {
        lastProjected = false;
        return status = ReadStatus.of(refresh().get(entityKey));
    }

    /** Looks up an entity with a composite key filled through {@link #key()}. */
    public ReadStatus get(Key entityKey) {
        lastProjected = false;
        return status = ReadStatus.of(refresh().get(entityKey.key));
    }

    /**
     * A reusable key of this table's key schema, for composite keys:
     * {@code r.get(r.key().setLong(0, id).setString(1, c))}.
     */
    public Key key() {
        refresh();
        if (key == null) {
            key = new Key(new dev.larder.store.Key(row.schema()));
        }
        return key;
    }

    /** The status of the last lookup. */
    public ReadStatus status() {
        return status;
    }

    /**
     * The index of {@code column} in the row of the last lookup, for the index getters; -1 if the table has no such
     * column.
     */
    public int column(String column) {
        Integer c = columns.get(column);
        return c == null ? -1 : c;
    }

    private int index(String column) {
        Integer c = columns.get(column);
        if (c == null) {
            throw new IllegalArgumentException("table " + row.table().name() + " has no column " + column
                    + " (columns: " + columns.keySet() + ")");
        }
        return c;
    }

    private boolean present(int c) {
        return status == ReadStatus.FOUND && !row.isNull(c);
    }

    /**
     * The value of a numeric column, or {@code defaultValue} unless the last lookup was FOUND with a non-null value.
     */
    public double getDouble(String column, double defaultValue) {
        int c = index(column);
        return present(c) ? row.getDouble(c) : defaultValue;
    }

    /**
     * The value of an integral column, or {@code defaultValue} unless the last lookup was FOUND with a non-null value.
     */
    public long getLong(String column, long defaultValue) {
        int c = index(column);
        return present(c) ? row.getLong(c) : defaultValue;
    }

    /**
     * The value of a boolean column, or {@code defaultValue} unless the last lookup was FOUND with a non-null value.
     */
    public boolean getBoolean(String column, boolean defaultValue) {
        int c = index(column);
        return present(c) ? row.getBoolean(c) : defaultValue;
    }

    /**
     * The value of a string column (allocates the String), or {@code defaultValue} unless FOUND with a non-null value.
     */
    public String getString(String column, String defaultValue) {
        int c = index(column);
        return present(c) ? row.getString(c) : defaultValue;
    }

    /** Whether column {@code c} of the last lookup's row is null; only meaningful after a FOUND lookup. */
    public boolean isNull(int c) {
        return row.isNull(c);
    }

    public double getDouble(int c) {
        return row.getDouble(c);
    }

    public float getFloat(int c) {
        return row.getFloat(c);
    }

    public long getLong(int c) {
        return row.getLong(c);
    }

    public int getInt(int c) {
        return row.getInt(c);
    }

    public boolean getBoolean(int c) {
        return row.getBoolean(c);
    }

    /** Allocates the String. */
    public String getString(int c) {
        return row.getString(c);
    }

    /**
     * The value of column {@code c} of the last lookup's row as an object, null when null: a boxed number (Long for
     * the integral types, DATE in days and the timestamps in microseconds), Boolean, BigDecimal, String, byte[] for
     * BINARY and OPAQUE, float[] for FLOAT32_ARRAY. Allocates: for tools and logs, not for serving.
     */
    public Object getObject(int c) {
        return row.getObject(c);
    }

    /** The Delta version behind the last lookup's row (its lineage, for the served-feature log). */
    public long version() {
        return lastProjected ? row.projectedVersion() : row.version();
    }

    /** The commit timestamp of {@link #version()}, epoch millis. */
    public long commitTimestampMillis() {
        return lastProjected ? row.projectedCommitTimestampMillis() : row.commitTimestampMillis();
    }

    /**
     * Numeric columns of this table to read together with {@link #get(long, Columns, double[], ReadStatus[])}, each
     * into its position in the caller's array (the order given) with {@code defaultValue} where it has no value.
     * Belongs to this reader, like the reader to its thread.
     *
     * @throws IllegalArgumentException naming a column the table lacks or one that is not numeric
     */
    public Columns columns(double defaultValue, String... names) {
        refresh();
        return new Columns(names, defaultValue, row.schema());
    }

    /**
     * The table's logged columns ({@link Larder.Builder#logReads}), in the order declared there: each read of them
     * through {@link #get(long, Columns, double[], ReadStatus[])} (and its float[] and {@link Key} forms) is logged,
     * as a vector's fill is, with its key, values, statuses and the version of the row read (batch reads are not
     * logged). The columns take a buffer of {@link ServeLog#bufferRecords()} reads, kept until they are unreachable:
     * make them once per reader.
     *
     * @throws IllegalStateException if the table's reads are not logged
     */
    public Columns loggedColumns(double defaultValue) {
        ServeLogger log = table.readLog();
        if (log == null) {
            throw new IllegalStateException("the reads of table " + table.name() + " are not logged: declare them"
                    + " with Larder.Builder.logReads");
        }
        refresh();
        String[] names = table.loggedColumns();
        Columns c = new Columns(names, defaultValue, row.schema());
        c.log = log.newBuffer(c, names.length, 1);
        return c;
    }

    /**
     * Looks up an entity with a single integral key and reads only {@code columns}: into {@code out[i]} the value of
     * the i-th column, or its default when the row is missing, expired or the value null; {@code statuses} (may be
     * null) gets each column's status. Reads the row's header and those columns in place (validated under the row's
     * seqlock, so they come from one version of the row) instead of copying the whole row: the fastest read of a few
     * features. The typed getters do not see it; {@link #version()} does.
     */
    public ReadStatus get(long entityKey, Columns columns, double[] out, ReadStatus[] statuses) {
        TableReader r = refresh();
        lastProjected = true;
        LogBuffer l = columns.log;
        dev.larder.store.ReadStatus[] s = storeStatuses(l != null ? ALL : statuses, columns.size());
        status = ReadStatus.of(r.get(entityKey, columns.projection(r.schema()), out, s));
        if (l != null) {
            int at = l.claim();
            if (at >= 0) {
                l.values(at, out);
                l.key(at, entityKey);
                l.publish(at, s, r.projectedVersion());
            }
        }
        ReadStatus.copy(s, statuses, columns.size());
        return status;
    }

    /** As {@link #get(long, Columns, double[], ReadStatus[])} into a float[]. */
    public ReadStatus get(long entityKey, Columns columns, float[] out, ReadStatus[] statuses) {
        TableReader r = refresh();
        lastProjected = true;
        LogBuffer l = columns.log;
        dev.larder.store.ReadStatus[] s = storeStatuses(l != null ? ALL : statuses, columns.size());
        status = ReadStatus.of(r.get(entityKey, columns.projection(r.schema()), out, s));
        if (l != null) {
            int at = l.claim();
            if (at >= 0) {
                l.values(at, out);
                l.key(at, entityKey);
                l.publish(at, s, r.projectedVersion());
            }
        }
        ReadStatus.copy(s, statuses, columns.size());
        return status;
    }

    /** As {@link #get(long, Columns, double[], ReadStatus[])} for a composite key filled through {@link #key()}. */
    public ReadStatus get(Key entityKey, Columns columns, double[] out, ReadStatus[] statuses) {
        TableReader r = refresh();
        lastProjected = true;
        LogBuffer l = columns.log;
        dev.larder.store.ReadStatus[] s = storeStatuses(l != null ? ALL : statuses, columns.size());
        status = ReadStatus.of(r.get(entityKey.key, columns.projection(r.schema()), out, s));
        if (l != null) {
            int at = l.claim();
            if (at >= 0) {
                l.values(at, out);
                l.key(at, entityKey.key);
                l.publish(at, s, r.projectedVersion());
            }
        }
        ReadStatus.copy(s, statuses, columns.size());
        return status;
    }

    /**
     * Looks up {@code n} integral keys and reads {@code columns} of each: key {@code i}'s values go to
     * {@code out[i * columns.size() + j]}, its row status to {@code statuses[i]} (may be null). The index slots of
     * every key are loaded first, then every row, then each row is read: the memory misses of the batch overlap.
     *
     * @return how many keys were FOUND
     */
    public int getBatch(long[] keys, int n, Columns columns, float[] out, ReadStatus[] statuses) {
        TableReader r = refresh();
        dev.larder.store.ReadStatus[] s = storeStatuses(statuses, n);
        int found = r.getBatch(keys, n, columns.projection(r.schema()), out, s);
        ReadStatus.copy(s, statuses, n);
        return found;
    }

    /** As {@link #getBatch(long[], int, Columns, float[], ReadStatus[])} into a double[]. */
    public int getBatch(long[] keys, int n, Columns columns, double[] out, ReadStatus[] statuses) {
        TableReader r = refresh();
        dev.larder.store.ReadStatus[] s = storeStatuses(statuses, n);
        int found = r.getBatch(keys, n, columns.projection(r.schema()), out, s);
        ReadStatus.copy(s, statuses, n);
        return found;
    }

    /**
     * Looks up {@code n} integral keys and writes column {@code column} of each into {@code out}, {@code defaultValue}
     * where a key is missing, expired or null; {@code statuses} (may be null) receives each status.
     *
     * @return how many keys were FOUND with a value
     */
    public int getBatch(long[] keys, int n, String column, double[] out, double defaultValue, ReadStatus[] statuses) {
        TableReader r = refresh();
        dev.larder.store.ReadStatus[] s = storeStatuses(statuses, n);
        int found = r.getBatch(keys, n, index(column), out, defaultValue, s);
        ReadStatus.copy(s, statuses, n);
        return found;
    }

    /** The store's array for a read of {@code n} statuses, or null when the caller wants none. */
    private dev.larder.store.ReadStatus[] storeStatuses(ReadStatus[] statuses, int n) {
        if (statuses == null) {
            return null;
        }
        if (storeStatuses.length < n) {
            storeStatuses = new dev.larder.store.ReadStatus[n];
        }
        return storeStatuses;
    }
}
