package dev.larder.snapshot;

import io.delta.kernel.data.Row;
import io.delta.kernel.internal.data.ScanStateRow;
import io.delta.kernel.internal.InternalScanFileUtils;
import io.delta.kernel.CommitActions;
import io.delta.kernel.CommitRange;
import io.delta.kernel.Snapshot;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.MapValue;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.expressions.Literal;
import io.delta.kernel.internal.DeltaLogActionUtils.DeltaAction;
import io.delta.kernel.internal.TableConfig;
import io.delta.kernel.internal.actions.DeletionVectorDescriptor;
import io.delta.kernel.internal.actions.Metadata;
import io.delta.kernel.internal.actions.Protocol;
import io.delta.kernel.internal.deletionvectors.DeletionVectorUtils;
import io.delta.kernel.internal.deletionvectors.RoaringBitmapArray;
import io.delta.kernel.internal.files.ParsedCatalogCommitData;
import io.delta.kernel.internal.files.ParsedLogData;
import io.delta.kernel.internal.fs.Path;
import io.delta.kernel.internal.util.ColumnMapping;
import io.delta.kernel.internal.util.ColumnMapping.ColumnMappingMode;
import io.delta.kernel.internal.util.PartitionUtils;
import io.delta.kernel.internal.util.Utils;
import io.delta.kernel.internal.util.VectorUtils;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import java.net.URI;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Stateless: every use of Delta Kernel's internal classes ({@code io.delta.kernel.internal}), which Kernel may change
 * in any release, in one file, so that a Kernel upgrade is checked here. The other classes of this module hold
 * Kernel's internal values only through the types below ({@link TableMetadata}, {@link ReaderProtocol},
 * {@link DeletionVector}, {@link RowIndexes}); {@code KernelInternalsTest} fails when another source imports them.
 * Public for the served-feature log ({@code dev.larder.snapshot.servelog}), which uses only its public methods.
 */
public final class KernelInternals {
    /** The log actions the change feed reads: files added, removed and changed, metadata, protocol, commit info. */
    private static final Set<DeltaAction> FEED_ACTIONS = EnumSet.of(DeltaAction.ADD, DeltaAction.REMOVE,
            DeltaAction.CDC, DeltaAction.METADATA, DeltaAction.PROTOCOL, DeltaAction.COMMITINFO);
    /** The column of each feed action in a batch of commit actions. */
    static final String ADD = DeltaAction.ADD.colName;
    static final String REMOVE = DeltaAction.REMOVE.colName;
    static final String CDC = DeltaAction.CDC.colName;
    static final String METADATA = DeltaAction.METADATA.colName;
    static final String PROTOCOL = DeltaAction.PROTOCOL.colName;
    static final String COMMIT_INFO = DeltaAction.COMMITINFO.colName;

    private KernelInternals() {
    }

    /** The commits of {@code range}, each with the actions the change feed reads. */
    static CloseableIterator<CommitActions> feedActions(CommitRange range, Engine engine) {
        return range.getCommitActions(engine, FEED_ACTIONS);
    }

    /** The catalog's staged commits as the log data Kernel's snapshot and commit range builders take. */
    static List<ParsedLogData> catalogLogData(List<FileStatus> stagedCommits) {
        List<ParsedLogData> out = new ArrayList<>();
        for (FileStatus staged : stagedCommits) {
            out.add(ParsedCatalogCommitData.forFileStatus(staged));
        }
        return out;
    }

    /**
     * The commit file of {@code s}'s own version as Kernel listed it when it built {@code s}, or null when {@code s}
     * was built without one (from a checkpoint alone, or not by Kernel's default snapshot).
     */
    static FileStatus commitFileRead(Snapshot s) {
        if (!(s instanceof io.delta.kernel.internal.SnapshotImpl impl)) {
            return null;
        }
        List<FileStatus> deltas = impl.getLogSegment().getDeltas();
        if (deltas.isEmpty()) {
            return null;
        }
        FileStatus last = deltas.get(deltas.size() - 1);
        String name = fileName(last.getPath());
        return name.equals(String.format("%020d.json", s.getVersion())) ? last : null;
    }

    /** The metadata of snapshot {@code s}. */
    static TableMetadata metadata(Snapshot s) {
        return new TableMetadata(s.getMetadata());
    }

    /** The metaData action at {@code row} of a batch's metadata column. */
    static TableMetadata metadata(ColumnVector metadata, int row) {
        return new TableMetadata(Metadata.fromColumnVector(metadata, row));
    }

    /** The protocol of snapshot {@code s}. */
    static ReaderProtocol protocol(Snapshot s) {
        return ReaderProtocol.of(s.getProtocol());
    }

    /** The protocol action at {@code row} of a batch's protocol column. */
    static ReaderProtocol protocol(ColumnVector protocol, int row) {
        return ReaderProtocol.of(Protocol.fromColumnVector(protocol, row));
    }

    /** A map column's value at a row as a Java map. */
    static Map<String, String> stringMap(MapValue value) {
        return VectorUtils.toJavaMap(value);
    }

