package dev.larder.snapshot;

import io.delta.kernel.Scan;
import io.delta.kernel.Snapshot;
import io.delta.kernel.SnapshotBuilder;
import io.delta.kernel.TableManager;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.exceptions.KernelException;
import io.delta.kernel.exceptions.TableNotFoundException;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.UndeclaredThrowableException;
import java.security.PrivilegedExceptionAction;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.function.BiPredicate;
import java.util.function.Predicate;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.security.UserGroupInformation;
import dev.larder.ingest.Redaction;
import dev.larder.store.Lineage;
import dev.larder.store.ShardSpec;

/**
 * Reads one Delta table through Delta Kernel: versions, schema, full snapshot scans and the change feed;
 * thread-safe (calls may run concurrently), with every callback made on the calling thread.
 *
 * <p>Rows are delivered through {@link DeltaRow} views in logical schema order: column mapping (name or
 * id) resolved to logical names, partition columns filled with typed values from the log, physical
 * columns outside the schema (e.g. the {@code _change_type} Spark leaves in UPDATE-written data files)
 * never read, and deletion vectors applied. Every failure is a {@link DeltaReadException} naming the
 * table and, where known, the version, file and column. File paths in the log that resolve outside the
 * table root (on a local file system also through a symbolic link) are refused before any read.
 *
 * <p>A catalog-managed table (reader feature {@code catalogManaged}) is read with the {@link CatalogCommits} of the
 * catalog that owns it, which is asked for the ratified commits on every snapshot and change-feed read.
 */
public final class DeltaSource {

    /**
     * Reader features whose semantics this reader honours. Kernel validates the protocol too, but it
     * accepts features (e.g. variant types) that the row view cannot present.
     */
    static final Set<String> SUPPORTED_READER_FEATURES = Set.of(
            "columnMapping", "deletionVectors", "timestampNtz", "v2Checkpoint", "vacuumProtocolCheck");

    /**
     * The reader feature of tables whose commits a catalog owns; read only with the catalog's {@link CatalogCommits}.
     */
    static final String CATALOG_MANAGED = "catalogManaged";

    /**
     * Hadoop setting naming where the storage credentials come from (e.g.
     * {@code environment variable AWS_ACCESS_KEY_ID}); errors for access denied by the storage repeat it. Set by
     * {@code dev.larder.cloud.CloudSettings}.
     */
    public static final String CREDENTIALS_ORIGIN_KEY = "larder.credentials.origin";

    /**
     * Hadoop setting giving the table's storage access its own filesystem instances. Hadoop shares one filesystem per
     * scheme, bucket and user in a JVM, so the first table opened on a bucket would fix the credentials of every later
     * one; a table whose credentials are its own (vended by a catalog, scoped to the table) names an owner here, and
     * every read of it runs as that Hadoop user, which has filesystems of its own.
     */
    public static final String FILESYSTEM_OWNER_KEY = "larder.filesystem.owner";

