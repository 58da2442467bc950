package dev.larder.snapshot.trainset;

import dev.larder.ingest.ChangeSink;
import dev.larder.snapshot.DeltaFeatureSchemas;
import dev.larder.snapshot.DeltaFeed;
import dev.larder.snapshot.DeltaReadException;
import dev.larder.snapshot.DeltaSchema;
import dev.larder.snapshot.DeltaSource;
import dev.larder.snapshot.ScanProgress;
import dev.larder.store.Column;
import dev.larder.store.ColumnType;
import dev.larder.store.FeatureSchema;
import dev.larder.store.RowBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * A point-in-time training set computed on the caller's thread (not thread-safe): for every label event and every
 * table of a vector, the features as serving would have returned them at the event's time, from the table's Delta
 * history. The version in force at a time is the newest version whose commit timestamp (Larder's rule, the one a
 * store stamps rows with: the in-commit timestamp where enabled, else the monotonic commit file time) is at or before
 * it.
 *
 * <p>Per table the labels are taken in time order: the table is bootstrapped once, at the version in force at the
 * earliest label, then its change feed is replayed commit by commit (the Change Data Feed where the table writes one,
 * else the rewritten files, normalised by {@link DeltaFeed} exactly as a following store applies them), and the labels
 * falling between two commits are answered from the rows held then. Rows are held on the Java heap, in a hash map of
 * the key to the vector's features of that table (an offline tool's choice: about 130 bytes plus 9 per feature per
 * key).
 *
 * <p>As serving does: a key the version does not hold gets the features' defaults, flagged {@code NOT_FOUND}; a row
 * whose commit timestamp is more than the table's TTL before the event gets them flagged {@code EXPIRED}; a null value
 * gets its default flagged {@code NULL}. A row's commit timestamp is that of the version that last changed it, as a
 * store following the table from the bootstrap would have stamped it: rows unchanged since the bootstrap carry the
 * bootstrap version's. A label before the oldest version of a table the log still holds (or before the table's first
 * commit) is not answered for that table: its features are null, flagged {@code NO_HISTORY}, and counted apart.
 */
public final class TrainingSet {
    static final byte FROM_DATA = 0;
    static final byte NOT_FOUND = 1;
    static final byte EXPIRED = 2;
    static final byte NULL = 3;
    static final byte NO_HISTORY = 4;
    /** Why a default was served, by reason code; null for a value from data. */
    static final String[] REASON_NAMES = {null, "NOT_FOUND", "EXPIRED", "NULL", "NO_HISTORY"};

    /**
     * One table of the vector.
     *
     * @param name       its name in the definition (the output's column prefix)
     * @param source     its Delta table
     * @param keyColumns its key columns, in the order the labels' key columns map onto
     * @param columns    the columns serving stores besides the key (empty: all), as the definition selects them
     * @param ttl        rows older than this at the event time are EXPIRED; zero: never
     */
    public record TableSpec(String name, DeltaSource source, List<String> keyColumns, List<String> columns,
                            Duration ttl) {
        /** Immutable copies. */
        public TableSpec {
            keyColumns = List.copyOf(keyColumns);
            columns = List.copyOf(columns);
        }
    }

    /**
     * One feature of the vector, in input order.
     *
     * @param table        its table's name
     * @param column       its column
     * @param defaultValue served when the row is missing, expired or null
     */
    public record FeatureSpec(String table, String column, double defaultValue) {
    }

    /**
     * What one table's replay did.
     *
     * @param table           the table's name
     * @param firstVersion    the version bootstrapped (-1 when every label is before its history)
     * @param lastVersion     the version in force at the latest label
     * @param commitsReplayed commits of the change feed applied after the bootstrap
     * @param noHistory       labels before the oldest version the table holds, not answered
     */
    public record TableReport(String table, long firstVersion, long lastVersion, long commitsReplayed,
                              long noHistory) {
    }

