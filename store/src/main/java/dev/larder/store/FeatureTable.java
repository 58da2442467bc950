package dev.larder.store;

import dev.larder.store.engine.HeapDescriptor;
import dev.larder.store.engine.HeapFiles;
import dev.larder.store.engine.IndexDescriptor;
import dev.larder.store.engine.IndexFiles;
import dev.larder.store.engine.MappedFiles;
import dev.larder.store.engine.RowFiles;
import dev.larder.store.engine.RowLayoutDescriptor;
import dev.larder.store.engine.StateDescriptor;
import dev.larder.store.engine.TableView;
import dev.larder.store.engine.UndoLog;
import dev.larder.store.engine.UndoLogDescriptor;
import dev.larder.store.internal.StoreInternals;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.InstantSource;

/**
 * A memory-mapped feature table: any number of reader threads ({@link #newReader()}, one reader object per thread) and
 * exactly one writer ({@link #writer()}, used by one thread at a time). Readers never lock and never allocate on
 * lookups.
 *
 * <p>Files in the table directory: {@code table.properties} ({@link TableMetadata}), {@code state.dat}
 * ({@link StateDescriptor}), {@code rows.dat} (row slots, {@link RowLayoutDescriptor}), {@code index-N.dat}
 * ({@link IndexDescriptor}), {@code heap.dat} (long values, {@link HeapDescriptor}), {@code undo.dat} (changes of the
 * version not yet published, {@link UndoLogDescriptor}) and {@code writer.lock}, held while the table is open so that a
 * second process cannot write it.
 *
 * <p>Integrity: a clean close stores the index file's CRC32C in state.dat and opening checks it (12 ms for the 32 MB
 * index of 2M rows, ReopenBenchmark), so damage done while the table was closed is refused at open, naming the file; an
 * unclean close is followed by recovery, which validates every index entry against its row. Every live row carries a
 * checksum that the writer maintains; {@link #scrub()} (and recovery) count rows that fail it, without a cost on the
 * lookup path of {@link #newReader()}; {@link #newCheckedReader()} refuses a damaged row at the lookup, for a few
 * nanoseconds more.
 *
 * <p>Read-only: {@link FeatureStore#openReadOnly} opens a table for reading from another process while its writer
 * runs (see {@link #isReadOnly()}).
 */
public final class FeatureTable implements AutoCloseable {
    /** Fewest row slots a table's file holds, and the least it grows by. */
    static final long MIN_ROWS = 16;
    /**
     * Attempts of a read-only open to map a settled index: the writer of another process may switch index generations
     * while it reads state.dat (about a microsecond between the stores, then the old file is deleted).
     */
    private static final int READ_ONLY_OPEN_ATTEMPTS = 100;
    /**
     * Attempts of {@link #readConsistently} on a read-only table: each one follows the files to the layout the writer
     * published last, and they grow geometrically, so more than a few in a row means a writer far faster than the read.
     */
    private static final int CONSISTENT_READ_ATTEMPTS = 20;

    private static final java.lang.invoke.VarHandle APPLYING;