    /** The deletion vector descriptor at {@code row} of an add, remove or cdc action's deletionVector column. */
    static DeletionVector deletionVector(ColumnVector dv, int row) {
        return new DeletionVector(DeletionVectorDescriptor.fromColumnVector(dv, row));
    }

    /** The row indexes {@code dv} deletes, read (if it is on disk) from the table at {@code tableRoot}. */
    static RowIndexes load(Engine engine, String tableRoot, DeletionVector dv) {
        return new RowIndexes(DeletionVectorUtils.loadNewDvAndBitmap(engine, tableRoot, dv.descriptor)._2);
    }

    /** {@code it} as Kernel's closeable iterator. */
    public static <T> CloseableIterator<T> closeable(Iterator<T> it) {
        return Utils.toCloseableIterator(it);
    }

    /** A closeable iterator of one element. */
    public static <T> CloseableIterator<T> singleton(T element) {
        return Utils.singletonCloseableIterator(element);
    }

    /** The parquet file a scan file row of a snapshot scan names. */
    public static FileStatus addFileStatus(Row scanFile) {
        return InternalScanFileUtils.getAddFileStatus(scanFile);
    }

    /** The physical schema to read a scan's data files with, from its scan state. */
    public static StructType physicalReadSchema(Row scanState) {
        return ScanStateRow.getPhysicalDataReadSchema(scanState);
    }

    /** A Hadoop path string (or URI) as a URI, parsed as Kernel parses the paths in its log. */
    static URI toUri(String hadoopPath) {
        return new Path(hadoopPath).toUri();
    }

    /** A URI as the Hadoop path string Kernel would make of it. */
    static String hadoopPath(URI uri) {
        return new Path(uri).toString();
    }

    /** The last name of a path in the log (a Hadoop path string or URI), as Kernel names it. */
    static String fileName(String path) {
        return new Path(path).getName();
    }

    /** Whether the table's configuration maps columns to physical names (by name or id). */
    static boolean mapsColumns(Map<String, String> configuration) {
        return ColumnMapping.getColumnMappingMode(configuration) != ColumnMappingMode.NONE;
    }

    /** The physical name of a column of a table that maps columns. */
    static String physicalName(StructField field) {
        return ColumnMapping.getPhysicalName(field);
    }

    /** The schema to read a data file with: {@code dataLogical}'s columns by their physical names (and ids). */
    static StructType physicalSchema(StructType dataLogical, StructType logical, Map<String, String> configuration) {
        return ColumnMapping.convertToPhysicalSchema(dataLogical, logical,
                ColumnMapping.getColumnMappingMode(configuration));
    }

    /** A partition value as written in the log, parsed as Kernel's own scans parse it. */
    static Literal partitionValue(DataType type, String raw) {
        return PartitionUtils.literalForPartitionValue(type, raw);
    }

    /** Immutable: a table's metaData action (Kernel's internal {@code Metadata}). */
    static final class TableMetadata {
        private final Metadata metadata;

        private TableMetadata(Metadata metadata) {
            this.metadata = metadata;
        }

        /** The table's id. */
        String id() {
            return metadata.getId();
        }

        StructType schema() {
            return metadata.getSchema();
        }

        List<String> partitionColumns() {
            return VectorUtils.toJavaList(metadata.getPartitionColumns());
        }

        Map<String, String> configuration() {
            return metadata.getConfiguration();
        }

        /** Whether the table's commits carry their timestamps (in-commit timestamps). */
        boolean inCommitTimestampsEnabled() {
            return TableConfig.IN_COMMIT_TIMESTAMPS_ENABLED.fromMetadata(metadata);
        }
    }

    /**
     * Immutable: what a reader needs of a protocol action.
     *
     * @param minReaderVersion the reader protocol version a reader must support
     * @param readerFeatures   the reader features a reader must support
     */
    record ReaderProtocol(int minReaderVersion, List<String> readerFeatures) {
        private static ReaderProtocol of(Protocol p) {
            return new ReaderProtocol(p.getMinReaderVersion(), List.copyOf(p.getReaderFeatures()));
        }
    }

    /** Immutable: a deletion vector descriptor of an add, remove or cdc action; equal when the descriptors are. */
    static final class DeletionVector {
        private final DeletionVectorDescriptor descriptor;

        private DeletionVector(DeletionVectorDescriptor descriptor) {
            this.descriptor = descriptor;
        }

        /** Whether the vector is in a file (else inline in the log). */
        boolean onDisk() {
            return descriptor.isOnDisk();
        }

        /** The vector's file, for a vector on disk, under the table at {@code tableRoot}. */
        String absolutePath(String tableRoot) {
            return descriptor.getAbsolutePath(tableRoot);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof DeletionVector d && descriptor.equals(d.descriptor);
        }

        @Override
        public int hashCode() {
            return descriptor.hashCode();
        }

        @Override
        public String toString() {
            return descriptor.toString();
        }
    }

    /** Immutable once loaded, read by one thread: the row indexes a deletion vector deletes. */
    static final class RowIndexes {
        private final RoaringBitmapArray bitmap;

        private RowIndexes(RoaringBitmapArray bitmap) {
            this.bitmap = bitmap;
        }

        boolean contains(long rowIndex) {
            return bitmap.contains(rowIndex);
        }
    }
}
