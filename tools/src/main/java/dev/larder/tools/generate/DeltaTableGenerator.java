package dev.larder.tools.generate;

import io.delta.kernel.DataWriteContext;
import io.delta.kernel.Operation;
import io.delta.kernel.Scan;
import io.delta.kernel.Snapshot;
import io.delta.kernel.TableManager;
import io.delta.kernel.Transaction;
import io.delta.kernel.TransactionCommitResult;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.engine.FileReadResult;
import io.delta.kernel.expressions.Column;
import io.delta.kernel.expressions.Literal;
import io.delta.kernel.hook.PostCommitHook;
import io.delta.kernel.internal.InternalScanFileUtils;
import io.delta.kernel.internal.TableConfig;
import io.delta.kernel.internal.actions.AddFile;
import io.delta.kernel.internal.actions.CommitInfo;
import io.delta.kernel.internal.actions.SingleAction;
import io.delta.kernel.internal.data.GenericRow;
import io.delta.kernel.internal.util.VectorUtils;
import io.delta.kernel.statistics.DataFileStatistics;
import io.delta.kernel.types.BooleanType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.MapType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterable;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.DataFileStatus;
import io.delta.kernel.utils.FileStatus;
import org.apache.hadoop.conf.Configuration;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.delta.kernel.internal.util.Utils.singletonCloseableIterator;
import static io.delta.kernel.internal.util.Utils.toCloseableIterator;

/**
 * Writes a synthetic feature table described by a {@link GeneratorSpec} with Delta Kernel's write API.
 *
 * <p>Version 0 holds keys {@code 0..rows-1} in files of {@code rowsPerFile} rows. Every later commit is copy-on-write,
 * the form any Delta reader understands without deletion vectors: files holding deleted or updated keys are removed
 * (dataChange=true) and replaced by rewritten files with the surviving rows and the updated values, and inserted keys
 * go to new files.
 *
 * <p>With {@link GeneratorSpec#changeDataFeed()} the table has {@code delta.enableChangeDataFeed=true} and each commit
 * after version 0 is written as Delta Spark writes a MERGE on such a table: the same add and remove actions, plus one
 * {@code cdc} action (dataChange=false, no partition values) per task that changed rows, naming a Parquet file under
 * {@code _change_data/} with the table's columns and then {@code _change_type}: {@code delete} rows and
 * {@code update_preimage} rows as they were read, {@code update_postimage} rows as rewritten, {@code insert} rows as
 * added. Kernel 4.4 cannot write cdc actions (it refuses add and remove with dataChange=true on a CDF table), so those
 * commits are written as the Delta JSON commit file directly, put-if-absent, and Kernel then writes their checksum and,
 * at the checkpoint interval, their checkpoint, as its post-commit hooks do for the commits it writes itself.
 *
 * <p>Files always hold disjoint key ranges (a rewrite only drops keys from its source file's range, new keys are above
 * every existing key), so a file's {@code entity_id} min/max statistics tell exactly which file can hold a key.
 */
public final class DeltaTableGenerator {
    private static final String ENGINE_INFO = "larder-generator";
    private static final int BATCH_ROWS = 64 * 1024;
    private static final Column KEY = new Column(GeneratorSpec.KEY_COLUMN);
    private static final String CHANGE_DATA_DIR = "_change_data";
    private static final String CHANGE_TYPE_COLUMN = "_change_type";
    private static final StructType CDC_FILE = new StructType()
            .add("path", StringType.STRING, false)
            .add("partitionValues", new MapType(StringType.STRING, StringType.STRING, true), false)
            .add("size", LongType.LONG, false)
            .add("dataChange", BooleanType.BOOLEAN, false);
    private static final StructType CDC_ACTION = new StructType().add("cdc", CDC_FILE, true);