    static {
        StoreInternals.setWriterAccess(FeatureTable::writer);
        try {
            APPLYING = java.lang.invoke.MethodHandles.lookup().findVarHandle(FeatureTable.class, "applyingVersion",
                    long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final String name;
    private final Path dir;
    private final RowLayoutDescriptor layout;
    private final InstantSource clock;
    final long ttlMillis;
    private final FileChannel lockChannel;
    private final FileLock lock;
    final FileChannel rowsChannel;
    final FileChannel heapChannel;
    final MappedByteBuffer state;
    private final MappedTableWriter writer;
    private final UndoLog undo;
    private volatile long applyingVersion = -1;
    private volatile long damagedRows;
    private final long rolledBackOnOpen;
    private volatile TableView view;
    private volatile Lineage lineage;
    private volatile TableMetadata metadata;
    private volatile boolean closed;
    /** Written by the writer thread only (so the increment is no race), read by any thread. */
    private volatile long olderEventsSkipped;
    private final boolean recovered;
    private final boolean readOnly;
    private final ReadMetrics readMetrics = new ReadMetrics();

    private FeatureTable(String name, Path dir, TableMetadata metadata, InstantSource clock, long initialRows,
            boolean create) {
        this.name = name;
        this.dir = dir;
        this.metadata = metadata;
        this.lineage = metadata.lineage();
        this.layout = new RowLayoutDescriptor(metadata.schema());
        this.clock = clock;
        this.ttlMillis = metadata.ttl().toMillis();
        this.readOnly = false;
        FileChannel lockCh = null;
        FileChannel rowsCh = null;
        FileChannel heapCh = null;
        UndoLog undoLog = null;
        try {
            Path lockPath = dir.resolve(StoreFiles.WRITER_LOCK);
            try {
                lockCh = FileChannel.open(lockPath, java.util.Set.of(StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE, java.nio.file.LinkOption.NOFOLLOW_LINKS),
                        MappedFiles.ownerOnlyFile());
            } catch (IOException e) {
                MappedFiles.refuseLink(lockPath);
                throw e;
            }
            FileLock l;
            try {
                l = lockCh.tryLock();
            } catch (OverlappingFileLockException e) {
                l = null;
            }
            if (l == null) {
                throw new StoreException("table " + name + " at " + dir
                        + " is already open (by this or another process)");
            }
            this.lock = l;
            this.lockChannel = lockCh;
            if (create) {
                removeCreateLeftovers();
            }
            Path statePath = dir.resolve(StateDescriptor.FILE);
            Path rowsPath = dir.resolve(RowLayoutDescriptor.FILE);
            try (FileChannel stateCh = MappedFiles.openReadWrite(statePath, create)) {
                if (create) {
                    stateCh.write(java.nio.ByteBuffer.allocate(StateDescriptor.SIZE));
                } else {
                    StateDescriptor.checkSize(statePath, stateCh.size());
                }
                this.state = MappedFiles.map(stateCh, 0, StateDescriptor.SIZE);
                state.order(ByteOrder.LITTLE_ENDIAN);
            }
            rowsCh = MappedFiles.openReadWrite(rowsPath, create);
            this.rowsChannel = rowsCh;
            Path heapPath = dir.resolve(HeapDescriptor.FILE);
            heapCh = MappedFiles.openReadWrite(heapPath, create);
            this.heapChannel = heapCh;
            int shift = RowFiles.chunkShift(layout.rowSize());
            if (create) {
                long rows = Math.max(MIN_ROWS, initialRows);
                long slots = IndexDescriptor.indexSlotsFor(rows);
                state.putLong(StateDescriptor.MAGIC_OFFSET, StateDescriptor.MAGIC);
                state.putInt(StateDescriptor.FORMAT, StateDescriptor.FORMAT_VERSION);
                state.putInt(StateDescriptor.ROW_SIZE, layout.rowSize());
                state.putLong(StateDescriptor.ROW_CAPACITY, 0);
                state.putLong(StateDescriptor.HIGH_WATER, 0);
                state.putLong(StateDescriptor.FREE_HEAD, -1);
                state.putLong(StateDescriptor.LIVE_ROWS, 0);
                state.putLong(StateDescriptor.INDEX_USED, 0);
                state.putLong(StateDescriptor.PUBLISHED_VERSION, -1);
                MappedByteBuffer[] index = IndexFiles.create(dir, 0, slots);
                state.putLong(StateDescriptor.INDEX_SLOTS, slots);
                state.putLong(StateDescriptor.INDEX_GENERATION, 0);
                this.view = new TableView(new MappedByteBuffer[0], shift, 0, layout.rowSize(), index, slots, 0,
                        new MappedByteBuffer[0], 0);
                this.view = view.withRows(mapRows(growRowsFile(rows), rows), rows);
                state.putLong(StateDescriptor.ROW_CAPACITY, rows);
                metadata.write(dir);
            } else {
                validateState(statePath, rowsPath, heapPath);
                long rows = state.getLong(StateDescriptor.ROW_CAPACITY);
                long slots = state.getLong(StateDescriptor.INDEX_SLOTS);
                long gen = state.getLong(StateDescriptor.INDEX_GENERATION);
                long heap = state.getLong(StateDescriptor.HEAP_CAPACITY);
                MappedByteBuffer[] index = IndexFiles.open(dir, gen, slots);
                this.view = new TableView(mapRows(rowsCh, rows), shift, rows, layout.rowSize(), index, slots, gen,
                        mapHeap(heap), heap);
                IndexFiles.removeAllBut(dir, gen);
            }
            // After state.dat is validated, so a damaged one is reported as such rather than as bad undo counters.
            undoLog = new UndoLog(dir.resolve(UndoLogDescriptor.FILE), state, create);
            this.undo = undoLog;
            boolean wasOpen = state.getInt(StateDescriptor.OPEN_FOR_WRITE) != 0;
            Path indexPath = dir.resolve(IndexDescriptor.fileName(view.indexGeneration));
            if (!create && !wasOpen && state.getInt(StateDescriptor.INDEX_CRC_VALID) != 0) {
                IndexDescriptor.checkChecksum(indexPath, IndexDescriptor.checksum(view.indexChunks),
                        state.getInt(StateDescriptor.INDEX_CRC));
            }
            this.writer = new MappedTableWriter(this, layout, undoLog);
            this.recovered = !create && (wasOpen || !undoLog.isEmpty());
            // The metadata holds the last synced watermark; a kill -9 after later versions were published (state.dat
            // survives a process crash) reopens at the last published one instead.
            long published = state.getLong(StateDescriptor.PUBLISHED_VERSION);
            if (recovered && published > metadata.lineage().version()) {
                this.lineage = metadata.lineage().withVersion(published, state.getLong(StateDescriptor.PUBLISHED_TS));
            }
            this.rolledBackOnOpen = recovered ? writer.recover(indexPath, rowsPath, lineage.version()) : 0;
            state.putInt(StateDescriptor.INDEX_CRC_VALID, 0);
            state.putInt(StateDescriptor.OPEN_FOR_WRITE, 1);
        } catch (IOException e) {
            closeQuietly(undoLog);
            closeQuietly(heapCh);
            closeQuietly(rowsCh);
            closeQuietly(lockCh);
            throw new StoreException("cannot open table " + name + " at " + dir + ": " + StoreFiles.describe(e), e);
        } catch (RuntimeException e) {
            closeQuietly(undoLog);
            closeQuietly(heapCh);
            closeQuietly(rowsCh);
            closeQuietly(lockCh);
            throw e;
        }
    }

    /**
     * Opens a table read-only (see {@link #openReadOnly}): maps its files read-only, takes no lock, recovers nothing
     * and writes nothing.
     */
    private FeatureTable(String name, Path dir, TableMetadata metadata, InstantSource clock) {
        this.name = name;
        this.dir = dir;
        this.metadata = metadata;
        this.layout = new RowLayoutDescriptor(metadata.schema());
        this.clock = clock;
        this.ttlMillis = metadata.ttl().toMillis();
        this.readOnly = true;
        this.lockChannel = null;
        this.lock = null;
        this.writer = null;
        this.undo = null;
        this.recovered = false;
        this.rolledBackOnOpen = 0;
        FileChannel rowsCh = null;
        FileChannel heapCh = null;
        try {
            Path statePath = dir.resolve(StateDescriptor.FILE);
            Path rowsPath = dir.resolve(RowLayoutDescriptor.FILE);
            Path heapPath = dir.resolve(HeapDescriptor.FILE);
            try (FileChannel stateCh = MappedFiles.openReadOnly(statePath)) {
                StateDescriptor.checkSize(statePath, stateCh.size());
                this.state = MappedFiles.mapReadOnly(stateCh, 0, StateDescriptor.SIZE);
                state.order(ByteOrder.LITTLE_ENDIAN);
            }
            rowsCh = MappedFiles.openReadOnly(rowsPath);
            this.rowsChannel = rowsCh;
            heapCh = MappedFiles.openReadOnly(heapPath);
            this.heapChannel = heapCh;
            validateState(statePath, rowsPath, heapPath);
            this.view = mapPublishedView();
            // A clean close's index checksum holds only while no writer has opened the table since: asked again after.
            if (state.getInt(StateDescriptor.OPEN_FOR_WRITE) == 0
                    && state.getInt(StateDescriptor.INDEX_CRC_VALID) != 0) {
                int actual = IndexDescriptor.checksum(view.indexChunks);
                int recorded = state.getInt(StateDescriptor.INDEX_CRC);
                if (state.getInt(StateDescriptor.OPEN_FOR_WRITE) == 0) {
                    IndexDescriptor.checkChecksum(IndexFiles.path(dir, view.indexGeneration), actual, recorded);
                }
            }
            this.lineage = publishedLineage(metadata.lineage());
        } catch (IOException e) {
            closeQuietly(heapCh);
            closeQuietly(rowsCh);
            throw new StoreException("cannot open table " + name + " at " + dir + " read-only: "
                    + StoreFiles.describe(e), e);
        } catch (RuntimeException e) {
            closeQuietly(heapCh);
            closeQuietly(rowsCh);
            throw e;
        }
    }

    /**
     * Maps the rows, index and heap that state.dat names now. Files never shrink and grow before state.dat counts them
     * (a bulk load's end lowers the rows counted, never the file), so the sizes read are covered; an index generation
     * switched meanwhile (its file deleted, or the new slot count read with the old number) is retried on the new one.
     */
    private TableView mapPublishedView() throws IOException {
        int shift = RowFiles.chunkShift(layout.rowSize());
        for (int attempt = 1; ; attempt++) {
            long gen = (long) TableView.LONG.getAcquire(state, StateDescriptor.INDEX_GENERATION);
            long slots = (long) TableView.LONG.getAcquire(state, StateDescriptor.INDEX_SLOTS);
            try {
                MappedByteBuffer[] index = IndexFiles.openReadOnly(dir, gen, slots);
                if ((long) TableView.LONG.getAcquire(state, StateDescriptor.INDEX_GENERATION) == gen) {
                    long rows = state.getLong(StateDescriptor.ROW_CAPACITY);
                    long heap = state.getLong(StateDescriptor.HEAP_CAPACITY);
                    return new TableView(mapRows(rowsChannel, rows), shift, rows, layout.rowSize(), index, slots, gen,
                            mapHeap(heap), heap);
                }
            } catch (StoreCorruptedException e) {
                if (attempt >= READ_ONLY_OPEN_ATTEMPTS) {
                    throw e;
                }
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
    }

    /**
     * Whether this table is read-only and the writer has since grown rows.dat or heap.dat or switched to a new index
     * file: rows it wrote since may then lie outside what is mapped here. Always false for a writable table, whose
     * writer publishes each new view itself.
     */
    boolean viewOutdated() {
        if (!readOnly) {
            return false;
        }
        TableView v = view;
        return (long) TableView.LONG.getAcquire(state, StateDescriptor.INDEX_GENERATION) != v.indexGeneration
                || state.getLong(StateDescriptor.ROW_CAPACITY) != v.rowCapacity
                || state.getLong(StateDescriptor.HEAP_CAPACITY) != v.heapCapacity;
    }

    /**
     * For a read-only table: maps the files as the writer publishes them now if they grew or its index file changed
     * since this table mapped them (readers move to the new mapping at their next lookup), and takes the newest
     * published {@link #lineage()}. Returns whether it remapped; a writable table is always current (false).
     * {@link #readConsistently} calls it as needed.
     */
    public synchronized boolean refresh() {
        ensureOpen();
        if (!readOnly) {
            return false;
        }
        boolean outdated = viewOutdated();
        if (outdated) {
            try {
                view = mapPublishedView();
            } catch (IOException e) {
                throw new StoreException("cannot map table " + name + " at " + dir + " read-only again: "
                        + StoreFiles.describe(e), e);
            }
        }
        lineage = publishedLineage(metadata.lineage());
        return outdated;
    }

    /**
     * Runs {@code read} (lookups or a {@link TableReader#forEach} scan with this table's readers, building its answer
     * afresh each time it runs) so that its answer holds for one published layout of the files. On a writable table it
     * runs once. On a read-only table, whose mapping stays as it was while another process writes, it first
     * {@link #refresh()}es, then runs again after a refresh whenever the writer grew a file or switched index files
     * meanwhile (the run may have missed rows or met a value beyond the heap mapped); it gives up with a
     * {@link StoreException} after a bounded number of attempts.
     */
    public <T> T readConsistently(java.util.function.Supplier<T> read) {
        if (!readOnly) {
            return read.get();
        }
        for (int attempt = 1; ; attempt++) {
            refresh();
            try {
                T answer = read.get();
                if (!viewOutdated()) {
                    return answer;
                }
            } catch (ViewOutdatedException e) {
                if (attempt >= CONSISTENT_READ_ATTEMPTS) {
                    throw e;
                }
            }
            if (attempt >= CONSISTENT_READ_ATTEMPTS) {
                throw new StoreException("table " + name + " at " + dir + " changed layout under each of "
                        + CONSISTENT_READ_ATTEMPTS + " read-only reads (its writer grew the files or switched index "
                        + "files every time); try again");
            }
        }
    }

    /**
     * What a reader of a read-only table throws for a row that refers to heap.dat beyond what this table mapped: the
     * writer grew the file after the mapping, a race with it; beyond what state.dat says the heap holds, damage.
     */
    StoreException heapBeyondMapping(long offset, int length, RuntimeException cause) {
        if (offset < 0 || offset + length > state.getLong(StateDescriptor.HEAP_CAPACITY)) {
            return new StoreCorruptedException(dir.resolve(HeapDescriptor.FILE), "a row of table " + name
                    + " refers to bytes " + offset + "+" + length + ", beyond the "
                    + state.getLong(StateDescriptor.HEAP_CAPACITY) + " the table holds");
        }
        return new ViewOutdatedException("table " + name + " at " + dir + " (read-only): a value at " + offset + "+"
                + length + " of " + HeapDescriptor.FILE + " lies beyond the " + view.heapCapacity + " bytes mapped; "
                + "its writer grew the file since (refresh() the table, or read through readConsistently)", cause);
    }

    /** A read of a read-only table met data its writer added beyond the files as this table mapped them. */
    static final class ViewOutdatedException extends StoreException {
        private static final long serialVersionUID = 1L;

        ViewOutdatedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * The watermark a reader of this table's files sees: the last version published in state.dat (a writer publishes
     * there at each version; table.properties lags until it syncs), with its commit timestamp.
     */
    private Lineage publishedLineage(Lineage recorded) {
        long version;
        long ts;
        do {
            version = (long) TableView.LONG.getAcquire(state, StateDescriptor.PUBLISHED_VERSION);
            ts = state.getLong(StateDescriptor.PUBLISHED_TS);
        } while ((long) TableView.LONG.getAcquire(state, StateDescriptor.PUBLISHED_VERSION) != version);
        return version > recorded.version() ? recorded.withVersion(version, ts) : recorded;
    }

    static FeatureTable create(String name, Path dir, FeatureSchema schema, TableOptions options, Lineage origin) {
        // Built first: it checks the options (the event-time column) before anything is created.
        TableMetadata md = new TableMetadata(schema, options.ttl(), origin, options.shards(), options.eventTime());
        StoreFiles.createDirectory(dir);
        if (Files.exists(dir.resolve(TableMetadata.FILE))) {
            throw new StoreException("table " + name + " already exists at " + dir);
        }
        return new FeatureTable(name, dir, md, options.clock(), options.initialRows(), true);
    }

    static FeatureTable open(String name, Path dir, InstantSource clock) {
        if (!Files.exists(dir.resolve(TableMetadata.FILE))) {
            throw new StoreException("no table " + name + " at " + dir + " (missing " + TableMetadata.FILE + ")");
        }
        return new FeatureTable(name, dir, TableMetadata.readForRows(dir), clock, 1, false);
    }

    /**
     * Opens a table read-only, beside its writer in this or another process: maps its files read-only, never locks,
     * recovers or writes, and sees what the writer publishes (see {@link FeatureStore#openReadOnly}).
     */
    static FeatureTable openReadOnly(String name, Path dir, InstantSource clock) {
        if (!Files.exists(dir.resolve(TableMetadata.FILE))) {
            throw new StoreException("no table " + name + " at " + dir + " (missing " + TableMetadata.FILE + ")");
        }
        return new FeatureTable(name, dir, TableMetadata.readForRows(dir), clock);
    }

    /** Checks state.dat against its layout, then the rows and heap files against the sizes it records. */
    private void validateState(Path statePath, Path rowsPath, Path heapPath) throws IOException {
        StateDescriptor.check(statePath, state, layout.rowSize());
        RowLayoutDescriptor.checkRowsFile(rowsPath, rowsChannel.size(), state.getLong(StateDescriptor.ROW_CAPACITY),
                layout.rowSize());
        HeapDescriptor.checkHeapFile(heapPath, heapChannel.size(), state.getLong(StateDescriptor.HEAP_CAPACITY));
    }

    /**
     * A create killed before its last step (writing {@code table.properties}, checked absent by {@link #create}) leaves
     * some data files behind; under the writer lock they belong to no one, so they go rather than block every retry.
     */
    private void removeCreateLeftovers() throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "{" + StateDescriptor.FILE + ","
                + RowLayoutDescriptor.FILE + "," + HeapDescriptor.FILE + "," + UndoLogDescriptor.FILE + ","
                + IndexDescriptor.FILE_GLOB + "," + TableMetadata.FILE + ".tmp}")) {
            for (Path p : ds) {
                Files.delete(p);
            }
        }
    }

    /** Extends rows.dat to hold {@code rows} slots; returns the channel for mapping. */
    FileChannel growRowsFile(long rows) throws IOException {
        MappedFiles.reserve(rowsChannel, rows * layout.rowSize(), dir.resolve(RowLayoutDescriptor.FILE));
        return rowsChannel;
    }

    /** Maps the first {@code rows} slots of rows.dat open at {@code ch}, reusing the published view's chunks. */
    MappedByteBuffer[] mapRows(FileChannel ch, long rows) throws IOException {
        TableView current = view;
        return RowFiles.map(ch, rows, layout.rowSize(), current == null ? null : current.rowChunks, !readOnly);
    }

    /** Extends heap.dat to {@code capacity} bytes and maps it; the writer publishes the result in a new view. */
    MappedByteBuffer[] growHeap(long capacity) throws IOException {
        MappedFiles.reserve(heapChannel, capacity, dir.resolve(HeapDescriptor.FILE));
        return mapHeap(capacity);
    }

    private MappedByteBuffer[] mapHeap(long capacity) throws IOException {
        TableView current = view;
        return HeapFiles.map(heapChannel, capacity, current == null ? null : current.heapChunks, !readOnly);
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception ignored) {
                // Already failing; the first error is the one to report.
            }
        }
    }

