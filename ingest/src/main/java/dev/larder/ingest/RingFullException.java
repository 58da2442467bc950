package dev.larder.ingest;

/**
 * Immutable: thrown to a producer in {@link Backpressure#REJECT} mode when the ring is full; the event was not
 * enqueued. Carries no stack trace, so rejecting under sustained overload stays cheap.
 */
public final class RingFullException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RingFullException(String table, int capacity) {
        super("ingest ring full (" + capacity + " events): change for table " + table
                + " rejected, nothing enqueued; retry later or configure Backpressure.BLOCK", null, false, false);
    }
}
