package dev.larder.snapshot;

/**
 * Thrown by a storage credentials source (e.g. the provider of the temporary credentials a catalog vends) when the
 * credentials have expired and cannot be renewed; a read failing with it is reported as
 * {@link DeltaReadException.Reason#EXPIRED_CREDENTIALS} with this message, which names the table and where the
 * credentials come from. Immutable.
 */
public final class ExpiredCredentialsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what expired when, for which table, from which source, and why it could not be renewed */
    public ExpiredCredentialsException(String message, Throwable cause) {
        super(message, cause);
    }
}