    /** Publishes a new view; called by the writer thread only. */
    void publish(TableView v) {
        view = v;
    }

    TableView view() {
        return view;
    }

    void publishLineage(Lineage l) {
        lineage = l;
    }

    void publishMetadata(TableMetadata m) {
        metadata = m;
    }

    TableMetadata metadata() {
        return metadata;
    }

    long nowMillis() {
        return clock.millis();
    }

    Path directory() {
        return dir;
    }

    public String name() {
        return name;
    }

    /** The key shards this table holds (fixed at creation). */
    public ShardSpec shards() {
        return metadata.shards();
    }

    /**
     * {@link #shards()} when the table holds only some shards, so its readers and writers must check a key's shard;
     * null when it holds every key and no check is needed.
     */
    public ShardSpec shardFilter() {
        return metadata.shards().ownsAll() ? null : metadata.shards();
    }

    public FeatureSchema schema() {
        return layout.schema();
    }

    RowLayoutDescriptor layout() {
        return layout;
    }

    /** Bytes a row takes in the row file (its fixed-width part; long strings and binaries live in the heap file). */
    public int rowSize() {
        return layout.rowSize();
    }

    public Duration ttl() {
        return Duration.ofMillis(ttlMillis);
    }

    /**
     * The index of the column whose value orders changes to a key ({@link TableOptions#eventTime()}), or -1 when
     * changes apply in version order.
     */
    public int eventTimeColumn() {
        String c = metadata.eventTime();
        return c.isEmpty() ? -1 : layout.schema().indexOf(c);
    }