    private final Engine engine;
    private final GeneratorSpec spec;
    private final StructType schema;
    /** {@link #schema} and then {@code _change_type}: the columns of a cdc file. */
    private final StructType changeSchema;
    private final String tablePath;
    private List<LiveFile> liveFiles;
    private long filesWritten;
    private long bytesWritten;
    /** {@link System#nanoTime()} when the last commit file was written, before the post-commit work. */
    private long landedNanos;
    /** Runs when a commit file has landed, before the post-commit work (checksum, checkpoint). */
    private Runnable onLanded = () -> { };

    private DeltaTableGenerator(Engine engine, GeneratorSpec spec, String tablePath, List<LiveFile> liveFiles) {
        this.engine = engine;
        this.spec = spec;
        this.schema = spec.schema();
        this.changeSchema = schema.add(CHANGE_TYPE_COLUMN, StringType.STRING, true);
        this.tablePath = tablePath;
        this.liveFiles = liveFiles;
    }

    /** Writes version 0 and {@code spec.commits()} further commits into the new table directory {@code out}. */
    public static GenerationSummary generate(GeneratorSpec spec, Path out) throws IOException {
        long start = System.nanoTime();
        if (Files.exists(out.resolve("_delta_log"))) {
            throw new IllegalArgumentException(out + " already holds a Delta table");
        }
        Files.createDirectories(out);
        DeltaTableGenerator generator = new DeltaTableGenerator(newEngine(), spec, tablePath(out), new ArrayList<>());
        Snapshot snapshot = generator.createTable();
        KeyLedger ledger = new KeyLedger(spec, false);
        for (int c = 0; c < spec.commits(); c++) {
            CommitPlan plan = ledger.planNext();
            snapshot = generator.commit(snapshot, plan).snapshot();
            ledger.apply(plan);
        }
        return new GenerationSummary(snapshot.getVersion(), generator.liveRows(), generator.liveFiles.size(),
                generator.filesWritten, generator.bytesWritten, System.nanoTime() - start);
    }

    /**
     * Adds exactly one commit, {@code spec.plan(latest + 1)}, to a table written by {@link #generate}, reading the spec
     * from the table's properties and the file list from the latest snapshot. Safe to run while readers tail the table.
     *
     * @throws IllegalArgumentException if the table was not written by this generator
     * @throws IllegalStateException    if the table no longer matches its spec, or another writer committed first
     */
    public static CommitSummary appendCommit(Path table) throws IOException {
        return appendCommit(table, () -> { });
    }

    /**
     * {@link #appendCommit(Path)}, running {@code landed} as soon as the commit file has landed and before the commit's
     * post-commit work (its checksum, and a checkpoint at the interval): a harness that times a follower on the same
     * machine waits there, so that the writer's own work, which Databricks does elsewhere, does not compete with it.
     */
    public static CommitSummary appendCommit(Path table, Runnable landed) throws IOException {
        Engine engine = newEngine();
        String path = tablePath(table);
        Snapshot snapshot = TableManager.loadSnapshot(path).build(engine);
        String property = snapshot.getTableProperties().get(GeneratorSpec.SPEC_PROPERTY);
        if (property == null) {
            throw new IllegalArgumentException(table + " has no " + GeneratorSpec.SPEC_PROPERTY
                    + " property; it was not written by " + DeltaTableGenerator.class.getSimpleName());
        }
        GeneratorSpec spec = GeneratorSpec.fromProperty(property).withChangeDataFeed(
                Boolean.parseBoolean(snapshot.getTableProperties().get(GeneratorSpec.CHANGE_DATA_FEED_PROPERTY)));
        if (!snapshot.getSchema().equals(spec.schema())) {
            throw new IllegalStateException(table + " schema " + snapshot.getSchema() + " differs from its spec");
        }
        KeyLedger ledger = new KeyLedger(spec, false);
        while (ledger.version() < snapshot.getVersion()) {
            ledger.apply(ledger.planNext());
        }
        DeltaTableGenerator generator = new DeltaTableGenerator(engine, spec, path, scanLiveFiles(engine, snapshot));
        generator.onLanded = landed;
        if (generator.liveRows() != ledger.liveCount()) {
            throw new IllegalStateException(table + " holds " + generator.liveRows() + " rows at version "
                    + snapshot.getVersion() + " but its spec expects " + ledger.liveCount());
        }
        return generator.commit(snapshot, ledger.planNext()).summary();
    }

