package dev.larder.snapshot.servelog;

import dev.larder.snapshot.KernelAppends;
import dev.larder.snapshot.KernelInternals;
import io.delta.kernel.Operation;
import io.delta.kernel.Snapshot;
import io.delta.kernel.TableManager;
import io.delta.kernel.Transaction;
import io.delta.kernel.TransactionCommitResult;
import io.delta.kernel.data.Row;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.exceptions.TableNotFoundException;
import io.delta.kernel.expressions.Column;
import io.delta.kernel.expressions.Literal;
import io.delta.kernel.hook.PostCommitHook;
import io.delta.kernel.transaction.DataLayoutSpec;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.apache.hadoop.conf.Configuration;


/**
 * Not thread-safe (one committing thread; it writes a large commit's files on a few threads of its own): appends served
 * vectors to a served-feature log, a Delta table partitioned by {@link ServeLogLayout#DATE}, written with Delta
 * Kernel. Each {@link #append} writes the rows as Parquet files (one or more per date) and then commits them in one
 * Delta commit: a crash before the commit leaves only unreferenced files,
 * never a broken commit, and a process opening the table again appends after the last commit. Several writers (threads
 * or processes) may append to one table: Kernel's transaction retries a blind append over commits that won the race.
 */
public final class ServeLogTable implements AutoCloseable {
    private static final String ENGINE_INFO = "larder-servelog";
    /** Threads writing one commit's files side by side: the machine's cores, at most 4. */
    private static final int WRITERS = Math.clamp(Runtime.getRuntime().availableProcessors(), 1, 4);
    /** Rows of a day below which one file is written by the committing thread alone. */
    private static final int MIN_SLICE_ROWS = 10_000;
    private final Engine engine;
    private final String path;
    private final ServeLogLayout layout;
    private final StructType schema;
    private Snapshot snapshot;
    /** Made on the first commit large enough to split. */
    private ExecutorService writers;

    private ServeLogTable(Engine engine, String path, ServeLogLayout layout, Snapshot snapshot) {
        this.engine = engine;
        this.path = path;
        this.layout = layout;
        this.schema = layout.schema();
        this.snapshot = snapshot;
    }

    /**
     * Opens the log at {@code pathOrUri} (a local path or any Hadoop file system URI), creating the table if missing.
     *
     * @throws IllegalStateException if a table there has another schema (another vector's log, or an older definition)
     */
    public static ServeLogTable open(String pathOrUri, Configuration hadoopConf, ServeLogLayout layout) {
        Configuration conf = new Configuration(hadoopConf);
        // The values are mostly distinct doubles: a dictionary per column is built, overflows and is thrown away
        // (half the writing time); the constant strings compress as well plain.
        conf.setIfUnset("parquet.enable.dictionary", "false");
        Engine engine = DefaultEngine.create(conf);
        String path;
        try {
            path = engine.getFileSystemClient().resolvePath(pathOrUri);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot resolve the served-feature log path " + pathOrUri, e);
        }
        Snapshot snapshot = loadOrCreate(engine, path, layout.schema());
        if (!sameColumns(snapshot.getSchema(), layout.schema())) {
            throw new IllegalStateException("the served-feature log " + path + " has columns "
                    + names(snapshot.getSchema()) + ", but vector " + layout.vector() + " logs "
                    + names(layout.schema())
                    + "; log the changed vector to another path");
        }
        return new ServeLogTable(engine, path, layout, snapshot);
    }

    private static Snapshot loadOrCreate(Engine engine, String path, StructType schema) {
        try {
            return TableManager.loadSnapshot(path).build(engine);
        } catch (TableNotFoundException missing) {
            try {
                Transaction create = TableManager.buildCreateTableTransaction(path, schema, ENGINE_INFO)
                        .withDataLayoutSpec(DataLayoutSpec.partitioned(List.of(new Column(ServeLogLayout.DATE))))
                        .build(engine);
                TransactionCommitResult r = create.commit(engine, CloseableIterable.emptyIterable());
                return r.getPostCommitSnapshot()
                        .orElseGet(() -> TableManager.loadSnapshot(path).atVersion(r.getVersion()).build(engine));
            } catch (RuntimeException raced) {
                // Another writer created it first: append to theirs, which must then have the same columns.
                try {
                    return TableManager.loadSnapshot(path).build(engine);
                } catch (RuntimeException e) {
                    raced.addSuppressed(e);
                    throw raced;
                }
            }
        }
    }

    private static boolean sameColumns(StructType a, StructType b) {
        if (a.length() != b.length()) {
            return false;
        }
        for (int i = 0; i < a.length(); i++) {
            StructField x = a.at(i);
            StructField y = b.at(i);
            if (!x.getName().equals(y.getName()) || !x.getDataType().equals(y.getDataType())) {
                return false;
            }
        }
        return true;
    }

    private static List<String> names(StructType s) {
        return s.fields().stream().map(f -> f.getName() + " " + f.getDataType()).toList();
    }

    /** The table's resolved path. */
    public String path() {
        return path;
    }

    public ServeLogLayout layout() {
        return layout;
    }