    /**
     * Upserts and deletes this generation's writer skipped since it opened because the key's stored row had a newer
     * event time (see {@link TableOptions#eventTime()}); 0 for a table without an event-time column. Any thread.
     */
    public long olderEventsSkipped() {
        return olderEventsSkipped;
    }

    /** Counts one change skipped for its older event time; the writer thread only. */
    void skippedOlderEvent() {
        olderEventsSkipped++;
    }

    /** What the table reflects: the last watermark published by the writer. Safe from any thread, allocation-free. */
    public Lineage lineage() {
        return lineage;
    }

    /** The version whose changes the writer is applying now, or -1 between versions (a volatile read). */
    public long applyingVersion() {
        return applyingVersion;
    }

    /**
     * A release store, not a volatile one: status readers poll this, and the full fence of a volatile store would make
     * the writer wait, at every version, for the stores of the rows it just wrote to drain.
     */
    void publishApplying(long version) {
        APPLYING.setRelease(this, version);
    }

    /** Changes of the version a crash cut short that opening took back (0 after a clean close). */
    public long rolledBackOnOpen() {
        return rolledBackOnOpen;
    }

    /** Live rows that failed their checksum at the last {@link #scrub()} or recovery; 0 until one ran. */
    public long damagedRows() {
        return damagedRows;
    }