    private final Labels labels;
    private final int[] keyColumns;
    private final List<TableSpec> tables;
    private final List<FeatureSpec> features;
    /** Labels in time order: result rows are in this order, so each table's replay writes them sequentially. */
    private final int[] order;
    /** Each label's row in the results ({@link #order}'s inverse). */
    private final int[] position;
    final double[][] values;
    final byte[][] reasons;
    final long[][] versions;
    final long[][] commitTs;
    final long[][] rowVersions;
    final long[][] rowCommitTs;
    private final List<TableReport> reports = new ArrayList<>();
    private final long[] reasonCounts = new long[REASON_NAMES.length];

    private TrainingSet(Labels labels, int[] keyColumns, List<TableSpec> tables, List<FeatureSpec> features) {
        this.labels = labels;
        this.keyColumns = keyColumns;
        this.tables = List.copyOf(tables);
        this.features = List.copyOf(features);
        int n = labels.size();
        this.order = timeOrder(labels);
        position = new int[n];
        for (int p = 0; p < n; p++) {
            position[order[p]] = p;
        }
        values = new double[features.size()][n];
        reasons = new byte[features.size()][n];
        versions = new long[tables.size()][n];
        commitTs = new long[tables.size()][n];
        rowVersions = new long[tables.size()][n];
        rowCommitTs = new long[tables.size()][n];
    }

    /**
     * The labels' indexes sorted by time, ties in label order: a primitive sort of (time offset, index) packed in a
     * long when the times' span leaves room for the index (any span under 278 years for a million labels), else a
     * sort of boxed indexes.
     */
    private static int[] timeOrder(Labels labels) {
        int n = labels.size();
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (int i = 0; i < n; i++) {
            min = Math.min(min, labels.timeMillis(i));
            max = Math.max(max, labels.timeMillis(i));
        }
        int bits = 64 - Long.numberOfLeadingZeros(Math.max(1, n - 1));
        if (n == 0 || max - min < 0 || 64 - Long.numberOfLeadingZeros(max - min) + bits > 63) {
            return IntStream.range(0, n).boxed()
                    .sorted((a, b) -> Long.compare(labels.timeMillis(a), labels.timeMillis(b)))
                    .mapToInt(Integer::intValue).toArray();
        }
        long[] packed = new long[n];
        for (int i = 0; i < n; i++) {
            packed[i] = (labels.timeMillis(i) - min) << bits | i;
        }
        Arrays.sort(packed);
        int[] out = new int[n];
        long mask = (1L << bits) - 1;
        for (int p = 0; p < n; p++) {
            out[p] = (int) (packed[p] & mask);
        }
        return out;
    }

    /**
     * Computes the training set.
     *
     * @param labels     the label events
     * @param keyColumns the labels' key columns, mapped in order onto each table's key columns
     * @param tables     the vector's tables
     * @param features   the vector's features, each of a table in {@code tables}
     * @throws IllegalArgumentException on a key column the labels lack, a key the tables' key types cannot hold, or
     *                                  a feature of an undeclared table
     * @throws DeltaReadException       if a table's history cannot be read (files vacuumed, log damaged), naming the
     *                                  table and version
     */
    public static TrainingSet compute(Labels labels, List<String> keyColumns, List<TableSpec> tables,
                                      List<FeatureSpec> features) {
        int[] keys = keyColumns.stream().mapToInt(labels::column).toArray();
        for (FeatureSpec f : features) {
            if (tables.stream().noneMatch(t -> t.name().equals(f.table()))) {
                throw new IllegalArgumentException("feature " + f.table() + "." + f.column() + " names no table of "
                        + tables.stream().map(TableSpec::name).toList());
            }
        }
        for (TableSpec t : tables) {
            if (t.keyColumns().size() != keys.length) {
                throw new IllegalArgumentException("table " + t.name() + " is keyed by " + t.keyColumns() + ", but "
                        + keys.length + " label key column(s) were given: " + keyColumns);
            }
        }
        TrainingSet set = new TrainingSet(labels, keys, tables, features);
        for (int t = 0; t < tables.size(); t++) {
            set.table(t);
        }
        return set;
    }

    /** The label events, in the order they were read. */
    public Labels labels() {
        return labels;
    }

    /** The vector's tables, each with its source and TTL. */
    public List<TableSpec> tables() {
        return tables;
    }

    /** The vector's features, in output order. */
    public List<FeatureSpec> features() {
        return features;
    }

