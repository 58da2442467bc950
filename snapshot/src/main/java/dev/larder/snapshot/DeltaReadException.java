package dev.larder.snapshot;

import dev.larder.ingest.Redaction;

/**
 * A Delta table could not be read; immutable. The message names the table, and where known the
 * version, file and column, so an operator can find the offending object without a stack trace.
 */
public final class DeltaReadException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What went wrong, for callers that react differently (e.g. retry IO, stop the feed on schema). */
    public enum Reason {
        /** The table or a version of it does not exist. */
        NOT_FOUND,
        /** A data, change-data or deletion-vector file named by the log is missing. */
        MISSING_FILE,
        /** A parquet or deletion-vector file is corrupt or truncated. */
        CORRUPT_FILE,
        /** A commit or checkpoint in {@code _delta_log} is unreadable or violates the protocol. */
        MALFORMED_LOG,
        /** The table uses a reader feature, protocol version or data type this reader cannot honour. */
        UNSUPPORTED_FEATURE,
        /** A file path in the log resolves outside the table root; it was refused, not read. */
        PATH_OUTSIDE_TABLE,
        /** A value in the table cannot be interpreted (bad partition value, unknown change type). */
        INVALID_DATA,
        /** Two rows share one key: added twice by a commit, or added while an earlier file still holds the key. */
        DUPLICATE_KEY,
        /** A commit changes the schema in a way the feature table cannot follow (dropped column, changed type). */
        INCOMPATIBLE_SCHEMA,
        /** A commit adds columns the table does not store; a follower answers by building a wider generation. */
        COLUMNS_ADDED,
        /**
         * The storage credentials expired and cannot be renewed (e.g. temporary credentials a catalog vends); not the
         * table's fault, so a feed retries.
         */
        EXPIRED_CREDENTIALS,
        /**
         * The JVM's heap was too small to read a file: a parquet reader holds whole row groups of the columns it reads.
         * Not the table's fault (the file is not corrupt), so a feed retries; a larger {@code -Xmx} fixes it.
         */
        OUT_OF_MEMORY,
        /** Any other storage failure. */
        IO
    }

    private final Reason reason;
    private final String tablePath;
    private final long version;
    private final String file;
    private final String column;

    /**
     * @param version the table version involved, or -1 if none
     * @param file the file involved, or null
     * @param column the logical column involved, or null
     */
    public DeltaReadException(Reason reason, String tablePath, long version, String file, String column,
                              String detail, Throwable cause) {
        super(format(reason, tablePath, version, file, column, detail), cause);
        this.reason = reason;
        this.tablePath = tablePath;
        this.version = version;
        this.file = file;
        this.column = column;
    }

    private static String format(Reason reason, String tablePath, long version, String file, String column,
                                 String detail) {
        StringBuilder sb = new StringBuilder(reason.name()).append(": ").append(detail)
                .append(" [table ").append(tablePath);
        if (version >= 0) {
            sb.append(", version ").append(version);
        }
        if (file != null) {
            sb.append(", file ").append(file);
        }
        if (column != null) {
            sb.append(", column ").append(column);
        }
        // Exceptions of the filesystem, quoted in the detail, may repeat a URI as the user typed it.
        return Redaction.uris(sb.append(']').toString());
    }

    public Reason reason() {
        return reason;
    }

    public String tablePath() {
        return tablePath;
    }

    /** The version involved, or -1 if the failure is not tied to one. */
    public long version() {
        return version;
    }

    /** The file involved, or null. */
    public String file() {
        return file;
    }

    /** The logical column involved, or null. */
    public String column() {
        return column;
    }
}