    void publishDamagedRows(long n) {
        damagedRows = n;
    }

    /**
     * Checks every live row against its checksum, from any thread, while the writer runs (each row is copied under its
     * seqlock, as a lookup does); updates {@link #damagedRows()}. Sequential over the index, then over the rows it
     * reaches in file order: O(index + rows) time, one bit per row slot of memory.
     */
    public ScrubResult scrub() {
        return scrub(row -> { });
    }

    /**
     * {@link #scrub()}, handing each live row it checked (damaged or not) to {@code eachRow} on this thread, so a pass
     * that needs every row anyway (parity's key sum) costs no second walk of the table. The row is valid during the
     * call.
     */
    public ScrubResult scrub(java.util.function.Consumer<? super RowImage> eachRow) {
        ensureOpen();
        ScrubResult r = new RowScrubber(this, layout).run(eachRow);
        damagedRows = r.damaged();
        return r;
    }

    /** Whether opening found the table not closed cleanly and recovered its structure (never when read-only). */
    public boolean recoveredOnOpen() {
        return recovered;
    }

    /**
     * Whether this table was opened read-only ({@link FeatureStore#openReadOnly}): its files are mapped read-only, it
     * has no writer, and its mapping and {@link #lineage()} are those published when it opened or last
     * {@link #refresh()}ed (rows the writer changes in place are seen as they change, a version's rows one by one as
     * live readers see them; rows it writes beyond the mapping need a refresh, see {@link #readConsistently}).
     */
    public boolean isReadOnly() {
        return readOnly;
    }