    /** Per table, what its replay did. */
    public List<TableReport> tableReports() {
        return List.copyOf(reports);
    }

    /** Feature values by why they were served: from data, NOT_FOUND, EXPIRED, NULL, NO_HISTORY. */
    public Map<String, Long> reasonCounts() {
        Map<String, Long> out = new java.util.LinkedHashMap<>();
        for (int r = 0; r < REASON_NAMES.length; r++) {
            out.put(r == FROM_DATA ? "data" : REASON_NAMES[r], reasonCounts[r]);
        }
        return out;
    }

    /** Label {@code label}'s value of feature {@code feature} as served (the default unless from data); NaN: none. */
    public double value(int feature, int label) {
        return values[feature][position[label]];
    }

    /** Why label {@code label}'s feature {@code feature} was not served from data, or null when it was. */
    public String reason(int feature, int label) {
        return REASON_NAMES[reasons[feature][position[label]]];
    }

    /** The Delta version of table {@code table} in force at label {@code label}'s time; -1 when NO_HISTORY. */
    public long version(int table, int label) {
        return versions[table][position[label]];
    }

    private void table(int t) {
        TableSpec spec = tables.get(t);
        DeltaSource source = spec.source();
        int n = order.length;
        int[] feats = IntStream.range(0, features.size()).filter(f -> features.get(f).table().equals(spec.name()))
                .toArray();
        Arrays.fill(versions[t], -1);
        Arrays.fill(rowVersions[t], -1);
        if (n == 0) {
            reports.add(new TableReport(spec.name(), -1, -1, 0, 0));
            return;
        }
        long latest = source.latestVersion();
        Map<Long, Long> stamps = new HashMap<>();
        long oldest = oldestRetained(source, latest, stamps);
        long oldestTs = stamp(source, oldest, stamps);
        int first = 0;
        while (first < n && labels.timeMillis(order[first]) < oldestTs) {
            noHistory(first++, feats);
        }
        if (first == n) {
            reports.add(new TableReport(spec.name(), -1, -1, 0, n));
            return;
        }
        long from = versionAt(source, oldest, latest, labels.timeMillis(order[first]), stamps);
        long to = versionAt(source, from, latest, labels.timeMillis(order[n - 1]), stamps);
        DeltaSchema schema = source.schema(from);
        DeltaSchema newest = to == from ? schema : source.schema(to);
        for (int f : feats) {
            String column = features.get(f).column();
            if (schema.indexOf(column) < 0 && newest.indexOf(column) >= 0) {
                // The replay keeps the bootstrap's columns, so it would serve the added column as null throughout.
                throw new IllegalArgumentException("feature " + spec.name() + "." + column + " was added to "
                        + source.tablePath() + " after version " + from + ", the one in force at the earliest label ("
                        + java.time.Instant.ofEpochMilli(labels.timeMillis(order[first])) + "): give labels from "
                        + "the version that added it on");
            }
        }
        List<String> selection = spec.columns().stream().filter(c -> schema.indexOf(c) >= 0).toList();
        FeatureSchema stored;
        try {
            stored = DeltaFeatureSchemas.toFeatureSchema(schema, spec.keyColumns(), selection,
                    Column.DEFAULT_VARIABLE_CAPACITY);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("table " + spec.name() + " (" + source.tablePath() + ", version "
                    + from + "): " + e.getMessage(), e);
        }
        for (int f : feats) {
            int c = stored.indexOf(features.get(f).column());
            ColumnType type = c < 0 ? null : stored.type(c);
            if (type == ColumnType.STRING || type == ColumnType.BINARY || type == ColumnType.FLOAT32_ARRAY
                    || type == ColumnType.OPAQUE) {
                throw new IllegalArgumentException("feature " + spec.name() + "." + features.get(f).column()
                        + " is " + type + " in " + source.tablePath() + " at version " + from
                        + ": a vector serves numbers only");
            }
        }
        Replay replay = new Replay(t, spec, stored, feats, first);
        DeltaFeed feed = new DeltaFeed(source, stored);
        feed.bootstrap(from, replay, ScanProgress.NONE);
        if (to > from) {
            feed.applyChanges(from + 1, to, replay);
        }
        replay.emitBefore(Long.MAX_VALUE);
        reports.add(new TableReport(spec.name(), from, to, replay.commits - 1, first));
    }

