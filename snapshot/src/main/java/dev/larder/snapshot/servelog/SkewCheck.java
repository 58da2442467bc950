package dev.larder.snapshot.servelog;

import dev.larder.snapshot.DeltaReadException;
import dev.larder.snapshot.DeltaRow;
import dev.larder.snapshot.DeltaSchema;
import dev.larder.snapshot.DeltaSource;
import dev.larder.snapshot.DeltaType;
import dev.larder.snapshot.KernelInternals;
import dev.larder.snapshot.ScanProgress;
import io.delta.kernel.Scan;
import io.delta.kernel.Snapshot;
import io.delta.kernel.TableManager;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.engine.FileReadResult;
import io.delta.kernel.types.BooleanType;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampType;
import io.delta.kernel.utils.CloseableIterator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.hadoop.conf.Configuration;

/**
 * One run of the skew check on the caller's thread (not thread-safe): reads a served-feature log (every vector, or a
 * uniform sample) and recomputes every logged value from the source Delta table the log names, at the version the log
 * says the row was read at (time travel), each (source, version) read once for all the keys the log asks of it.
 *
 * <p>The rules: a value served from data must equal the lakehouse value at its version, as the store converts it to a
 * double (a value served into a {@code float[]} may equal it narrowed to a float); a {@code NULL} default means the row
 * is there and the value null (or the column absent); {@code EXPIRED} means the row is there (the TTL is not evaluated
 * again); {@code NOT_FOUND} (logged without a version) is a difference only when the key is in the lakehouse both at
 * the newest version logged for that table by a vector served no later (the store had at least that version) and at
 * the newest version committed at or before the serving time (the store had at most that one; the latter alone when
 * the former is unknown or unreadable). Values whose version cannot be read (history vacuumed, the table gone or
 * replaced) and values of tables without a Delta source (pushed by the application) are counted apart, not as
 * differences.
 */
public final class SkewCheck {
    private static final int FIRST_COLUMNS = 7;
    private static final byte FROM_DATA = ServeLogRows.FROM_DATA;
    private static final byte NOT_FOUND = ServeLogRows.NOT_FOUND;
    private static final byte NULL = ServeLogRows.NULL;
    private static final byte EXPIRED = ServeLogRows.EXPIRED;
    private static final byte NOT_OWNED = ServeLogRows.NOT_OWNED;
    /** An upper bound that could not be resolved (the table's history could not be read). */
    private static final long UNKNOWN_VERSION = -2;
    private static final double[] POW10 = new double[19];

    static {
        for (int i = 0; i < POW10.length; i++) {
            POW10[i] = Math.pow(10, i);
        }
    }

    /**
     * One value that differs from the lakehouse.
     *
     * @param requestId the vector's request id
     * @param key       the entity key: its value, or for a composite key its values as {@code (a, b)}
     * @param table     the table's name in the log
     * @param column    the feature's column
     * @param served    the value as served
     * @param reason    why a default was served (null: served from data)
     * @param lakehouse the lakehouse value at {@code version}: a number, {@code null}, or {@code absent} (no row)
     * @param version   the Delta version compared
     */
    public record Difference(long requestId, String key, String table, String column, double served, String reason,
                             String lakehouse, long version) {
        @Override
        public String toString() {
            return "request " + requestId + " key " + key + " " + table + "." + column + ": served " + served
                    + (reason == null ? "" : " (default: " + reason + ")") + ", lakehouse " + lakehouse
                    + " at version " + version;
        }
    }

    /**
     * What the check found.
     *
     * @param vectors      logged vectors checked
     * @param values       feature values checked against the lakehouse
     * @param equal        values equal to the lakehouse (by the rules above)
     * @param different    values that differ
     * @param unreadable   values whose version could not be read (vacuumed, table gone or replaced): not failures
     * @param unsourced    values of tables the log names no Delta source for (pushed tables), or served as another
     *                     shard's (NOT_OWNED): not checkable
     * @param differences  the first differences, table by table
     * @param notes        why values were unreadable (one line per source and version), then the caveats of the rules
     * @param versionsRead distinct (source, version) snapshots read
     */
    public record Report(long vectors, long values, long equal, long different, long unreadable, long unsourced,
                         List<Difference> differences, List<String> notes, long versionsRead) {
        /** Immutable copies of the lists. */
        public Report {
            differences = List.copyOf(differences);
            notes = List.copyOf(notes);
        }

        /** True when no value differs. */
        public boolean clean() {
            return different == 0;
        }
    }

