package dev.larder;

/**
 * Immutable: a table's feed (a followed source, or the application's pushes) stopped at a version. The message names
 * the table, the version and the source; the cause is what the source or the writer threw.
 */
public final class FeedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String table;
    private final long version;

    private FeedException(dev.larder.ingest.FeedException e) {
        super(e.getMessage(), e.getCause());
        this.table = e.table();
        this.version = e.version();
    }

    /** The facade's exception for the engine's {@code e}: its message, cause, table and version. */
    static FeedException of(dev.larder.ingest.FeedException e) {
        return new FeedException(e);
    }

    /** The table whose feed stopped. */
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
