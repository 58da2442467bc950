package dev.larder.ingest;

import java.util.concurrent.CompletableFuture;

/**
 * A preallocated ring slot, reused for the life of the pipeline. Written only by the producer that claimed it, between
 * claim and publish; read only by the writer thread after that (the ring's sequence publication orders the two).
 */
final class IngestEvent {
    static final byte NOOP = 0;
    /** {@link #record} holds one change for {@link #slot}'s table (an upsert, a delete or a version's end). */
    static final byte CHANGE = 1;
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

    TableSlot slot;
    TableSlot other;
    /** What the event is: {@link #CHANGE} or a control event. */
    byte op;
    long publishNanos;
    /** A {@link ChangeRecordDescriptor} record at offset 0, for {@link #CHANGE}. */
    byte[] record = new byte[ChangeRecordDescriptor.HEADER];
    CompletableFuture<Void> done;

    /** The record buffer, grown to the largest record this slot has carried, so steady state allocates nothing. */
    byte[] record(int size) {
        if (record.length < size) {
            record = new byte[size];
        }
        return record;
    }
}
