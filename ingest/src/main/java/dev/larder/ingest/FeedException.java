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

    /**
     * An application-fed table stopped by a change the writer could not apply, refusing every push until resumed. Its
     * version is the first one lost ({@link TableSlot.Failure#lost()}); everything pushed after the watermark was
     * dropped, so the message says that, not only which change failed (a late row fails a version already published).
     */
    static FeedException stopped(String table, TableSlot.Failure f) {
        long w = f.watermark();
        String failed = f.version() > w ? "a change of version " + f.version() + " failed" : "a change failed";
        return new FeedException(table, f.lost(), f.cause(), "table " + table + " is stopped: " + failed + " ("
                + f.cause() + "); reads stay on " + (w < 0 ? "no version" : "version " + w) + ", the changes pushed"
                + " after " + (w < 0 ? "the table's creation" : "version " + w) + " were dropped, and every push is"
                + " refused until resume(): push them again after it");
    }

    public String table() {
        return table;
    }

    /**
     * The version that could not be applied; for a pushed table, the first version lost (every change pushed after the
     * watermark was dropped).
     */
    public long version() {
        return version;
    }
}