    /**
     * One Hadoop user per owner name for the life of the JVM: Hadoop's filesystem cache tells users apart by identity,
     * so a table opened again reuses its filesystems instead of leaking a new set (clients, thread pools) per open.
     */
    private static final Map<String, UserGroupInformation> OWNERS = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Threads a bootstrap or a verify decodes a snapshot's files on, the caller's among them: one per core, up to 4. On
     * 2 cores they share the second core with the ingest writer (or the verify's pass over the table), which one
     * decoding thread alone left half idle. Public for the skew check's reads of logged versions.
     */
    public static final int SCAN_THREADS = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));

    /** A commit file's name in {@code _delta_log}: its version, zero-padded to 20 digits, then {@code .json}. */
    static final Pattern COMMIT_FILE = Pattern.compile("(\\d{20})\\.json");

    private final Engine engine;
    private final TablePaths paths;
    private final FileRowReader reader;
    private final CommitTimestamps timestamps;
    private final CatalogTable catalogTable;
    private final CatalogCommits catalog;
    /** The catalog's side of the log; null when the table is read by path. */
    private final CatalogLog catalogLog;
    private final DeltaLogErrors errors;
    private final UserGroupInformation owner;
    /** The metadata in effect at the last version the change feed delivered, so the next read starts from it. */
    private volatile DeliveredMetadata delivered;

    /** The metadata in effect at {@code version}. */
    private record DeliveredMetadata(long version, KernelInternals.TableMetadata metadata) {
    }

    private DeltaSource(Engine engine, String qualifiedRoot, Configuration hadoopConf, CatalogTable catalogTable,
                        UserGroupInformation owner) {
        this.engine = engine;
        this.catalogTable = catalogTable;
        this.catalog = catalogTable == null ? null : catalogTable.commits();
        this.owner = owner;
        this.paths = new TablePaths(qualifiedRoot);
        this.catalogLog = catalog == null ? null : new CatalogLog(catalog, paths.root);
        this.errors = new DeltaLogErrors(engine, paths.root, hadoopConf, catalog != null);
        this.reader = new FileRowReader(engine, paths, hadoopConf);
        this.timestamps = new CommitTimestamps(engine, paths.root);
    }

    /**
     * Opens the table at a local path or file URI with a default Hadoop configuration, reading local files
     * without verifying Hadoop {@code .crc} sidecars: tables copied or hand-edited (as some upstream test
     * tables are) carry stale sidecars, while parquet and JSON decoding still catch corrupt content.
     */
    public static DeltaSource open(String pathOrUri) {
        return open(pathOrUri, localConfiguration());
    }

    /**
     * The Hadoop configuration {@link #open(String)} uses (local files read without {@code .crc} checks), for callers
     * that add settings of their own, such as {@code larder.parquet.fast-path}.
     */
    public static Configuration localConfiguration() {
        Configuration conf = new Configuration();
        conf.set("fs.file.impl", RawLocalFileSystem.class.getName());
        // A cached checksumming LocalFileSystem created elsewhere in the JVM must not be reused.
        conf.setBoolean("fs.file.impl.disable.cache", true);
        return conf;
    }

    /**
     * Opens the table at any Hadoop filesystem URI or local path with {@link #localConfiguration()} plus
     * {@code hadoopSettings}, e.g. {@code fs.s3a.endpoint}; {@code s3a:}, {@code abfss:} and {@code gs:} URIs need
     * {@code dev.larder:larder-cloud} on the class path, whose {@code CloudSettings} adds the AWS environment
     * (credentials, region, profiles) and {@code VendedTokenSettings} a catalog's temporary Azure or GCS token.
     *
     * <p>Hadoop caches one filesystem per scheme and bucket (or host) in a JVM: the first table opened on a bucket
     * fixes the settings every later table on that bucket reads with, unless {@code fs.s3a.impl.disable.cache} is set
     * (which leaks a client per call: use per-bucket settings, {@code fs.s3a.bucket.NAME.KEY}, instead).
     */
    public static DeltaSource open(String pathOrUri, Map<String, String> hadoopSettings) {
        Configuration conf = localConfiguration();
        hadoopSettings.forEach(conf::set);
        return open(pathOrUri, conf);
    }

    /**
     * Opens the table at any Hadoop filesystem URI ({@code file:}, {@code s3a:}, {@code abfss:}, ...) or local
     * path, and checks that its latest version is readable.
     *
     * @param hadoopConf filesystem settings (credentials, endpoints) for the table's storage
     */
    public static DeltaSource open(String pathOrUri, Configuration hadoopConf) {
        return open(pathOrUri, hadoopConf, null);
    }

    /**
     * Opens a table found through a catalog (null: opened by path), at any Hadoop filesystem URI, and checks that its
     * log exists; a catalog-managed table's latest commits are asked from {@link CatalogTable#commits()}. With
     * {@link #FILESYSTEM_OWNER_KEY} set, every read runs as that Hadoop user.
     */
    public static DeltaSource open(String pathOrUri, Configuration hadoopConf, CatalogTable catalog) {
        refuseCredentials(pathOrUri);
        String ownerName = hadoopConf.getTrimmed(FILESYSTEM_OWNER_KEY, "");
        UserGroupInformation owner = ownerName.isEmpty() ? null
                : OWNERS.computeIfAbsent(ownerName, UserGroupInformation::createRemoteUser);
        Engine engine = DefaultEngine.create(hadoopConf);
        String root;
        try {
            root = as(owner, () -> engine.getFileSystemClient().resolvePath(pathOrUri));
        } catch (IOException | RuntimeException e) {
            String missing = StorageFailure.missingFileSystem(pathOrUri, e);
            if (missing != null) {
                throw new DeltaReadException(DeltaReadException.Reason.UNSUPPORTED_FEATURE, pathOrUri, -1, null, null,
                        missing, e);
            }
            // Filesystems that contact the storage while initializing (abfss asks the account's type) fail here.
            ExpiredCredentialsException expired = StorageFailure.expiredCredentials(e);
            if (expired != null) {
                throw new DeltaReadException(DeltaReadException.Reason.EXPIRED_CREDENTIALS, pathOrUri, -1, null, null,
                        expired.getMessage(), e);
            }
            String storage = StorageFailure.describe(e, hadoopConf);
            throw new DeltaReadException(
                    storage != null ? DeltaReadException.Reason.IO : DeltaReadException.Reason.NOT_FOUND, pathOrUri,
                    -1, null, null, (storage != null ? storage : "table path cannot be resolved") + ": " + e, e);
        }
        DeltaSource source = new DeltaSource(engine, root, hadoopConf, catalog, owner);
        source.io(() -> {
            source.checkLogExists();
            return null;
        });
        return source;
    }

    /**
     * A URI with credentials in it ({@code s3a://KEY:SECRET@bucket/t}) is refused: its path is printed in messages and
     * recorded in the lineage of every table fed from it, and Hadoop no longer reads such URIs anyway.
     */
    private static void refuseCredentials(String pathOrUri) {
        if (Redaction.hasCredentials(pathOrUri)) {
            throw new IllegalArgumentException("the table URI " + Redaction.uris(pathOrUri) + " carries credentials; "
                    + "they would be printed and recorded in the store, so it is refused. Give the URI without them "
                    + "and the credentials as Hadoop settings (e.g. fs.s3a.access.key and fs.s3a.secret.key, --conf in "
                    + "the CLI) or in the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, an AWS profile)");
        }
    }

    /** The catalog that owns this table's commits, or null when its log is complete by path. */
    public CatalogCommits catalog() {
        return catalog;
    }

    /** How the table was found through a catalog, or null when it was opened by path. */
    public CatalogTable catalogTable() {
        return catalogTable;
    }

    /**
     * The lineage of a table fed from this source before its first version: the Delta table id at {@code version}, the
     * table path and, when opened through a catalog, its catalog name and id.
     */
    public Lineage origin(long version) {
        return originOf(tableId(version));
    }

    Lineage originOf(String deltaTableId) {
        Lineage l = new Lineage(deltaTableId, tablePath(), -1, 0);
        return catalogTable == null ? l : l.withCatalog(catalogTable.name(), catalogTable.tableId());
    }

    /** Runs {@code action} as {@code owner} (the Hadoop user whose filesystems it uses), or directly when null. */
    private static <T> T as(UserGroupInformation owner, PrivilegedExceptionAction<T> action) throws IOException {
        if (owner == null) {
            try {
                return action.run();
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new UndeclaredThrowableException(e);
            }
        }
        try {
            return owner.doAs(action);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /**
     * Runs a read of this table as its filesystem owner (see {@link #FILESYSTEM_OWNER_KEY}); for a catalog-managed
     * table, the outermost read on a thread holds the catalog's answer for everything it calls (see
     * {@link CatalogLog}).
     */
    <T> T io(PrivilegedExceptionAction<T> action) {
        boolean outermost = catalogLog != null && catalogLog.beginRead();
        boolean done = false;
        try {
            T result = as(owner, action);
            done = true;
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (!done) {
                loaded.remove();
            }
            if (outermost) {
                catalogLog.endRead();
            }
        }
    }

    // Only existence: a damaged latest commit must not stop callers from reading earlier versions.
    private void checkLogExists() {
        String first = paths.root + "/_delta_log/" + String.format("%020d", 0);
        try (CloseableIterator<FileStatus> it = engine.getFileSystemClient().listFrom(first)) {
            if (!it.hasNext()) {
                throw new DeltaReadException(DeltaReadException.Reason.NOT_FOUND, paths.root, -1, null, null,
                        "no Delta table here (_delta_log is empty)", null);
            }
        } catch (IOException | RuntimeException e) {
            throw translate(e instanceof FileNotFoundException ? new TableNotFoundException(paths.root) : e, -1, null);
        }
    }

    /** The fully qualified table root, e.g. {@code file:/data/features}. */
    public String tablePath() {
        return paths.root;
    }

    /** The latest committed version. */
    public long latestVersion() {
        return io(() -> snapshot(-1).getVersion());
    }

    /**
     * The latest committed version, given that {@code known} exists: the newest commit of the unbroken run after
     * {@code known}, from one listing of the log from {@code known + 1} instead of a snapshot load (an empty commit
     * file ends the run: it is still being written). A gap after {@code known} (history cleaned up past it) and a
     * table whose commits a catalog holds are answered by {@link #latestVersion()}, so the feed reads, and reports,
     * what is there.
     */
    public long latestVersionAfter(long known) {
        if (catalog != null || known < 0) {
            return latestVersion();
        }
        long latest = io(() -> {
            long last = known;
            try (CloseableIterator<FileStatus> it = engine.getFileSystemClient()
                    .listFrom(paths.root + "/_delta_log/" + String.format("%020d", known + 1))) {
                while (it.hasNext()) {
                    FileStatus f = it.next();
                    Matcher m = COMMIT_FILE.matcher(fileName(f.getPath()));
                    if (m.matches()) {
                        long v = Long.parseLong(m.group(1));
                        if (v > last + 1) {
                            return -1L;
                        }
                        if (f.getSize() == 0) {
                            // A commit holds at least one action: an empty file is one still being written in place,
                            // which a watch on the log can report the instant it is created.
                            break;
                        }
                        last = Math.max(last, v);
                    }
                }
            } catch (IOException | RuntimeException e) {
                throw translate(e, known + 1, null);
            }
            return last;
        });
        return latest < 0 ? latestVersion() : latest;
    }

    /**
     * The table's {@code _delta_log} directory when it is on the local file system and its log complete by path (no
     * catalog holds commits), for a watch on new commit files; null otherwise.
     */
    public java.nio.file.Path localLogDirectory() {
        java.net.URI root = new org.apache.hadoop.fs.Path(paths.root).toUri();
        if (catalog != null || !"file".equals(root.getScheme())) {
            return null;
        }
        return java.nio.file.Path.of(root).resolve("_delta_log");
    }

    /**
     * The latest version whose commit timestamp is at or before {@code timestampMillis}, as Delta time
     * travel resolves it: by in-commit timestamp where the table has them, else by commit file
     * modification time. In-commit
     * timestamps are assumed monotonic as the protocol requires; a table that breaks that may resolve to
     * any version around the out-of-order commit.
     *
     * @throws DeltaReadException NOT_FOUND if every available commit is later than {@code timestampMillis}
     */
    public long versionAtOrBefore(long timestampMillis) {
        return io(() -> {
            Snapshot latest = snapshot(-1);
            if (timestampMillis >= latest.getTimestamp(engine)) {
                return latest.getVersion();
            }
            try {
                return withCatalog(TableManager.loadSnapshot(paths.root).atTimestamp(timestampMillis, latest),
                        latest.getVersion())
                        .build(engine).getVersion();
            } catch (KernelException e) {
                throw new DeltaReadException(DeltaReadException.Reason.NOT_FOUND, paths.root, -1, null, null,
                        "no version at or before timestamp " + timestampMillis + ": " + e.getMessage(), e);
            } catch (RuntimeException e) {
                throw translate(e, -1, null);
            }
        });
    }

    /** The Delta table id (metaData.id), which survives renames and moves: the lineage identity of a table. */
    public String tableId(long version) {
        try {
            return io(() -> KernelInternals.metadata(checkedSnapshot(version)).id());
        } catch (RuntimeException e) {
            throw translate(e, version, null);
        }
    }

    /**
     * Commit timestamp of {@code version} in epoch millis, by the rule the change feed uses for {@link DeltaCommit} too
     * (see {@link CommitTimestamps}): the in-commit timestamp where the table enables them, else the commit file's
     * modification time made monotonic.
     */
    public long commitTimestamp(long version) {
        try {
            return io(() -> {
                Snapshot s = checkedSnapshot(version);
                return timestamps.of(version, KernelInternals.metadata(s), () -> s.getTimestamp(engine),
                        () -> commitFile(version));
            });
        } catch (RuntimeException e) {
            throw translate(e, version, null);
        }
    }

    /** The logical schema at {@code version}. */
    public DeltaSchema schema(long version) {
        return io(() -> layout(checkedSnapshot(version)).schema);
    }

    /** {@link #scan(long, RowConsumer, ScanProgress)} without progress reports. */
    public long scan(long version, RowConsumer consumer) {
        return scan(version, consumer, ScanProgress.NONE);
    }

    /**
     * Delivers every row visible at {@code version} (checkpoint plus later JSON commits replayed by Kernel,
     * deletion vectors applied), file by file in no particular order.
     *
     * @return rows delivered
     */
    public long scan(long version, RowConsumer consumer, ScanProgress progress) {
        return scan(version, consumer, progress, ShardSpec.ALL);
    }

    /**
     * {@link #scan(long, RowConsumer, ScanProgress)} for a reader of {@code shards}: the files of partitions holding
     * other shards only are skipped ({@link ShardSpec#partitionColumn()}); every row of the files read is delivered.
     */
    public long scan(long version, RowConsumer consumer, ScanProgress progress, ShardSpec shards) {
        long[] rows = {0};
        long[] files = {0};
        FileRowReader.Sink sink = (row, changeTypes, rowId) -> consumer.accept(row);
        forEachFile(version, shards, (add, layout) -> {
            rows[0] += reader.read(version, add, layout, null, reader.loadDv(version, add.dv()), false, sink);
            progress.onProgress(rows[0], ++files[0]);
            return true;
        });
        return rows[0];
    }

    /**
     * {@link #scan(long, RowConsumer, ScanProgress)} on up to {@code threads} threads, the caller's among them, each
     * reading whole files into a consumer of its own: {@code consumers} is called once on each thread that takes part,
     * and what it returns is called on that thread only. Progress is reported under a lock, from whichever thread
     * finished a file. A failure stops the other threads (at their next row) and is thrown once every one has stopped.
     *
     * @return rows delivered
     */
    public long scan(long version, int threads, Supplier<RowConsumer> consumers, ScanProgress progress) {
        return scan(version, threads, consumers, progress, ShardSpec.ALL);
    }

    /** {@link #scan(long, int, Supplier, ScanProgress)} for a reader of {@code shards}, as the one-thread scan. */
    public long scan(long version, int threads, Supplier<RowConsumer> consumers, ScanProgress progress,
                     ShardSpec shards) {
        if (threads <= 1) {
            return scan(version, consumers.get(), progress, shards);
        }
        List<FileAction> files = new ArrayList<>();
        TableLayout[] layout = new TableLayout[1];
        forEachFile(version, shards, (add, l) -> {
            files.add(add);
            layout[0] = l;
            return true;
        });
        return ParallelScan.run(this, reader, version, files, layout[0], threads, consumers, progress);
    }

    /**
     * The first data file (resolved path) of the snapshot at {@code version} with a visible row that {@code match}
     * accepts, or null if none has one; reads every file until it finds one, so only for error reports.
     */
    String fileHolding(long version, Predicate<DeltaRow> match) {
        String[] found = {null};
        forEachFile(version, (add, layout) -> {
            boolean[] hit = {false};
            reader.read(version, add, layout, null, reader.loadDv(version, add.dv()), false,
                    (row, changeTypes, rowId) -> {
                        if (!hit[0] && match.test(row)) {
                            hit[0] = true;
                        }
                    });
            if (hit[0]) {
                found[0] = paths.resolveLogPath(add.path(), version);
            }
            return !hit[0];
        });
        return found[0];
    }

    /**
     * Whether the snapshot at {@code version} reads {@code file}, a data or deletion-vector file as a
     * {@link DeltaReadException} names it. A file the log names but the latest snapshot does not read was removed by a
     * later commit, so its absence is history cleaned up (VACUUM); a file the snapshot reads is missing by damage.
     */
    public boolean snapshotReads(long version, String file) {
        boolean[] found = new boolean[1];
        forEachFile(version, (add, layout) -> {
            found[0] = file.equals(paths.resolveLogPath(add.path(), version))
                    || (add.dv() != null && add.dv().onDisk()
                        && file.equals(paths.checkHadoopPath(add.dv().absolutePath(paths.root), version)));
            return !found[0];
        });
        return found[0];
    }

    /** Visits the snapshot's live data files until {@code visitor} returns false. */
    private void forEachFile(long version, BiPredicate<FileAction, TableLayout> visitor) {
        forEachFile(version, ShardSpec.ALL, visitor);
    }

    /** As {@link #forEachFile(long, BiPredicate)}, skipping the files that hold none of {@code shards}' rows. */
    private void forEachFile(long version, ShardSpec shards, BiPredicate<FileAction, TableLayout> visitor) {
        ShardPruning pruning = ShardPruning.of(shards);
        io(() -> {
            visitFiles(version, (add, layout) -> !pruning.reads(add, layout, paths.root, version)
                    || visitor.test(add, layout));
            return null;
        });
    }

    private void visitFiles(long version, BiPredicate<FileAction, TableLayout> visitor) {
        Snapshot snapshot = checkedSnapshot(version);
        TableLayout layout = layout(snapshot);
        Scan scan = snapshot.getScanBuilder().build();
        try (CloseableIterator<FilteredColumnarBatch> it = scan.getScanFiles(engine)) {
            while (true) {
                FilteredColumnarBatch scanFiles;
                try {
                    if (!it.hasNext()) {
                        break;
                    }
                    scanFiles = it.next();
                } catch (RuntimeException e) {
                    throw translate(e, version, null);
                }
                ColumnarBatch data = scanFiles.getData();
                ColumnVector adds = data.getColumnVector(data.getSchema().indexOf("add"));
                Optional<ColumnVector> selection = scanFiles.getSelectionVector();
                for (int r = 0; r < data.getSize(); r++) {
                    if (adds.isNullAt(r) || (selection.isPresent()
                            && (selection.get().isNullAt(r) || !selection.get().getBoolean(r)))) {
                        continue;
                    }
                    if (!visitor.test(FileAction.from(adds, r), layout)) {
                        return;
                    }
                }
            }
        } catch (IOException e) {
            throw translate(e, version, null);
        }
    }

    /**
     * Delivers the change feed of commits {@code fromVersion} through {@code toVersion}, both inclusive, in
     * version order; to resume after a fully applied version W, pass {@code W + 1}. See
     * {@link ChangeFeedReader} for how change rows are derived.
     *
     * @return the last version delivered completely ({@code endCommit} called): {@code toVersion}, or the
     *     version before the commit whose {@code beginCommit} returned false
     */
    public long changes(long fromVersion, long toVersion, ChangeConsumer consumer) {
        return changes(fromVersion, toVersion, consumer, ShardSpec.ALL);
    }

    /**
     * {@link #changes(long, long, ChangeConsumer)} for a reader of {@code shards}: the actions on files of partitions
     * holding other shards only are skipped ({@link ShardSpec#partitionColumn()}).
     */
    public long changes(long fromVersion, long toVersion, ChangeConsumer consumer, ShardSpec shards) {
        // No check against the latest snapshot: loading it would parse the very commits the feed must
        // report precisely when damaged. The commit range listing reports versions that do not exist.
        if (fromVersion < 0 || toVersion < fromVersion) {
            throw new IllegalArgumentException("need 0 <= fromVersion <= toVersion: " + fromVersion + ", " + toVersion);
        }
        return io(() -> new ChangeFeedReader(this, reader, ShardPruning.of(shards))
                .read(fromVersion, toVersion, consumer));
    }

    Engine engine() {
        return engine;
    }

    TablePaths paths() {
        return paths;
    }

    FileRowReader reader() {
        return reader;
    }

    CommitTimestamps timestamps() {
        return timestamps;
    }

    private long checkVersion(long version) {
        if (version < 0) {
            throw new IllegalArgumentException("version must be >= 0: " + version);
        }
        if (catalog != null && version <= ratified().latestVersion()) {
            return version;
        }
        // A listing, not the latest snapshot: a damaged later commit must not block reading this version.
        String prefix = String.format("%020d", version);
        try (CloseableIterator<FileStatus> it = engine.getFileSystemClient()
                .listFrom(paths.root + "/_delta_log/" + prefix)) {
            while (it.hasNext()) {
                String name = fileName(it.next().getPath());
                if (VERSIONED_FILE.matcher(name).matches()) {
                    return version;
                }
            }
        } catch (IOException | RuntimeException e) {
            throw translate(e, version, null);
        }
        throw new DeltaReadException(DeltaReadException.Reason.NOT_FOUND, paths.root, version, null, null,
                "version is after the latest version", null);
    }

    /**
     * The metadata in effect at {@code version}: the one the change feed found delivering that version, if it was the
     * last it delivered (a follower's next poll reads on from there without loading a snapshot; a committed version
     * never changes), else the snapshot's.
     */
    KernelInternals.TableMetadata metadataAt(long version) {
        DeliveredMetadata d = delivered;
        return d != null && d.version == version ? d.metadata : KernelInternals.metadata(snapshot(version));
    }

    /** Records that the change feed delivered {@code version}, with the metadata in effect there. */
    void delivered(long version, KernelInternals.TableMetadata metadata) {
        delivered = new DeliveredMetadata(version, metadata);
    }

    /**
     * The last snapshot this thread loaded of a table read by path, with the commit file Kernel read for it. A
     * bootstrap asks for the same version about ten times (schema, id, timestamp, latest version, scan), and through
     * s3a each load took 30-50 ms of requests (S3BootstrapBenchmark: 0.5 s of a 1.2 s bootstrap of 1M rows). Reusing it
     * costs one listing of the log from its version, which also tells a newer commit and a table written again at the
     * same path (its commit file differs in size or modification time; one of the same size written within the file
     * system's time resolution, whole seconds on S3, is not told apart). Per thread, because Kernel does not promise
     * that a snapshot may be shared between threads; dropped when a read on the thread fails ({@link #io}), so a retry
     * loads afresh (a log cleaned up under a reused snapshot).
     */
    private record Loaded(Snapshot snapshot, FileStatus commit) {
    }

    private final ThreadLocal<Loaded> loaded = new ThreadLocal<>();

    /** {@link #snapshot(long)} of a version that must exist ({@link #checkVersion}), for reads of that version. */
    private Snapshot checkedSnapshot(long version) {
        Snapshot reused = reused(version);
        return reused != null ? reused : snapshot(checkVersion(version));
    }

    /** The snapshot at {@code version}, or the latest if negative, with its protocol checked. */
    Snapshot snapshot(long version) {
        Snapshot reused = reused(version);
        if (reused != null) {
            return reused;
        }
        Snapshot s = load(version);
        FileStatus commit = catalog == null ? KernelInternals.commitFileRead(s) : null;
        if (commit != null) {
            loaded.set(new Loaded(s, commit));
        } else {
            loaded.remove();
        }
        return s;
    }

    /** This thread's last loaded snapshot if it is {@code version}'s (the latest's if negative) and still current. */
    private Snapshot reused(long version) {
        Loaded c = catalog == null ? loaded.get() : null;
        boolean latest = version < 0;
        return c != null && (latest || version == c.snapshot.getVersion()) && current(c, latest) ? c.snapshot : null;
    }

    /**
     * Whether {@code c}'s commit file is still the one listed when it was loaded (path, size and modification time)
     * and, if {@code latest}, no later version is in the log; one listing.
     */
    private boolean current(Loaded c, boolean latest) {
        FileStatus f = listedCommit(c.snapshot.getVersion(), latest);
        return f != null && f.getPath().equals(c.commit.getPath()) && f.getSize() == c.commit.getSize()
                && f.getModificationTime() == c.commit.getModificationTime();
    }

    /**
     * The commit file of {@code version}, from one listing of the log from there; null if it has none, if the listing
     * failed (the load that follows reports it), or if {@code lastOnly} and a later version follows it.
     */
    private FileStatus listedCommit(long version, boolean lastOnly) {
        FileStatus found = null;
        try (CloseableIterator<FileStatus> it = engine.getFileSystemClient()
                .listFrom(paths.root + "/_delta_log/" + String.format("%020d", version))) {
            while (it.hasNext()) {
                FileStatus f = it.next();
                String name = fileName(f.getPath());
                if (!VERSIONED_FILE.matcher(name).matches()) {
                    continue;
                }
                if (Long.parseLong(name.substring(0, 20)) > version) {
                    return lastOnly ? null : found;
                }
                if (COMMIT_FILE.matcher(name).matches()) {
                    found = f;
                    if (!lastOnly) {
                        return f;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return found;
    }

    /** A file of the log named by its version: a commit, checkpoint or checksum. */
    private static final Pattern VERSIONED_FILE = Pattern.compile("\\d{20}\\..*");

    private Snapshot load(long version) {
        Snapshot s;
        try {
            SnapshotBuilder b = TableManager.loadSnapshot(paths.root);
            if (version >= 0) {
                b = b.atVersion(version);
            }
            s = withCatalog(b, version).build(engine);
        } catch (RuntimeException e) {
            throw translate(e, version, null);
        }
        checkProtocol(KernelInternals.protocol(s), s.getVersion());
        return s;
    }

    /** The catalog's answer for the read in progress ({@link CatalogLog#ratified}); only for a catalog's table. */
    CatalogCommits.Ratified ratified() {
        return catalogLog.ratified();
    }

    /**
     * {@code b} with the catalog's ratified commits up to {@code version} (all when negative) and its latest version,
     * so Kernel reads versions that exist only as staged commits; {@code b} itself for a table read by path.
     */
    SnapshotBuilder withCatalog(SnapshotBuilder b, long version) {
        if (catalog == null) {
            return b;
        }
        CatalogCommits.Ratified r = ratified();
        return b.withLogData(KernelInternals.catalogLogData(stagedCommits(r, version)))
                .withMaxCatalogVersion(r.latestVersion());
    }

    /** The catalog's staged commits up to {@code version} (all when negative), for Kernel's log data. */
    List<FileStatus> stagedCommits(CatalogCommits.Ratified r, long version) {
        return catalogLog.stagedCommits(r, version);
    }

    /** The status of {@code version}'s commit file: the staged one while the catalog has not published it. */
    FileStatus commitFile(long version) {
        FileStatus staged = catalogLog == null ? null : catalogLog.stagedCommit(version);
        return staged != null ? staged : timestamps.commitFile(version);
    }

    /** The last name of a path in the log (a Hadoop path string or URI), as Kernel names it. */
    static String fileName(String path) {
        return KernelInternals.fileName(path);
    }

    TableLayout layout(Snapshot s) {
        return layout(KernelInternals.metadata(s), s.getVersion());
    }

    TableLayout layout(KernelInternals.TableMetadata m, long version) {
        return TableLayout.of(m.schema(), m.partitionColumns(), m.configuration(),
                paths.root, version);
    }

    void checkProtocol(KernelInternals.ReaderProtocol p, long version) {
        if (p.minReaderVersion() > 3) {
            throw new DeltaReadException(DeltaReadException.Reason.UNSUPPORTED_FEATURE, paths.root, version, null,
                    null, "reader protocol version " + p.minReaderVersion() + " is not supported", null);
        }
        for (String feature : p.readerFeatures()) {
            if (feature.equals(CATALOG_MANAGED)) {
                if (catalog == null) {
                    throw errors.catalogNeeded(version, null);
                }
                continue;
            }
            if (!SUPPORTED_READER_FEATURES.contains(feature)) {
                throw new DeltaReadException(DeltaReadException.Reason.UNSUPPORTED_FEATURE, paths.root, version, null,
                        null, "reader feature '" + feature + "' is not supported (supported: "
                        + SUPPORTED_READER_FEATURES + ")", null);
            }
        }
    }

    /** Maps a Kernel or storage failure while reading the log to a {@link DeltaReadException}. */
    DeltaReadException translate(Throwable e, long version, String file) {
        return errors.translate(e, version, file);
    }
}
