package dev.larder.snapshot;

import io.delta.kernel.CommitActions;
import io.delta.kernel.CommitRange;
import io.delta.kernel.CommitRangeBuilder;
import io.delta.kernel.CommitRangeBuilder.CommitBoundary;
import io.delta.kernel.TableManager;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Derives change rows from the JSON commits of a version range, per the Delta protocol's change data
 * feed rules; one instance per {@link DeltaSource#changes} call, confined to the calling thread.
 *
 * <ul>
 *   <li>A commit with {@code cdc} actions is read only from its cdc files; each row's {@code _change_type}
 *       gives its kind. The non-spec values {@code update_pre} / {@code update_post} (written by Delta
 *       Spark test harnesses) and any other unknown or null value are rejected with
 *       {@link DeltaReadException.Reason#INVALID_DATA} naming the file and the {@code _change_type}
 *       column: guessing their meaning could plant rows the table never held.</li>
 *   <li>Otherwise {@code add} with dataChange=true yields its visible rows as inserts, {@code remove}
 *       with dataChange=true its then-visible rows as deletes, and dataChange=false actions nothing
 *       (OPTIMIZE, ZORDER). An add and a remove of the same path with different deletion vectors yield
 *       only the rows whose bit changed: newly deleted rows as deletes, restored rows as inserts.</li>
 *   <li>Within a commit every delete and update pre-image is delivered before any insert and update
 *       post-image, so a key-value consumer applying rows in order ends with the commit's result even when
 *       a rewrite removes file F and adds F' holding the same keys, or an update moves a row between
 *       partitions (its images then sit in different cdc files). Except, for a consumer that
 *       {@link ChangeConsumer#takesRowsInFileOrder() takes rows in file order}, in a commit whose cdc files hold at
 *       most {@link #ONE_PASS_CDC_BYTES} (the usual small commit, announced with
 *       {@link DeltaCommit#removalsFirst()} false): each of its cdc files is read once and its rows come in file
 *       order, and the consumer holds the additions back itself; a bigger one is read in two passes (removals, then
 *       the files holding additions) rather than held in memory.</li>
 *   <li>Rows follow the schema in effect after the commit; a commit with a {@code metaData} action is
 *       announced with {@link DeltaCommit#metadataChanged()} so the consumer can stop first.</li>
 *   <li>Commit timestamp: by the rule {@link DeltaSource#commitTimestamp} uses for a bootstrap
 *       ({@link CommitTimestamps}), so a version gets one timestamp whichever path delivers it.</li>
 * </ul>
 *
 * <p>If reading fails mid-commit, the consumer has seen {@code beginCommit} and some rows of that commit
 * but no {@code endCommit}; it must discard them.
 */
final class ChangeFeedReader {
    /**
     * Bytes of cdc files up to which a commit's cdc files are read once each, in file order: a consumer holds that
     * commit's additions until its end, so this bounds what it holds (a few times the parquet bytes).
     */
    static final long ONE_PASS_CDC_BYTES = 8 << 20;

    private final DeltaSource source;
    private final FileRowReader reader;
    private final String root;
    private final ShardPruning pruning;

    ChangeFeedReader(DeltaSource source, FileRowReader reader, ShardPruning pruning) {
        this.source = source;
        this.reader = reader;
        this.root = source.paths().root;
        this.pruning = pruning;
    }

    /** The actions of one commit that the feed uses. */
    private static final class Commit {
        final long version;
        final List<FileAction> adds = new ArrayList<>();
        final List<FileAction> removes = new ArrayList<>();
        final List<FileAction> cdcs = new ArrayList<>();
        KernelInternals.TableMetadata metadata;
        Long inCommitTimestamp;

        Commit(long version) {
            this.version = version;
        }
    }

    long read(long from, long to, ChangeConsumer consumer) {
        CommitRange range;
        try {
            CommitRangeBuilder builder = TableManager.loadCommitRange(root, CommitBoundary.atVersion(from))
                    .withEndBoundary(CommitBoundary.atVersion(to));
            if (source.catalog() != null) {
                CatalogCommits.Ratified r = source.ratified();
                builder = builder.withLogData(KernelInternals.catalogLogData(source.stagedCommits(r, to)))
                        .withMaxCatalogVersion(r.latestVersion());
            }
            range = builder.build(source.engine());
        } catch (RuntimeException e) {
            throw source.translate(e, to, null);
        }
        // The metadata in effect before `from`, so a damaged commit `from` fails below where its file is known.
        KernelInternals.TableMetadata metadata = from == 0 ? null : source.metadataAt(from - 1);
        TableLayout layout = metadata == null ? null : source.layout(metadata, from - 1);
        List<FileStatus> commitFiles = range.getDeltaFiles();
        long expected = from;
        try (CloseableIterator<CommitActions> commits = KernelInternals.feedActions(range, source.engine())) {
            while (true) {
                String commitFile = expected <= to ? commitFiles.get((int) (expected - from)).getPath() : null;
                Commit commit;
                try {
                    if (!commits.hasNext()) {
                        break;
                    }
                    commit = collect(commits.next(), commitFile);
                } catch (RuntimeException e) {
                    throw source.translate(e, expected, commitFile);
                }
                if (commit.metadata != null) {
                    metadata = commit.metadata;
                    layout = source.layout(metadata, commit.version);
                } else if (layout == null) {
                    throw new DeltaReadException(DeltaReadException.Reason.MALFORMED_LOG, root, commit.version,
                            commitFile, null, "the first commit carries no metaData action", null);
                }
                if (pruning != ShardPruning.NONE) {
                    TableLayout l = layout;
                    long v = commit.version;
                    boolean changeData = !commit.cdcs.isEmpty();
                    commit.adds.removeIf(f -> !pruning.reads(f, l, root, v));
                    commit.removes.removeIf(f -> !pruning.reads(f, l, root, v));
                    commit.cdcs.removeIf(f -> !pruning.reads(f, l, root, v));
                    if (changeData && commit.cdcs.isEmpty()) {
                        // A commit with change data changes only what its cdc files say: none of them is ours, so
                        // its adds and removes here rewrite rows unchanged, as an unsharded read would take them.
                        commit.adds.clear();
                        commit.removes.clear();
                    }
                }
                DeltaCommit announced = announce(commit, metadata, layout, commitFiles.get((int) (expected - from)),
                        consumer.takesRowsInFileOrder() && onePass(commit.cdcs));
                if (!consumer.beginCommit(announced)) {
                    return commit.version - 1;
                }
                if (commit.cdcs.isEmpty()) {
                    deliverAddRemove(commit, layout, consumer);
                } else if (announced.removalsFirst()) {
                    deliverCdcInTwoPasses(commit, layout, consumer);
                } else {
                    deliverCdcInOnePass(commit, layout, consumer);
                }
                consumer.endCommit(announced);
                source.delivered(commit.version, metadata);
                expected++;
            }
        } catch (IOException e) {
            throw source.translate(e, expected, null);
        }
        return to;
    }

    private Commit collect(CommitActions actions, String commitFile) {
        Commit commit = new Commit(actions.getVersion());
        try (actions; CloseableIterator<ColumnarBatch> batches = actions.getActions()) {
            while (batches.hasNext()) {
                ColumnarBatch batch = batches.next();
                StructType schema = batch.getSchema();
                ColumnVector add = batch.getColumnVector(schema.indexOf(KernelInternals.ADD));
                ColumnVector remove = batch.getColumnVector(schema.indexOf(KernelInternals.REMOVE));
                ColumnVector cdc = batch.getColumnVector(schema.indexOf(KernelInternals.CDC));
                ColumnVector metadata = batch.getColumnVector(schema.indexOf(KernelInternals.METADATA));
                ColumnVector protocol = batch.getColumnVector(schema.indexOf(KernelInternals.PROTOCOL));
                ColumnVector info = batch.getColumnVector(schema.indexOf(KernelInternals.COMMIT_INFO));
                for (int r = 0; r < batch.getSize(); r++) {
                    if (!add.isNullAt(r)) {
                        commit.adds.add(FileAction.from(add, r));
                    } else if (!remove.isNullAt(r)) {
                        commit.removes.add(FileAction.from(remove, r));
                    } else if (!cdc.isNullAt(r)) {
                        commit.cdcs.add(FileAction.from(cdc, r));
                    } else if (!metadata.isNullAt(r)) {
                        commit.metadata = KernelInternals.metadata(metadata, r);
                    } else if (!protocol.isNullAt(r)) {
                        source.checkProtocol(KernelInternals.protocol(protocol, r), commit.version);
                    } else if (!info.isNullAt(r)) {
                        StructType t = (StructType) info.getDataType();
                        ColumnVector ict = info.getChild(t.indexOf("inCommitTimestamp"));
                        commit.inCommitTimestamp = ict.isNullAt(r) ? null : ict.getLong(r);
                    }
                }
            }
        } catch (Exception e) {
            throw source.translate(e, commit.version, commitFile);
        }
        return commit;
    }

    private DeltaCommit announce(Commit c, KernelInternals.TableMetadata metadata, TableLayout layout,
                                 FileStatus commitFile,
                                 boolean onePass) {
        long millis = source.timestamps().of(c.version, metadata, () -> {
            if (c.inCommitTimestamp == null) {
                throw new DeltaReadException(DeltaReadException.Reason.MALFORMED_LOG, root, c.version,
                        commitFile.getPath(), null,
                        "the table enables in-commit timestamps but the commit has no commitInfo.inCommitTimestamp",
                        null);
            }
            return c.inCommitTimestamp;
        }, () -> commitFile);
        return new DeltaCommit(c.version, millis, CommitTimestamps.inCommitTimestampsEnabled(metadata)
                ? DeltaCommit.TimestampSource.IN_COMMIT_TIMESTAMP : DeltaCommit.TimestampSource.FILE_MODIFICATION_TIME,
                layout.schema, c.metadata != null, !onePass);
    }

    /** Whether a commit has cdc files, small enough to be read once each, their additions held by the consumer. */
    private static boolean onePass(List<FileAction> cdcs) {
        if (cdcs.isEmpty()) {
            return false;
        }
        long bytes = 0;
        for (FileAction cdc : cdcs) {
            if (cdc.size() < 0) {
                return false;
            }
            bytes += cdc.size();
        }
        return bytes <= ONE_PASS_CDC_BYTES;
    }

    private void deliverAddRemove(Commit c, TableLayout layout, ChangeConsumer consumer) {
        Map<String, FileAction> adds = byPath(c.adds, c.version);
        Map<String, FileAction> removes = byPath(c.removes, c.version);
        FileRowReader.Sink deletes = (row, changeTypes, rowId) -> consumer.change(ChangeKind.DELETE, row);
        FileRowReader.Sink inserts = (row, changeTypes, rowId) -> consumer.change(ChangeKind.INSERT, row);
        for (Map.Entry<String, FileAction> e : removes.entrySet()) {
            FileAction remove = e.getValue();
            FileAction add = adds.get(e.getKey());
            KernelInternals.RowIndexes removedDv = reader.loadDv(c.version, remove.dv());
            if (add == null) {
                consumer.beginFile(e.getKey());
                reader.read(c.version, remove, layout, null, removedDv, false, deletes);
            } else if (add.dv() != null && !add.sameDv(remove)) {
                // Rows deleted by the new DV that the old one still showed.
                consumer.beginFile(e.getKey());
                reader.read(c.version, remove, layout, reader.loadDv(c.version, add.dv()), removedDv, false, deletes);
            }
        }
        for (Map.Entry<String, FileAction> e : adds.entrySet()) {
            FileAction add = e.getValue();
            FileAction remove = removes.get(e.getKey());
            KernelInternals.RowIndexes addedDv = reader.loadDv(c.version, add.dv());
            if (remove == null) {
                consumer.beginFile(e.getKey());
                reader.read(c.version, add, layout, null, addedDv, false, inserts);
            } else if (remove.dv() != null && !add.sameDv(remove)) {
                // Rows the old DV hid that the new one shows again (e.g. a restore).
                consumer.beginFile(e.getKey());
                reader.read(c.version, add, layout, reader.loadDv(c.version, remove.dv()), addedDv, false, inserts);
            }
        }
    }

    /** dataChange=true actions by resolved path, in log order; the rest carry no logical change. */
    private Map<String, FileAction> byPath(List<FileAction> actions, long version) {
        Map<String, FileAction> out = new LinkedHashMap<>();
        for (FileAction a : actions) {
            if (a.dataChange()) {
                out.put(source.paths().resolveLogPath(a.path(), version), a);
            }
        }
        return out;
    }

    private void deliverCdcInOnePass(Commit c, TableLayout layout, ChangeConsumer consumer) {
        for (FileAction cdc : c.cdcs) {
            consumer.beginFile(source.paths().resolveLogPath(cdc.path(), c.version));
            reader.read(c.version, cdc, layout, null, null, true,
                    (row, changeTypes, rowId) -> consumer.change(kind(c.version, cdc, changeTypes, rowId), row));
        }
    }

    private void deliverCdcInTwoPasses(Commit c, TableLayout layout, ChangeConsumer consumer) {
        List<FileAction> withAdditions = new ArrayList<>();
        for (FileAction cdc : c.cdcs) {
            boolean[] sawAddition = {false};
            consumer.beginFile(source.paths().resolveLogPath(cdc.path(), c.version));
            reader.read(c.version, cdc, layout, null, null, true, (row, changeTypes, rowId) -> {
                ChangeKind kind = kind(c.version, cdc, changeTypes, rowId);
                if (kind.removesImage()) {
                    consumer.change(kind, row);
                } else {
                    sawAddition[0] = true;
                }
            });
            if (sawAddition[0]) {
                withAdditions.add(cdc);
            }
        }
        for (FileAction cdc : withAdditions) {
            consumer.beginFile(source.paths().resolveLogPath(cdc.path(), c.version));
            reader.read(c.version, cdc, layout, null, null, true, (row, changeTypes, rowId) -> {
                ChangeKind kind = kind(c.version, cdc, changeTypes, rowId);
                if (!kind.removesImage()) {
                    consumer.change(kind, row);
                }
            });
        }
    }

    private ChangeKind kind(long version, FileAction cdc, ColumnVector changeTypes, int rowId) {
        String name = changeTypes.isNullAt(rowId) ? null : changeTypes.getString(rowId);
        ChangeKind kind = ChangeKind.fromDeltaName(name);
        if (kind == null) {
            throw new DeltaReadException(DeltaReadException.Reason.INVALID_DATA, root, version,
                    source.paths().resolveLogPath(cdc.path(), version), TableLayout.CHANGE_TYPE_COLUMN,
                    "change type " + (name == null ? "null" : "'" + name + "'")
                            + " is not one of insert, update_preimage, update_postimage, delete", null);
        }
        return kind;
    }
}
