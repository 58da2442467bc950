package dev.larder.ingest;

import java.util.concurrent.CompletableFuture;

/**
 * A preallocated ring slot, reused for the life of the pipeline. Written only by the producer that claimed it, between
 * claim and publish; read only by the writer thread after that (the ring's sequence publication orders the two).
 */
final class IngestEvent {
    static final byte NOOP = 0;
    static final byte UPSERT = 1;
    static final byte DELETE = 2;
    /** Every change of {@link #version} has been enqueued: publish it as the watermark. */
    static final byte END_VERSION = 3;
    /** Sync {@link #slot} (or every table when null) now, then complete {@link #done}. */
    static final byte SYNC = 4;
    /** Timer wake-up: sync the tables whose oldest unsynced version has waited the policy's maximum delay. */
    static final byte TICK = 5;
    /** Clear the slot's failure so its feed can resume; completes {@link #done} once everything before it is applied. */
    static final byte RESUME = 6;
    /** Sync {@link #other} and make it the current generation of the slot's handle; retire {@link #slot}. */
    static final byte SWAP = 7;
    /** Stop applying anything to {@link #slot} (its table is about to be closed by another thread). */
    static final byte RETIRE = 8;
    /** A bootstrap into the slot's table starts: open a bulk load if the table is empty. */
    static final byte BULK_BEGIN = 9;
    /** The bootstrap's rows are all enqueued: finish the bulk load (settling repeated keys), then complete {@link #done}. */
    static final byte BULK_FINISH = 10;

    private static final byte[] NO_IMAGE = new byte[0];

    TableSlot slot;
    TableSlot other;
    byte op;
    long version;
    long commitTimestampMillis;
    long publishNanos;
    byte[] image = NO_IMAGE;
    CompletableFuture<Void> done;

    /** The image buffer, grown to the largest row image this slot has carried, so steady state allocates nothing. */
    byte[] image(int size) {
        if (image.length < size) {
            image = new byte[size];
        }
        return image;
    }
}