    /**
     * Whether the files say a writer has the table open now, or had it when its process died (recovery is due):
     * a read-only open cannot tell which, and then reads the files as they are.
     */
    public boolean openForWrite() {
        return state.getInt(StateDescriptor.OPEN_FOR_WRITE) != 0;
    }

    /**
     * Bytes of the row, index and heap files mapped now (they grow with the table, never shrink); one volatile read.
     */
    public long mappedBytes() {
        TableView v = view;
        return v.rowCapacity * v.rowSize + v.indexSlots * Long.BYTES + v.heapCapacity;
    }

    /**
     * This table's off-heap size against the bytes of its values, for memory reports: its files as mapped now, and the
     * payload per row measured over up to {@code sampleRows} live rows. Reads rows as {@link TableReader#forEach}
     * does: beside a writer, the figures of a read-only table are approximate.
     */
    public MemoryUse memoryUse(long sampleRows) {
        TableView v = view;
        long[] sample = newReader().samplePayload(sampleRows);
        return new MemoryUse(size(), layout.rowSize(), v.rowCapacity * v.rowSize, v.indexSlots * Long.BYTES,
                v.heapCapacity, state.getLong(StateDescriptor.HEAP_GARBAGE), sample[1],
                sample[1] == 0 ? 0 : (double) sample[0] / sample[1]);
    }