    private Snapshot createTable() throws IOException {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put(GeneratorSpec.SPEC_PROPERTY, spec.toProperty());
        if (spec.changeDataFeed()) {
            properties.put(GeneratorSpec.CHANGE_DATA_FEED_PROPERTY, "true");
        }
        Transaction txn = TableManager.buildCreateTableTransaction(tablePath, schema, ENGINE_INFO)
                .withTableProperties(properties)
                .withMaxRetries(0)
                .build(engine);
        Row txnState = txn.getTransactionState(engine);
        List<Callable<LiveFile>> writes = new ArrayList<>();
        for (long first = 0; first < spec.rows(); first += spec.rowsPerFile()) {
            long from = first;
            int count = (int) Math.min(spec.rowsPerFile(), spec.rows() - first);
            writes.add(() -> writeNewKeys(txnState, from, count, 0));
        }
        List<Row> actions = new ArrayList<>();
        for (LiveFile file : inParallel(writes)) {
            actions.add(added(file));
            liveFiles.add(file);
        }
        return commit(txn, actions, 0);
    }

    /** Commits {@code plan} on top of {@code snapshot}, whose data files are {@link #liveFiles}. */
    private Committed commit(Snapshot snapshot, CommitPlan plan) throws IOException {
        // No retries: the plan was drawn for this exact version, so losing a race must fail rather than land later.
        Transaction txn = snapshot.buildUpdateTableTransaction(ENGINE_INFO, Operation.WRITE)
                .withMaxRetries(0)
                .build(engine);
        Row txnState = txn.getTransactionState(engine);
        List<LiveFile> next = new ArrayList<>(liveFiles.size() + 2);
        List<Callable<Rewrite>> writes = new ArrayList<>();
        for (LiveFile file : liveFiles) {
            if (plan.touchesRange(file.minKey(), file.maxKey())) {
                writes.add(() -> rewrite(txnState, file, plan));
            } else {
                next.add(file);
            }
        }
        long end = plan.firstInsertedKey() + plan.insertedCount();
        for (long first = plan.firstInsertedKey(); first < end; first += spec.rowsPerFile()) {
            long from = first;
            int count = (int) Math.min(spec.rowsPerFile(), end - first);
            writes.add(() -> insert(txnState, from, count, plan.version()));
        }
        long now = System.currentTimeMillis();
        List<Row> actions = new ArrayList<>();
        List<Row> changeActions = new ArrayList<>();
        List<Row> removeActions = new ArrayList<>();
        long deleted = 0;
        long updated = 0;
        int removedFiles = 0;
        int addedFiles = 0;
        for (Rewrite write : inParallel(writes)) {
            deleted += write.deleted();
            updated += write.updated();
            if (write.source() != null && write.deleted() + write.updated() == 0) {
                // The range overlapped but no key was in the file: keep it and drop the identical copy.
                if (write.written().isPresent()) {
                    engine.getFileSystemClient().delete(write.written().get().status().getPath());
                }
                next.add(write.source());
                continue;
            }
            if (write.source() != null) {
                removeActions.add(SingleAction.createRemoveFileSingleAction(
                        new AddFile(write.source().add()).toRemoveFileRow(true, Optional.of(now))));
                removedFiles++;
            }
            if (write.written().isPresent()) {
                actions.add(added(write.written().get()));
                next.add(write.written().get());
                addedFiles++;
            }
            if (write.changes().isPresent()) {
                changeActions.add(cdcAction(write.changes().get()));
            }
        }
        if (deleted != plan.deletedKeys().length || updated != plan.updatedKeys().length) {
            throw new IllegalStateException("version " + snapshot.getVersion() + " lacks keys its spec says are live: "
                    + "found " + deleted + " of " + plan.deletedKeys().length + " deleted and " + updated + " of "
                    + plan.updatedKeys().length + " updated keys");
        }
        // Delta Spark's order: data files, then change files, then removes.
        actions.addAll(changeActions);
        actions.addAll(removeActions);
        Snapshot committed;
        if (spec.changeDataFeed()) {
            Map<String, String> metrics = new LinkedHashMap<>();
            metrics.put("numTargetRowsDeleted", Long.toString(deleted));
            metrics.put("numTargetRowsUpdated", Long.toString(updated));
            metrics.put("numTargetRowsInserted", Long.toString(plan.insertedCount()));
            metrics.put("numTargetFilesAdded", Integer.toString(addedFiles));
            metrics.put("numTargetFilesRemoved", Integer.toString(removedFiles));
            metrics.put("numTargetChangeFilesAdded", Integer.toString(changeActions.size()));
            committed = commitWithChangeFiles(actions, plan.version(), now, metrics);
        } else {
            committed = commit(txn, actions, plan.version());
        }
        liveFiles = next;
        return new Committed(committed, new CommitSummary(plan.version(), plan.deletedKeys().length,
                plan.updatedKeys().length, plan.insertedCount(), removedFiles, addedFiles, changeActions.size(),
                liveRows(), landedNanos));
    }

