package dev.larder.ingest;

/**
 * Immutable: a table's feed (a followed source, or the application's pushes) stopped at a version. The message names
 * the table, the version and the source; the cause is what the source or the writer threw.
 */
public final class FeedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String table;
    private final long version;

    FeedException(String table, long version, String sourcePath, Throwable cause) {
        this(table, version, cause, Redaction.uris("table " + table + ": version " + version + " of " + sourcePath
                + " failed, feed stopped (reads stay on the last good version): " + cause));
    }

    private FeedException(String table, long version, Throwable cause, String message) {
        super(message, cause);
        this.table = table;
        this.version = version;
    }

    /** An application-fed table stopped by a change the writer could not apply, refusing every push until resumed. */
    static FeedException stopped(String table, long version, Throwable cause) {
        return new FeedException(table, version, cause, "table " + table + " is stopped: a change of version " + version
                + " failed (" + cause + "); reads stay on the last good version and every push is refused until"
                + " resume(), which drops what was enqueued since: push it again");
    }

    public String table() {
        return table;
    }

    /** The version that could not be applied. */
    public long version() {
        return version;
    }
}