    /** Live rows (approximate while the writer runs). */
    public long size() {
        return state.getLong(StateDescriptor.LIVE_ROWS);
    }

    /**
     * A new reader for the calling thread; readers are cheap, not thread-safe, and reusable for any number of lookups.
     */
    public TableReader newReader() {
        ensureOpen();
        return new TableReader(this, layout, 0, false);
    }

    /**
     * A reader that also counts its lookups and times one in {@code sampleEvery} (rounded up to a power of two) into
     * {@link #readMetrics()}; sampling keeps the timer's cost off most lookups.
     */
    public TableReader newReader(int sampleEvery) {
        ensureOpen();
        if (sampleEvery < 1) {
            throw new IllegalArgumentException("sampleEvery must be positive");
        }
        TableReader r = new TableReader(this, layout, sampleEvery, false);
        readMetrics.register(r);
        return r;
    }

    /**
     * A reader that checks each row it returns against the row's checksum and throws {@link StoreCorruptedException}
     * naming rows.dat and the key when it fails, instead of serving the damaged values (values spilled to heap.dat are
     * not covered). For tools and for callers who would rather fail a request than serve a flipped bit; the check costs
     * a CRC32C of the row per lookup (README, Guarantees: Integrity).
     */
    public TableReader newCheckedReader() {
        ensureOpen();
        return new TableReader(this, layout, 0, true);
    }

