package dev.larder.ingest;

/** Immutable: what a producer experiences when the ingest ring has no free slot. No event is ever dropped silently. */
public enum Backpressure {
    /** The producer waits (parking briefly between retries) until the writer frees a slot. */
    BLOCK,
    /**
     * The producer gets a {@link RingFullException} at once; nothing was enqueued, so the caller decides what to retry.
     */
    REJECT
}
