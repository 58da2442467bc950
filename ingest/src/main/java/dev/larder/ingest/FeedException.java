package dev.larder.ingest;

/**
 * Immutable: a followed table's feed stopped at a version. The message names the table, the version and the source; the
 * cause is what the source or the writer threw.
 */
public final class FeedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String table;
    private final long version;

    FeedException(String table, long version, String sourcePath, Throwable cause) {
        super(Redaction.uris("table " + table + ": version " + version + " of " + sourcePath
                + " failed, feed stopped (reads stay on the last good version): " + cause), cause);
        this.table = table;
        this.version = version;
    }

    public String table() {
        return table;
    }

    /** The version that could not be applied. */
    public long version() {
        return version;
    }
}