    /** Lookup counts and sampled lookup latencies of the readers created with {@link #newReader(int)}. */
    public ReadMetrics readMetrics() {
        return readMetrics;
    }

    /** A lookup key for this table's key schema, reusable by one thread. */
    public Key newKey() {
        return new Key(layout.schema());
    }

    /** A staging row for the writer (or a producer thread), reusable. */
    public RowBuffer newRow() {
        return new RowBuffer(layout);
    }

    /** The table's single writer (outside this package: {@link StoreInternals#writer}); readers never wait for it. */
    MappedTableWriter writer() {
        ensureOpen();
        if (readOnly) {
            throw new StoreException("table " + name + " at " + dir + " is open read-only; it cannot be written");
        }
        return writer;
    }

    void ensureOpen() {
        if (closed) {
            throw new StoreException("table " + name + " is closed");
        }
    }

    /**
     * Makes everything written durable, marks the files cleanly closed and releases the writer lock. Call from the
     * writer thread after the last write; readers must not be used afterwards. A read-only table only lets go of its
     * files.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (readOnly) {
            closed = true;
            closeQuietly(heapChannel);
            closeQuietly(rowsChannel);
            return;
        }
        // An unfinished version is not part of the watermark: it goes, as it would after a crash.
        writer.rollback();
        writer.sync();
        state.putInt(StateDescriptor.INDEX_CRC, IndexDescriptor.checksum(view.indexChunks));
        state.putInt(StateDescriptor.INDEX_CRC_VALID, 1);
        state.putInt(StateDescriptor.OPEN_FOR_WRITE, 0);
        state.force();
        closed = true;
        closeQuietly(undo);
        closeQuietly(heapChannel);
        closeQuietly(rowsChannel);
        closeQuietly(lock);
        closeQuietly(lockChannel);
    }

    /** Simulates a crash for tests: releases the lock and channels without syncing or marking the table closed. */
    void abandon() {
        closed = true;
        closeQuietly(undo);
        closeQuietly(heapChannel);
        closeQuietly(rowsChannel);
        closeQuietly(lock);
        closeQuietly(lockChannel);
    }
}