    /** The last version this writer committed or read. */
    public long version() {
        return snapshot.getVersion();
    }

    /**
     * Writes {@code rows} and commits them as one Delta commit; nothing when empty. The rows are left in the buffer
     * (the caller clears it once this returns).
     *
     * @return the committed version, or -1 when there was nothing to commit
     * @throws IOException if a file could not be written or the commit failed (nothing of it is then committed)
     */
    public long append(ServeLogRows rows) throws IOException {
        int n = rows.size();
        if (n == 0) {
            return -1;
        }
        Transaction txn = snapshot.buildUpdateTableTransaction(ENGINE_INFO, Operation.WRITE).build(engine);
        Row state = txn.getTransactionState(engine);
        int[] order = byDay(rows);
        List<Row> actions = new ArrayList<>();
        int from = 0;
        while (from < n) {
            int day = ArrayColumns.day(rows.servedAtMillis[order[from]]);
            int to = from + 1;
            while (to < n && ArrayColumns.day(rows.servedAtMillis[order[to]]) == day) {
                to++;
            }
            writeDay(state, rows, order, from, to - from, day, actions);
            from = to;
        }
        TransactionCommitResult result;
        try {
            result = txn.commit(engine,
                    CloseableIterable.inMemoryIterable(KernelInternals.closeable(actions.iterator())));
        } catch (RuntimeException e) {
            throw new IOException("cannot commit " + n + " rows to the served-feature log " + path + ": " + e, e);
        }
        for (PostCommitHook hook : result.getPostCommitHooks()) {
            try {
                hook.threadSafeInvoke(engine);
            } catch (IOException | RuntimeException e) {
                // A checkpoint or checksum is an optimisation: the commit stands, and the next hook writes one.
                System.getLogger(ServeLogTable.class.getName()).log(System.Logger.Level.WARNING,
                        "served-feature log " + path + ": post-commit " + hook.getType() + " failed: " + e);
            }
        }
        long version = result.getVersion();
        snapshot = result.getPostCommitSnapshot()
                .orElseGet(() -> TableManager.loadSnapshot(path).atVersion(version).build(engine));
        return version;
    }

    /** Row indexes sorted by UTC day (stable within a day); the identity when every row has the same day. */
    private static int[] byDay(ServeLogRows rows) {
        int n = rows.size();
        long[] at = rows.servedAtMillis;
        int first = ArrayColumns.day(at[0]);
        boolean oneDay = true;
        for (int i = 1; i < n && oneDay; i++) {
            oneDay = ArrayColumns.day(at[i]) == first;
        }
        IntStream rowIndexes = IntStream.range(0, n);
        return oneDay ? rowIndexes.toArray() : rowIndexes.boxed()
                .sorted(Comparator.comparingInt(i -> ArrayColumns.day(at[i]))).mapToInt(Integer::intValue).toArray();
    }

    /**
     * Writes one day's rows: in slices of at least {@link #MIN_SLICE_ROWS} rows, one file each, written side by side
     * by up to {@link #WRITERS} threads (Parquet encoding takes one core about 4 us a vector of 20 features; files
     * of one commit need no order among them).
     */
    private void writeDay(Row state, ServeLogRows rows, int[] order, int from, int n, int day, List<Row> actions)
            throws IOException {
        Map<String, Literal> partition = Map.of(ServeLogLayout.DATE, Literal.ofDate(day));
        int slices = Math.clamp(n / MIN_SLICE_ROWS, 1, WRITERS);
        if (slices == 1) {
            KernelAppends.write(engine, state, ArrayColumns.batch(rows, schema, order, from, n), partition, actions);
            return;
        }
        List<Future<List<Row>>> written = new ArrayList<>();
        for (int i = 0; i < slices; i++) {
            int start = from + (int) ((long) n * i / slices);
            int end = from + (int) ((long) n * (i + 1) / slices);
            written.add(writers().submit(() -> {
                List<Row> adds = new ArrayList<>();
                KernelAppends.write(engine, state, ArrayColumns.batch(rows, schema, order, start, end - start),
                        partition, adds);
                return adds;
            }));
        }
        IOException failed = null;
        for (Future<List<Row>> f : written) {
            try {
                actions.addAll(f.get());
            } catch (ExecutionException e) {
                IOException io = e.getCause() instanceof IOException x ? x
                        : new IOException("cannot write the served-feature log " + path + ": " + e.getCause(),
                        e.getCause());
                if (failed == null) {
                    failed = io;
                } else {
                    failed.addSuppressed(io);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted writing the served-feature log " + path, e);
            }
        }
        if (failed != null) {
            throw failed;
        }
    }

    private ExecutorService writers() {
        if (writers == null) {
            writers = Executors.newFixedThreadPool(WRITERS, Thread.ofPlatform().daemon()
                    .name("larder-servelog-parquet-", 0).factory());
        }
        return writers;
    }

    /** Stops the threads that write a commit's files side by side; the table is not appended to afterwards. */
    @Override
    public void close() {
        if (writers != null) {
            writers.shutdown();
        }
    }
}