    private Snapshot commit(Transaction txn, List<Row> actions, long expectedVersion) throws IOException {
        TransactionCommitResult result = txn.commit(engine,
                CloseableIterable.inMemoryIterable(toCloseableIterator(actions.iterator())));
        landedNanos = System.nanoTime();
        onLanded.run();
        if (result.getVersion() != expectedVersion) {
            throw new IllegalStateException("committed version " + result.getVersion() + ", planned "
                    + expectedVersion);
        }
        // Hooks write checkpoints and checksums, so generated tables exercise readers the way real tables do.
        for (PostCommitHook hook : result.getPostCommitHooks()) {
            hook.threadSafeInvoke(engine);
        }
        return result.getPostCommitSnapshot()
                .orElseGet(() -> TableManager.loadSnapshot(tablePath).atVersion(expectedVersion).build(engine));
    }

    /**
     * Writes version {@code version} as a JSON commit file holding a MERGE commitInfo and {@code actions}, failing if
     * that version exists (another writer won), then the checksum and, at the checkpoint interval, the checkpoint.
     */
    private Snapshot commitWithChangeFiles(List<Row> actions, long version, long timestamp,
                                           Map<String, String> metrics) throws IOException {
        CommitInfo info = new CommitInfo(Optional.empty(), timestamp, Optional.of(ENGINE_INFO), Optional.of("MERGE"),
                Map.of(), Optional.of(false), Optional.of(UUID.randomUUID().toString()), metrics);
        List<Row> rows = new ArrayList<>(actions.size() + 1);
        rows.add(SingleAction.createCommitInfoSingleAction(info.toRow()));
        rows.addAll(actions);
        String commitFile = String.format("%s/_delta_log/%020d.json", tablePath, version);
        try {
            engine.getJsonHandler().writeJsonFileAtomically(commitFile, toCloseableIterator(rows.iterator()), false);
            landedNanos = System.nanoTime();
        } catch (FileAlreadyExistsException e) {
            throw new IllegalStateException("version " + version + " of " + tablePath
                    + " was committed by another writer first", e);
        }
        onLanded.run();
        Snapshot committed = TableManager.loadSnapshot(tablePath).atVersion(version).build(engine);
        committed.writeChecksum(engine, Snapshot.ChecksumWriteMode.FULL);
        if (version % TableConfig.CHECKPOINT_INTERVAL.fromMetadata(committed.getMetadata()) == 0) {
            committed.writeCheckpoint(engine);
        }
        return committed;
    }