    /** The label at results row {@code row}: the results are in time order. */
    int labelAt(int row) {
        return order[row];
    }

    private void noHistory(int row, int[] feats) {
        for (int f : feats) {
            values[f][row] = Double.NaN;
            reasons[f][row] = NO_HISTORY;
            reasonCounts[NO_HISTORY]++;
        }
    }

    /** The oldest version whose snapshot the log still holds (0 unless log cleanup removed the first commits). */
    private static long oldestRetained(DeltaSource source, long latest, Map<Long, Long> stamps) {
        if (readable(source, 0, stamps)) {
            return 0;
        }
        long lo = 0;
        long hi = latest;
        while (hi - lo > 1) {
            long mid = (lo + hi) >>> 1;
            if (readable(source, mid, stamps)) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return hi;
    }

    private static boolean readable(DeltaSource source, long version, Map<Long, Long> stamps) {
        try {
            stamp(source, version, stamps);
            return true;
        } catch (DeltaReadException e) {
            return false;
        }
    }

    private static long stamp(DeltaSource source, long version, Map<Long, Long> stamps) {
        Long known = stamps.get(version);
        if (known == null) {
            known = source.commitTimestamp(version);
            stamps.put(version, known);
        }
        return known;
    }

    /** The newest version in [{@code lo}, {@code hi}] committed at or before {@code millis}; {@code lo}'s is. */
    private static long versionAt(DeltaSource source, long lo, long hi, long millis, Map<Long, Long> stamps) {
        long a = lo;
        long b = hi;
        if (stamp(source, b, stamps) <= millis) {
            return b;
        }
        while (b - a > 1) {
            long mid = (a + b) >>> 1;
            if (stamp(source, mid, stamps) <= millis) {
                a = mid;
            } else {
                b = mid;
            }
        }
        return a;
    }

    /** A key's canonical encoding, as a hash-map key. */
    private static final class Key {
        private final byte[] bytes;
        private final int hash;

        Key(byte[] bytes) {
            this.bytes = bytes;
            this.hash = hash(bytes);
        }

        /**
         * FNV-1a with a final avalanche: {@link Arrays#hashCode(byte[])} of encoded integer keys collides so often
         * that HashMap's bins turn into trees, which took a quarter of the replay's time.
         */
        private static int hash(byte[] b) {
            long h = 0xCBF29CE484222325L;
            for (byte x : b) {
                h = (h ^ (x & 0xFF)) * 0x100000001B3L;
            }
            h ^= h >>> 33;
            h *= 0xFF51AFD7ED558CCDL;
            h ^= h >>> 33;
            return (int) (h ^ (h >>> 32));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.hash == hash && Arrays.equals(bytes, k.bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public String toString() {
            return Arrays.toString(bytes);
        }
    }

    /** A held row: the vector's features of the table, which are null, and the version that last changed it. */
    private record Entry(double[] values, boolean[] nulls, long version, long commitTs) {
    }

    /** The table's rows as the replay reaches each version, answering the labels that fall before each commit. */
    private final class Replay implements ChangeSink {
        private final int t;
        private final FeatureSchema schema;
        private final int[] feats;
        private final int[] columns;
        private final long ttlMillis;
        private final Key[] keys;
        private final Map<Key, Entry> rows = new HashMap<>();
        private final RowBuffer row;
        private int next;
        private long version = -1;
        private long versionTs;
        private long openVersion;
        private long openTs;
        long commits;

        Replay(int t, TableSpec spec, FeatureSchema schema, int[] feats, int first) {
            this.t = t;
            this.schema = schema;
            this.feats = feats;
            this.columns = Arrays.stream(feats).map(f -> schema.indexOf(features.get(f).column())).toArray();
            this.ttlMillis = spec.ttl().toMillis();
            this.row = new RowBuffer(schema);
            this.next = first;
            this.keys = labelKeys(spec);
        }

        /** Each results row's key in this table's encoding; null when a key column is null (no row has it). */
        private Key[] labelKeys(TableSpec spec) {
            Key[] out = new Key[labels.size()];
            RowBuffer k = new RowBuffer(schema);
            for (int row = 0; row < out.length; row++) {
                int i = order[row];
                k.clear();
                boolean complete = true;
                for (int p = 0; p < keyColumns.length && complete; p++) {
                    Labels.Column c = labels.columns().get(keyColumns[p]);
                    Object v = c.values().get(i);
                    complete = v != null;
                    if (complete) {
                        setKey(k, schema.keyColumn(p), v, spec, c.name(), i);
                    }
                }
                out[row] = complete ? new Key(k.encodeKey()) : null;
            }
            return out;
        }

        private void setKey(RowBuffer k, int column, Object v, TableSpec spec, String labelColumn, int label) {
            ColumnType type = schema.type(column);
            try {
                switch (type) {
                    case INT8, INT16, INT32, INT64, DATE, TIMESTAMP, TIMESTAMP_NTZ -> k.setLong(column,
                            v instanceof Number x ? x.longValue() : Long.parseLong(v.toString()));
                    case STRING -> k.setString(column, v.toString());
                    case BOOLEAN -> k.setBoolean(column, v instanceof Boolean b ? b
                            : Boolean.parseBoolean(v.toString()));
                    default -> throw new IllegalArgumentException("key type " + type + " is not supported");
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("labels " + labels.origin() + ", label " + (label + 1)
                        + ", key column " + labelColumn + " = '" + v + "': not a key of table " + spec.name()
                        + " (key column " + schema.column(column).name() + ", " + type + "): " + e.getMessage(), e);
            }
        }

        @Override
        public FeatureSchema schema() {
            return schema;
        }

        @Override
        public RowBuffer row() {
            return row.clear();
        }

        @Override
        public void begin(long v, long commitTimestampMillis) {
            emitBefore(commitTimestampMillis);
            openVersion = v;
            openTs = commitTimestampMillis;
        }

        @Override
        public void upsert(RowBuffer r) {
            double[] vals = new double[columns.length];
            boolean[] nulls = new boolean[columns.length];
            for (int j = 0; j < columns.length; j++) {
                int c = columns[j];
                nulls[j] = c < 0 || r.isNull(c);
                vals[j] = nulls[j] ? 0 : r.getDouble(c);
            }
            rows.put(new Key(r.encodeKey()), new Entry(vals, nulls, openVersion, openTs));
        }

        @Override
        public void delete(RowBuffer keyRow) {
            rows.remove(new Key(keyRow.encodeKey()));
        }

        @Override
        public void end() {
            version = openVersion;
            versionTs = openTs;
            commits++;
        }

        @Override
        public long storedVersion(RowBuffer keyRow) {
            Entry e = rows.get(new Key(keyRow.encodeKey()));
            return e == null ? -1 : e.version();
        }

        /** Answers, from the rows of the version in force, every label before {@code millis} not answered yet. */
        void emitBefore(long millis) {
            if (version < 0) {
                return;
            }
            while (next < order.length && labels.timeMillis(order[next]) < millis) {
                emit(next++);
            }
        }

        private void emit(int row) {
            versions[t][row] = version;
            commitTs[t][row] = versionTs;
            Key key = keys[row];
            Entry e = key == null ? null : rows.get(key);
            byte expiredOrNot = FROM_DATA;
            if (e == null) {
                expiredOrNot = NOT_FOUND;
            } else {
                rowVersions[t][row] = e.version();
                rowCommitTs[t][row] = e.commitTs();
                if (ttlMillis > 0 && labels.timeMillis(order[row]) - e.commitTs() > ttlMillis) {
                    expiredOrNot = EXPIRED;
                }
            }
            for (int j = 0; j < feats.length; j++) {
                int f = feats[j];
                byte reason = expiredOrNot == FROM_DATA && e.nulls()[j] ? NULL : expiredOrNot;
                reasons[f][row] = reason;
                values[f][row] = reason == FROM_DATA ? e.values()[j] : features.get(f).defaultValue();
                reasonCounts[reason]++;
            }
        }
    }
}
