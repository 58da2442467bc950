package dev.larder.cloud;

/**
 * A Unity Catalog request that failed: names the table, the endpoint and, for an HTTP answer, its status and the
 * catalog's error code and message.
 */
public final class UnityCatalogException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;

    UnityCatalogException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** The HTTP status the catalog answered, or -1 when it did not answer (unreachable, timed out). */
    public int status() {
        return status;
    }
}