    private static Row cdcAction(ChangeFile file) {
        Map<Integer, Object> fields = new HashMap<>();
        fields.put(0, file.path());
        fields.put(1, VectorUtils.stringStringMapValue(Map.of()));
        fields.put(2, file.size());
        fields.put(3, false);
        return new GenericRow(CDC_ACTION, Map.of(0, new GenericRow(CDC_FILE, fields)));
    }

    private Row added(LiveFile file) {
        filesWritten++;
        bytesWritten += file.status().getSize();
        return SingleAction.createAddFileSingleAction(file.add());
    }

    /**
     * Runs independent file writes on all cores: Parquet encoding is single-threaded per file and dominates the
     * generator's time. Results come back in task order.
     */
    private static <T> List<T> inParallel(List<Callable<T>> tasks) throws IOException {
        int threads = Math.min(tasks.size(), Runtime.getRuntime().availableProcessors());
        List<T> results = new ArrayList<>(tasks.size());
        if (threads <= 1) {
            for (Callable<T> task : tasks) {
                results.add(call(task));
            }
            return results;
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads, runnable -> {
            Thread thread = new Thread(runnable, "larder-generator");
            thread.setDaemon(true);
            return thread;
        });
        try {
            for (Future<T> future : pool.invokeAll(tasks)) {
                results.add(future.get());
            }
            return results;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while writing data files");
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private static <T> T call(Callable<T> task) throws IOException {
        try {
            return task.call();
        } catch (Exception e) {
            throw rethrow(e);
        }
    }

    private static IOException rethrow(Throwable failure) {
        if (failure instanceof IOException io) {
            return io;
        }
        if (failure instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (failure instanceof Error error) {
            throw error;
        }
        return new IOException(failure);
    }

    private LiveFile writeNewKeys(Row txnState, long firstKey, int count, long version) throws IOException {
        return writeFile(txnState, newKeys(firstKey, count, version, false)).orElseThrow();
    }

    /** Writes new keys as a data file and, on a CDF table, again as a cdc file of {@code insert} rows. */
    private Rewrite insert(Row txnState, long firstKey, int count, long version) throws IOException {
        LiveFile written = writeNewKeys(txnState, firstKey, count, version);
        Optional<ChangeFile> changes = spec.changeDataFeed()
                ? Optional.of(writeChangeFile(newKeys(firstKey, count, version, true)))
                : Optional.empty();
        return new Rewrite(null, Optional.of(written), 0, 0, changes);
    }

    /** Batches of keys {@code [firstKey, firstKey + count)} as of {@code version}, as insert change rows if asked. */
    private CloseableIterator<FilteredColumnarBatch> newKeys(long firstKey, int count, long version,
                                                             boolean asInserts) {
        return toCloseableIterator(new Iterator<>() {
            private long next = firstKey;
            private final long end = firstKey + count;

            @Override
            public boolean hasNext() {
                return next < end;
            }

            @Override
            public FilteredColumnarBatch next() {
                if (next >= end) {
                    throw new NoSuchElementException();
                }
                int size = (int) Math.min(BATCH_ROWS, end - next);
                ColumnarBatch batch = Vectors.computed(spec, schema, next, size, version);
                next += size;
                return new FilteredColumnarBatch(asInserts
                        ? Vectors.withChangeType(batch, changeSchema, ChangeType.INSERT) : batch, Optional.empty());
            }
        });
    }

    /**
     * Copies {@code file} without the plan's deleted keys and with its updated keys' new values; on a CDF table also
     * writes the rows it changed to a cdc file.
     */
    private Rewrite rewrite(Row txnState, LiveFile file, CommitPlan plan) throws IOException {
        Counts counts = new Counts();
        ChangeRows changes = spec.changeDataFeed() ? new ChangeRows(schema) : null;
        CloseableIterator<FileReadResult> read = engine.getParquetHandler()
                .readParquetFiles(singletonCloseableIterator(file.status()), schema, Optional.empty());
        Optional<LiveFile> written = writeFile(txnState,
                read.map(result -> patch(result.getData(), plan, counts, changes)));
        Optional<ChangeFile> changeFile = changes == null || changes.isEmpty() ? Optional.empty()
                : Optional.of(writeChangeFile(singletonCloseableIterator(
                        new FilteredColumnarBatch(changes.batch(changeSchema), Optional.empty()))));
        return new Rewrite(file, written, counts.deleted, counts.updated, changeFile);
    }

    private FilteredColumnarBatch patch(ColumnarBatch batch, CommitPlan plan, Counts counts, ChangeRows changes) {
        int size = batch.getSize();
        ColumnVector keys = batch.getColumnVector(0);
        boolean[] keep = null;
        int[] slots = null;
        for (int row = 0; row < size; row++) {
            long key = keys.getLong(row);
            if (plan.isDeleted(key)) {
                if (keep == null) {
                    keep = new boolean[size];
                    Arrays.fill(keep, true);
                }
                keep[row] = false;
                counts.deleted++;
                continue;
            }
            int slot = plan.updatedIndex(key);
            if (slot >= 0) {
                if (slots == null) {
                    slots = new int[size];
                    Arrays.fill(slots, -1);
                }
                slots[row] = slot;
                counts.updated++;
            }
        }
        ColumnarBatch data = slots == null ? batch : Vectors.patched(spec, batch, plan, slots);
        if (changes != null && (keep != null || slots != null)) {
            for (int row = 0; row < size; row++) {
                if (keep != null && !keep[row]) {
                    changes.add(batch, row, ChangeType.DELETE);
                } else if (slots != null && slots[row] >= 0) {
                    changes.add(batch, row, ChangeType.UPDATE_PREIMAGE);
                    changes.add(data, row, ChangeType.UPDATE_POSTIMAGE);
                }
            }
        }
        return new FilteredColumnarBatch(data, keep == null ? Optional.empty() : Optional.of(Vectors.selection(keep)));
    }

    /** Writes the batches as one data file; empty, and no file left behind, when every row was filtered out. */
    private Optional<LiveFile> writeFile(Row txnState, CloseableIterator<FilteredColumnarBatch> logicalData)
            throws IOException {
        Map<String, Literal> noPartition = Map.of();
        DataWriteContext context = Transaction.getWriteContext(engine, txnState, noPartition);
        CloseableIterator<FilteredColumnarBatch> physical =
                Transaction.transformLogicalData(engine, txnState, logicalData, noPartition);
        List<DataFileStatus> written;
        try (CloseableIterator<DataFileStatus> files = engine.getParquetHandler()
                .writeParquetFiles(context.getTargetDirectory(), physical, context.getStatisticsColumns())) {
            written = files.toInMemoryList();
        }
        if (written.isEmpty()) {
            return Optional.empty();
        }
        if (written.size() != 1) {
            throw new IllegalStateException("Kernel split one file into " + written.size() + "; see newEngine()");
        }
        DataFileStatus status = written.get(0);
        if (status.getStatistics().map(stats -> stats.getNumRecords() == 0).orElse(false)) {
            // Every row was filtered out (a commit deleted all of a file's keys): Kernel still wrote an empty file.
            engine.getFileSystemClient().delete(status.getPath());
            return Optional.empty();
        }
        Row add;
        try (CloseableIterator<Row> actions =
                     Transaction.generateAppendActions(engine, txnState, singletonCloseableIterator(status), context)) {
            add = actions.next().getStruct(SingleAction.ADD_FILE_ORDINAL);
        }
        return Optional.of(LiveFile.of(status, add, status.getStatistics()));
    }

    /** Writes change rows (in {@link #changeSchema}) as one Parquet file under {@code _change_data/}. */
    private ChangeFile writeChangeFile(CloseableIterator<FilteredColumnarBatch> rows) throws IOException {
        List<DataFileStatus> written;
        try (CloseableIterator<DataFileStatus> files = engine.getParquetHandler()
                .writeParquetFiles(tablePath + "/" + CHANGE_DATA_DIR, rows, List.of())) {
            written = files.toInMemoryList();
        }
        if (written.size() != 1) {
            throw new IllegalStateException("Kernel wrote " + written.size() + " change files for one task;"
                    + " see newEngine()");
        }
        String path = written.get(0).getPath();
        return new ChangeFile(CHANGE_DATA_DIR + "/" + path.substring(path.lastIndexOf('/') + 1),
                written.get(0).getSize());
    }

    private long liveRows() {
        long rows = 0;
        for (LiveFile file : liveFiles) {
            rows += file.rows();
        }
        return rows;
    }

    private static List<LiveFile> scanLiveFiles(Engine engine, Snapshot snapshot) throws IOException {
        StructType schema = snapshot.getSchema();
        List<LiveFile> files = new ArrayList<>();
        Scan scan = snapshot.getScanBuilder().build();
        try (CloseableIterator<FilteredColumnarBatch> batches = scan.getScanFiles(engine, true)) {
            while (batches.hasNext()) {
                try (CloseableIterator<Row> rows = batches.next().getRows()) {
                    while (rows.hasNext()) {
                        Row scanFile = rows.next();
                        Row add = scanFile.getStruct(InternalScanFileUtils.ADD_FILE_ORDINAL);
                        files.add(LiveFile.of(InternalScanFileUtils.getAddFileStatus(scanFile), add,
                                new AddFile(add).getStats(schema)));
                    }
                }
            }
        }
        return files;
    }

    /**
     * Kernel's default engine, except that its Parquet writer never splits a file: the generator decides file
     * boundaries itself (one {@code writeParquetFiles} call per file) so it knows which keys each file holds. Snappy,
     * as Spark writes it, instead of parquet-mr's uncompressed default.
     */
    private static Engine newEngine() {
        Configuration conf = new Configuration();
        conf.set("delta.kernel.default.parquet.writer.targetMaxFileSize", Long.toString(Long.MAX_VALUE));
        conf.set("parquet.compression", "SNAPPY");
        return DefaultEngine.create(conf);
    }

    private static String tablePath(Path table) {
        String uri = table.toAbsolutePath().normalize().toUri().toString();
        return uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri;
    }

    /** A data file of the current snapshot: its add action and the key range and row count from its statistics. */
    private record LiveFile(FileStatus status, Row add, long minKey, long maxKey, long rows) {
        static LiveFile of(FileStatus status, Row add, Optional<DataFileStatistics> statistics) {
            DataFileStatistics stats = statistics.orElseThrow(() -> new IllegalStateException(
                    status.getPath() + " has no statistics; the generator needs entity_id min/max and numRecords"));
            Literal min = stats.getMinValues().get(KEY);
            Literal max = stats.getMaxValues().get(KEY);
            if (min == null || max == null) {
                throw new IllegalStateException(status.getPath() + " has no entity_id min/max statistics");
            }
            return new LiveFile(status, add, (Long) min.getValue(), (Long) max.getValue(), stats.getNumRecords());
        }
    }

    /**
     * One file write of a commit: a rewrite of {@code source} (null for new keys), what it found there, and on a CDF
     * table the cdc file of the rows it changed.
     */
    private record Rewrite(LiveFile source, Optional<LiveFile> written, long deleted, long updated,
                           Optional<ChangeFile> changes) {
    }

    /** A file under {@code _change_data/}: its path relative to the table root, and its size. */
    private record ChangeFile(String path, long size) {
    }

    /** The {@code _change_type} values of the Delta protocol. */
    private static final class ChangeType {
        static final String INSERT = "insert";
        static final String DELETE = "delete";
        static final String UPDATE_PREIMAGE = "update_preimage";
        static final String UPDATE_POSTIMAGE = "update_postimage";

        private ChangeType() {
        }
    }

    private record Committed(Snapshot snapshot, CommitSummary summary) {
    }

    private static final class Counts {
        long deleted;
        long updated;
    }
}