    /** The log cannot be read as a served-feature log (not a Delta table, or not this schema). */
    public static final class UnreadableLogException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UnreadableLogException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final Function<String, DeltaSource> opener;
    private final Map<String, String> keyColumns;
    private final int maxDifferences;
    private final List<Difference> differences = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private long equal;
    private long different;
    private long unreadable;
    private long unsourced;
    private long versionsRead;

    private SkewCheck(Function<String, DeltaSource> opener, Map<String, String> keyColumns, int maxDifferences) {
        this.opener = opener;
        this.keyColumns = keyColumns;
        this.maxDifferences = maxDifferences;
    }

    /**
     * Checks the log at {@code logPath}.
     *
     * @param logPath        the log's local path or Hadoop URI
     * @param hadoopConf     settings to read the log with
     * @param opener         opens a source as the log names it ({@code <table>__source}); may throw when it is gone
     * @param keyColumns     per table, its key columns in the Delta table (comma-separated, in key order) when not
     *                       named as the log's key columns
     * @param sample         vectors to check, a uniform sample of the log; 0 or less: every vector
     * @param maxDifferences differences to describe
     * @throws UnreadableLogException if the log is not a readable served-feature log
     */
    public static Report run(String logPath, Configuration hadoopConf, Function<String, DeltaSource> opener,
                             Map<String, String> keyColumns, long sample, int maxDifferences) {
        Log log = Log.read(logPath, hadoopConf, sample);
        SkewCheck check = new SkewCheck(opener, keyColumns, maxDifferences);
        for (int t = 0; t < log.tables.size(); t++) {
            check.table(log, t);
        }
        check.notes.add("EXPIRED defaults are checked for the row's presence only: the TTL is not evaluated again");
        check.notes.add("NOT_FOUND defaults are differences only when the key is in the lakehouse at the newest "
                + "version logged for its table by then and at the newest version committed by the serving time");
        long values = check.equal + check.different + check.unreadable + check.unsourced;
        return new Report(log.size, values, check.equal, check.different, check.unreadable, check.unsourced,
                check.differences, check.notes, check.versionsRead);
    }

    /** The log's vectors, column by column. */
    private static final class Log {
        final List<String> tables = new ArrayList<>();
        final List<String> featureTables = new ArrayList<>();
        final List<String> featureColumns = new ArrayList<>();
        final List<String> keyNames = new ArrayList<>();
        int size;
        long[] requestId;
        long[] servedAtMicros;
        /** Per vector its key: the value (Long, Boolean, String), or a List of them for a composite key. */
        Object[] key;
        double[][] values;
        byte[][] reasons;
        long[][] versions;
        String[][] sources;
        String[][] tableIds;

        static Log read(String logPath, Configuration conf, long sample) {
            Engine engine = DefaultEngine.create(conf);
            Snapshot snapshot;
            String path;
            try {
                path = engine.getFileSystemClient().resolvePath(logPath);
                snapshot = TableManager.loadSnapshot(path).build(engine);
            } catch (IOException | RuntimeException e) {
                throw new UnreadableLogException("cannot read the served-feature log " + logPath + ": " + e, e);
            }
            Log log = new Log();
            int[] columns = log.layout(logPath, snapshot.getSchema());
            int capacity = sample > 0 ? (int) Math.min(sample, 1 << 24) : 1024;
            log.allocate(capacity);
            SplittableRandom random = new SplittableRandom(0x5EED);
            long[] seen = {0};
            try {
                Scan scan = snapshot.getScanBuilder().build();
                Row scanState = scan.getScanState(engine);
                StructType physical = KernelInternals.physicalReadSchema(scanState);
                try (CloseableIterator<FilteredColumnarBatch> scanFiles = scan.getScanFiles(engine)) {
                    while (scanFiles.hasNext()) {
                        try (CloseableIterator<Row> files = scanFiles.next().getRows()) {
                            while (files.hasNext()) {
                                Row scanFile = files.next();
                                CloseableIterator<ColumnarBatch> data = engine.getParquetHandler()
                                        .readParquetFiles(KernelInternals.singleton(
                                                KernelInternals.addFileStatus(scanFile)), physical,
                                                Optional.empty())
                                        .map(FileReadResult::getData);
                                try (CloseableIterator<FilteredColumnarBatch> batches =
                                             Scan.transformPhysicalData(engine, scanState, scanFile, data)) {
                                    while (batches.hasNext()) {
                                        log.take(batches.next(), columns, sample, random, seen);
                                    }
                                }
                            }
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                throw new UnreadableLogException("cannot read the served-feature log " + logPath + ": " + e, e);
            }
            return log;
        }

        /**
         * Finds the tables (by their {@code __version} columns) and the features (value and default column pairs) in
         * the log's schema; returns each column's index in it, in the order {@link #take} reads them.
         */
        private int[] layout(String logPath, StructType schema) {
            List<String> names = schema.fields().stream().map(StructField::getName).toList();
            String[] first = {"request_id", "served_at", ServeLogLayout.DATE, "vector", "model", "model_version"};
            boolean ok = names.size() > FIRST_COLUMNS;
            for (int i = 0; ok && i < first.length; i++) {
                ok = names.get(i).equals(first[i]);
            }
            for (String n : names) {
                if (n.endsWith("__version") && names.contains(prefix(n, "__version") + "__source")) {
                    tables.add(prefix(n, "__version"));
                }
            }
            // The key columns run from after model_version to the first feature (a double with a __default column).
            int firstFeature = FIRST_COLUMNS - 1;
            while (firstFeature < names.size() && !(names.contains(names.get(firstFeature) + "__default")
                    && schema.at(firstFeature).getDataType() instanceof DoubleType)) {
                firstFeature++;
            }
            for (int i = FIRST_COLUMNS - 1; ok && i < firstFeature; i++) {
                DataType type = schema.at(i).getDataType();
                ok = type instanceof LongType || type instanceof BooleanType || type instanceof StringType;
                keyNames.add(names.get(i));
            }
            if (!ok || tables.isEmpty() || keyNames.isEmpty()) {
                throw new UnreadableLogException(logPath + " is not a served-feature log: its columns are " + names,
                        null);
            }
            List<Integer> at = new ArrayList<>(List.of(0, 1));
            for (int i = FIRST_COLUMNS - 1; i < firstFeature; i++) {
                at.add(i);
            }
            for (int i = firstFeature; i < names.size(); i++) {
                String n = names.get(i);
                if (n.endsWith("__default") || !names.contains(n + "__default")
                        || !(schema.at(i).getDataType() instanceof DoubleType)) {
                    continue;
                }
                String table = null;
                for (String t : tables) {
                    if (n.startsWith(t + "__") && (table == null || t.length() > table.length())) {
                        table = t;
                    }
                }
                if (table == null) {
                    throw new UnreadableLogException(logPath + ": feature column " + n + " names no table of "
                            + tables, null);
                }
                featureTables.add(table);
                featureColumns.add(n.substring(table.length() + 2));
                at.add(i);
                at.add(names.indexOf(n + "__default"));
            }
            for (String t : tables) {
                at.add(names.indexOf(t + "__version"));
                at.add(names.indexOf(t + "__source"));
                at.add(names.indexOf(t + "__table_id"));
            }
            if (!(schema.at(1).getDataType() instanceof TimestampType)) {
                throw new UnreadableLogException(logPath + ": served_at is not a timestamp", null);
            }
            for (int i : at) {
                if (i < 0) {
                    throw new UnreadableLogException(logPath + " lacks a column of the served-feature log: "
                            + names, null);
                }
            }
            return at.stream().mapToInt(Integer::intValue).toArray();
        }

        private static String prefix(String name, String suffix) {
            return name.substring(0, name.length() - suffix.length());
        }

        private void allocate(int capacity) {
            requestId = new long[capacity];
            servedAtMicros = new long[capacity];
            key = new Object[capacity];
            values = new double[featureColumns.size()][capacity];
            reasons = new byte[featureColumns.size()][capacity];
            versions = new long[tables.size()][capacity];
            sources = new String[tables.size()][capacity];
            tableIds = new String[tables.size()][capacity];
        }

        private void grow() {
            int n = requestId.length * 2;
            requestId = Arrays.copyOf(requestId, n);
            servedAtMicros = Arrays.copyOf(servedAtMicros, n);
            key = Arrays.copyOf(key, n);
            for (int f = 0; f < values.length; f++) {
                values[f] = Arrays.copyOf(values[f], n);
                reasons[f] = Arrays.copyOf(reasons[f], n);
            }
            for (int t = 0; t < versions.length; t++) {
                versions[t] = Arrays.copyOf(versions[t], n);
                sources[t] = Arrays.copyOf(sources[t], n);
                tableIds[t] = Arrays.copyOf(tableIds[t], n);
            }
        }

        /** Adds the batch's rows: each to a slot of its own, or, sampling, into the reservoir (algorithm R). */
        private void take(FilteredColumnarBatch filtered, int[] at, long sample, SplittableRandom random, long[] seen) {
            ColumnarBatch batch = filtered.getData();
            Optional<ColumnVector> selection = filtered.getSelectionVector();
            ColumnVector[] c = new ColumnVector[at.length];
            for (int i = 0; i < at.length; i++) {
                c[i] = batch.getColumnVector(at[i]);
            }
            Map<String, String> interned = new HashMap<>();
            for (int row = 0; row < batch.getSize(); row++) {
                if (selection.isPresent() && (selection.get().isNullAt(row) || !selection.get().getBoolean(row))) {
                    continue;
                }
                long n = seen[0]++;
                int slot;
                if (sample <= 0 || n < sample) {
                    if (size == requestId.length) {
                        grow();
                    }
                    slot = size++;
                } else {
                    long j = random.nextLong(n + 1);
                    if (j >= sample) {
                        continue;
                    }
                    slot = (int) j;
                }
                requestId[slot] = c[0].getLong(row);
                servedAtMicros[slot] = c[1].getLong(row);
                int i = 2;
                if (keyNames.size() == 1) {
                    key[slot] = keyValue(c[i++], row);
                } else {
                    Object[] parts = new Object[keyNames.size()];
                    for (int k = 0; k < parts.length; k++) {
                        parts[k] = keyValue(c[i++], row);
                    }
                    key[slot] = List.of(parts);
                }
                for (int f = 0; f < values.length; f++, i += 2) {
                    values[f][slot] = c[i].isNullAt(row) ? Double.NaN : c[i].getDouble(row);
                    reasons[f][slot] = c[i + 1].isNullAt(row) ? FROM_DATA : reason(c[i + 1].getString(row));
                }
                for (int t = 0; t < versions.length; t++, i += 3) {
                    versions[t][slot] = c[i].isNullAt(row) ? -1 : c[i].getLong(row);
                    sources[t][slot] = string(c[i + 1], row, interned);
                    tableIds[t][slot] = string(c[i + 2], row, interned);
                }
            }
        }

        /** A logged key column's value as the lakehouse's is compared with it: Long, Boolean or String. */
        private static Object keyValue(ColumnVector v, int row) {
            DataType type = v.getDataType();
            return type instanceof LongType ? (Object) v.getLong(row)
                    : type instanceof BooleanType ? (Object) v.getBoolean(row) : v.getString(row);
        }

        private static String string(ColumnVector v, int row, Map<String, String> interned) {
            if (v.isNullAt(row)) {
                return null;
            }
            String s = v.getString(row);
            return interned.computeIfAbsent(s, Function.identity());
        }

        private static byte reason(String name) {
            return switch (name) {
                case "NOT_FOUND" -> NOT_FOUND;
                case "NULL" -> NULL;
                case "EXPIRED" -> EXPIRED;
                case "NOT_OWNED" -> NOT_OWNED;
                default -> throw new UnreadableLogException("unknown default reason " + name, null);
            };
        }
    }

    /** What one snapshot of a source holds for the keys asked of it. */
    private static final class Found {
        final Map<Object, Integer> rows = new HashMap<>();
        final List<double[]> values = new ArrayList<>();
        final List<boolean[]> nulls = new ArrayList<>();
    }

    /** Checks table {@code t}'s values in every vector of the log. */
    private void table(Log log, int t) {
        String table = log.tables.get(t);
        List<Integer> features = new ArrayList<>();
        for (int f = 0; f < log.featureColumns.size(); f++) {
            if (log.featureTables.get(f).equals(table)) {
                features.add(f);
            }
        }
        if (features.isEmpty()) {
            return;
        }
        int nf = features.size();
        // Requests per (source, version): the vectors with a row read there, and NOT_FOUND vectors' bounds.
        Map<String, TreeMap<Long, List<Integer>>> byVersion = new LinkedHashMap<>();
        Map<String, List<Integer>> notFound = new LinkedHashMap<>();
        Integer[] order = new Integer[log.size];
        for (int r = 0; r < log.size; r++) {
            order[r] = r;
        }
        Arrays.sort(order, (a, b) -> Long.compare(log.servedAtMicros[a], log.servedAtMicros[b]));
        Map<String, Long> newestLogged = new HashMap<>();
        long[] lower = new long[log.size];
        for (int r : order) {
            String source = log.sources[t][r];
            String id = log.tableIds[t][r];
            // Another shard's key: this store held none of its rows, so nothing was served from the lakehouse.
            if (source == null || source.isEmpty() || "application".equals(id)
                    || log.reasons[features.get(0)][r] == NOT_OWNED) {
                unsourced += nf;
                continue;
            }
            long version = log.versions[t][r];
            if (log.reasons[features.get(0)][r] == NOT_FOUND) {
                lower[r] = newestLogged.getOrDefault(source, -1L);
                notFound.computeIfAbsent(source, s -> new ArrayList<>()).add(r);
            } else if (version < 0) {
                unreadable += nf;
                note(table, source, version, "a row read without a version");
            } else {
                newestLogged.merge(source, version, Math::max);
                byVersion.computeIfAbsent(source, s -> new TreeMap<>())
                        .computeIfAbsent(version, v -> new ArrayList<>()).add(r);
            }
        }
        List<String> sources = new ArrayList<>(byVersion.keySet());
        notFound.keySet().stream().filter(s -> !byVersion.containsKey(s)).forEach(sources::add);
        for (String source : sources) {
            DeltaSource delta;
            try {
                delta = opener.apply(source);
            } catch (RuntimeException e) {
                long n = count(byVersion.get(source)) + notFound.getOrDefault(source, List.of()).size();
                unreadable += n * nf;
                note(table, source, -1, "cannot be opened: " + e.getMessage());
                continue;
            }
            TreeMap<Long, List<Integer>> versions = byVersion.getOrDefault(source, new TreeMap<>());
            // NOT_FOUND vectors ask their two bounds; the keys of each version are read together.
            Map<Long, List<Integer>> absentAsks = new HashMap<>();
            List<Integer> missing = notFound.getOrDefault(source, List.of());
            long[] upper = upperBounds(delta, missing, log);
            for (int i = 0; i < missing.size(); i++) {
                int r = missing.get(i);
                if (upper[i] >= 0) {
                    absentAsks.computeIfAbsent(upper[i], v -> new ArrayList<>()).add(r);
                    if (lower[r] >= 0) {
                        absentAsks.computeIfAbsent(lower[r], v -> new ArrayList<>()).add(r);
                    }
                }
            }
            TreeMap<Long, Boolean> all = new TreeMap<>();
            versions.keySet().forEach(v -> all.put(v, true));
            absentAsks.keySet().forEach(v -> all.put(v, true));
            Map<Long, Found> found = new HashMap<>();
            Map<Long, String> failed = new HashMap<>();
            List<String> keyColumn = keyColumns.containsKey(table)
                    ? List.of(keyColumns.get(table).split(",")) : log.keyNames;
            for (long v : all.keySet()) {
                List<Integer> asks = new ArrayList<>(versions.getOrDefault(v, List.of()));
                asks.addAll(absentAsks.getOrDefault(v, List.of()));
                try {
                    found.put(v, read(delta, v, keyColumn, log, features, asks, table, tableIdOf(log, t, asks)));
                } catch (DeltaReadException | IllegalStateException e) {
                    failed.put(v, e.getMessage());
                    note(table, source, v, e.getMessage());
                }
            }
            for (Map.Entry<Long, List<Integer>> e : versions.entrySet()) {
                Found f = found.get(e.getKey());
                for (int r : e.getValue()) {
                    if (f == null) {
                        unreadable += nf;
                    } else {
                        compare(log, r, table, features, f, e.getKey());
                    }
                }
            }
            for (int i = 0; i < missing.size(); i++) {
                int r = missing.get(i);
                long hi = upper[i];
                long lo = lower[r];
                if (hi == UNKNOWN_VERSION) {
                    unreadable += nf;
                    note(table, source, -1, "the version committed by a NOT_FOUND vector's serving time is unknown");
                    continue;
                }
                if (hi < 0) {
                    // Nothing was committed by the serving time: no key could have been served.
                    equal += nf;
                    continue;
                }
                Found atHi = found.get(hi);
                // Without a readable lower bound, the version committed by the serving time decides alone.
                Found atLo = lo < 0 || !found.containsKey(lo) ? atHi : found.get(lo);
                if (atHi == null || atLo == null) {
                    unreadable += nf;
                } else if (atHi.rows.containsKey(log.key[r]) && atLo.rows.containsKey(log.key[r])) {
                    int row = atHi.rows.get(log.key[r]);
                    for (int j = 0; j < nf; j++) {
                        int f = features.get(j);
                        differ(log, r, f, atHi.nulls.get(row)[j] ? "null" : String.valueOf(atHi.values.get(row)[j]),
                                hi);
                    }
                } else {
                    equal += nf;
                }
            }
        }
    }

    private static long count(TreeMap<Long, List<Integer>> versions) {
        return versions == null ? 0 : versions.values().stream().mapToLong(List::size).sum();
    }

    private static String tableIdOf(Log log, int t, List<Integer> asks) {
        for (int r : asks) {
            if (log.tableIds[t][r] != null) {
                return log.tableIds[t][r];
            }
        }
        return null;
    }

    /**
     * Per NOT_FOUND vector (in serving order), the newest version committed at or before its serving time, -1 when
     * none was, {@link #UNKNOWN_VERSION} when the history cannot tell. Versions only grow with time, so the range of
     * serving times is split only where its ends differ.
     */
    private static long[] upperBounds(DeltaSource delta, List<Integer> missing, Log log) {
        long[] out = new long[missing.size()];
        if (!missing.isEmpty()) {
            Map<Long, Long> cache = new HashMap<>();
            fill(delta, missing, log, out, 0, missing.size() - 1, cache);
        }
        return out;
    }

    private static void fill(DeltaSource delta, List<Integer> missing, Log log, long[] out, int lo, int hi,
                             Map<Long, Long> cache) {
        long a = at(delta, log.servedAtMicros[missing.get(lo)] / 1000, cache);
        long b = at(delta, log.servedAtMicros[missing.get(hi)] / 1000, cache);
        if (a == b) {
            Arrays.fill(out, lo, hi + 1, a);
            return;
        }
        out[lo] = a;
        out[hi] = b;
        if (hi - lo > 1) {
            int mid = (lo + hi) >>> 1;
            fill(delta, missing, log, out, lo, mid, cache);
            fill(delta, missing, log, out, mid, hi, cache);
        }
    }

    private static long at(DeltaSource delta, long millis, Map<Long, Long> cache) {
        return cache.computeIfAbsent(millis, m -> {
            try {
                return delta.versionAtOrBefore(m);
            } catch (DeltaReadException e) {
                // NOT_FOUND: every commit is later; anything else leaves the bound unknown.
                return e.reason() == DeltaReadException.Reason.NOT_FOUND ? -1L : UNKNOWN_VERSION;
            }
        });
    }

    /** Reads the snapshot at {@code version} once, keeping the rows of the keys {@code asks} want. */
    private Found read(DeltaSource delta, long version, List<String> keyColumn, Log log, List<Integer> features,
                       List<Integer> asks, String table, String loggedTableId) {
        if (loggedTableId != null) {
            String id = delta.tableId(version);
            if (!loggedTableId.equals(id)) {
                throw new IllegalStateException("the table at " + delta.tablePath() + " is another Delta table (id "
                        + id + ", logged " + loggedTableId + "): replaced since");
            }
        }
        DeltaSchema schema = delta.schema(version);
        if (keyColumn.size() != log.keyNames.size()) {
            throw new IllegalStateException("the log's key " + log.keyNames + " has " + log.keyNames.size()
                    + " columns, the key columns given for table " + table + " " + keyColumn);
        }
        int[] keyAt = new int[keyColumn.size()];
        DeltaType.Kind[] keyKind = new DeltaType.Kind[keyAt.length];
        for (int k = 0; k < keyAt.length; k++) {
            keyAt[k] = column(schema, keyColumn.get(k).strip());
            if (keyAt[k] < 0) {
                throw new IllegalStateException("the Delta table has no key column " + keyColumn.get(k)
                        + " at version " + version + " (give it with --key " + table + "=COLUMN[,COLUMN...])");
            }
            keyKind[k] = schema.column(keyAt[k]).type().kind();
        }
        int[] at = new int[features.size()];
        for (int j = 0; j < at.length; j++) {
            at[j] = column(schema, log.featureColumns.get(features.get(j)));
        }
        java.util.Set<Object> wanted = new java.util.HashSet<>();
        for (int r : asks) {
            wanted.add(log.key[r]);
        }
        // Each scanning thread keeps the rows it finds apart; they are merged once the scan is over.
        List<Found> parts = new ArrayList<>();
        delta.scan(version, DeltaSource.SCAN_THREADS, () -> {
            Found part = new Found();
            synchronized (parts) {
                parts.add(part);
            }
            return (DeltaRow row) -> {
                Object k = key(row, keyAt, keyKind);
                if (k == null) {
                    return;
                }
                if (!wanted.contains(k)) {
                    return;
                }
                double[] values = new double[at.length];
                boolean[] nulls = new boolean[at.length];
                for (int j = 0; j < at.length; j++) {
                    nulls[j] = at[j] < 0 || row.isNull(at[j]);
                    values[j] = nulls[j] ? Double.NaN : asDouble(row, at[j], schema.column(at[j]).type());
                }
                part.rows.put(k, part.values.size());
                part.values.add(values);
                part.nulls.add(nulls);
            };
        }, ScanProgress.NONE);
        Found found = new Found();
        for (Found part : parts) {
            for (Map.Entry<Object, Integer> e : part.rows.entrySet()) {
                found.rows.put(e.getKey(), found.values.size());
                found.values.add(part.values.get(e.getValue()));
                found.nulls.add(part.nulls.get(e.getValue()));
            }
        }
        versionsRead++;
        return found;
    }

    private static int column(DeltaSchema schema, String name) {
        int at = schema.indexOf(name);
        for (int i = 0; at < 0 && i < schema.size(); i++) {
            if (schema.column(i).name().equalsIgnoreCase(name)) {
                at = i;
            }
        }
        return at;
    }

    /** Compares vector {@code r}'s values of one table with the row the snapshot at {@code version} holds. */
    private void compare(Log log, int r, String table, List<Integer> features, Found found, long version) {
        Integer row = found.rows.get(log.key[r]);
        for (int j = 0; j < features.size(); j++) {
            int f = features.get(j);
            byte reason = log.reasons[f][r];
            if (row == null) {
                differ(log, r, f, "absent", version);
                continue;
            }
            boolean isNull = found.nulls.get(row)[j];
            double lake = found.values.get(row)[j];
            boolean same = switch (reason) {
                case NULL -> isNull;
                case EXPIRED -> true;
                default -> !isNull && same(log.values[f][r], lake);
            };
            if (same) {
                equal++;
            } else {
                differ(log, r, f, isNull ? "null" : String.valueOf(lake), version);
            }
        }
    }

    /** Equal as served: the same double, or the lakehouse value narrowed to a float (served into a float[]). */
    static boolean same(double served, double lake) {
        return Double.doubleToLongBits(served) == Double.doubleToLongBits(lake)
                || Double.doubleToLongBits(served) == Double.doubleToLongBits((float) lake);
    }

    private void differ(Log log, int r, int f, String lakehouse, long version) {
        different++;
        if (differences.size() < maxDifferences) {
            byte reason = log.reasons[f][r];
            differences.add(new Difference(log.requestId[r], keyText(log.key[r]), log.featureTables.get(f),
                    log.featureColumns.get(f), log.values[f][r], reason == FROM_DATA ? null
                    : ServeLogRows.reasonName(reason), lakehouse, version));
        }
    }

    private void note(String table, String source, long version, String why) {
        String line = table + " (" + source + ")" + (version >= 0 ? " version " + version : "") + ": " + why;
        if (!notes.contains(line) && notes.size() < 100) {
            notes.add(line);
        }
    }

    /** A key as {@link Difference#key()} shows it. */
    private static String keyText(Object key) {
        return key instanceof List<?> parts
                ? "(" + String.join(", ", parts.stream().map(String::valueOf).toList()) + ")" : String.valueOf(key);
    }

    /**
     * The row's key as the log holds it (integral, date and timestamp columns as a Long, as the store encodes them),
     * a List for a composite key; null when a key column is null (a row no store holds).
     */
    private static Object key(DeltaRow row, int[] at, DeltaType.Kind[] kinds) {
        if (at.length == 1) {
            return row.isNull(at[0]) ? null : keyValue(row, at[0], kinds[0]);
        }
        Object[] parts = new Object[at.length];
        for (int k = 0; k < at.length; k++) {
            if (row.isNull(at[k])) {
                return null;
            }
            parts[k] = keyValue(row, at[k], kinds[k]);
        }
        return List.of(parts);
    }

    private static Object keyValue(DeltaRow row, int c, DeltaType.Kind kind) {
        return switch (kind) {
            case BYTE -> (long) row.getByte(c);
            case SHORT -> (long) row.getShort(c);
            case INT -> (long) row.getInt(c);
            case LONG -> row.getLong(c);
            case DATE -> (long) row.getDate(c);
            case TIMESTAMP, TIMESTAMP_NTZ -> row.getTimestampMicros(c);
            case BOOLEAN -> row.getBoolean(c);
            case STRING -> row.getString(c);
            default -> throw new IllegalStateException("key column of type " + kind + " cannot be logged");
        };
    }

    /** The value as the store serves it in a vector ({@code RowImage.getDouble}). */
    private static double asDouble(DeltaRow row, int c, DeltaType type) {
        return switch (type.kind()) {
            case DOUBLE -> row.getDouble(c);
            case FLOAT -> row.getFloat(c);
            case BOOLEAN -> row.getBoolean(c) ? 1.0 : 0.0;
            case BYTE -> row.getByte(c);
            case SHORT -> row.getShort(c);
            case INT -> row.getInt(c);
            case LONG -> row.getLong(c);
            case DATE -> row.getDate(c);
            case TIMESTAMP, TIMESTAMP_NTZ -> row.getTimestampMicros(c);
            case DECIMAL -> type.precision() <= 18
                    ? row.getDecimal(c).unscaledValue().longValue() / POW10[type.scale()]
                    : row.getDecimal(c).doubleValue();
            default -> Double.NaN;
        };
    }
}
