package dev.larder.ingest;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;

/**
 * A preallocated ring slot, reused for the life of the pipeline. Written only by the producer that claimed it, between
 * claim and publish; read only by the writer thread after that (the ring's sequence publication orders the two).
 */
final class IngestEvent {
    static final byte NOOP = 0;
    /**
     * {@link #records} holds {@link #length} bytes of {@link ChangeRecordDescriptor} records back to back, all for
     * {@link #slot}'s table: one pushed change, or a batch of a bootstrap or a commit.
     */
    static final byte CHANGE = 1;
    /** Sync {@link #slot} (or every table when null) now, then complete {@link #done}. */
    static final byte SYNC = 4;
    /** Timer wake-up: sync the tables whose oldest unsynced version has waited the policy's maximum delay. */
    static final byte TICK = 5;
    /**
     * Clear the slot's failure so its feed can resume; completes {@link #done} once everything before it is applied.
     */
    static final byte RESUME = 6;
    /** Sync {@link #other} and make it the current generation of the slot's handle; retire {@link #slot}. */
    static final byte SWAP = 7;
    /** Stop applying anything to {@link #slot} (its table is about to be closed by another thread). */
    static final byte RETIRE = 8;
    /** A bootstrap into the slot's table starts: open a bulk load if the table is empty. */
    static final byte BULK_BEGIN = 9;
    /**
     * The bootstrap's rows are all enqueued: finish the bulk load (settling repeated keys), then complete
     * {@link #done}.
     */
    static final byte BULK_FINISH = 10;

    TableSlot slot;
    TableSlot other;
    /** What the event is: {@link #CHANGE} or a control event. */
    byte op;
    long publishNanos;
    /** This slot's own record buffer, grown to the largest single record it has carried. */
    private byte[] own = new byte[ChangeRecordDescriptor.HEADER];
    /** The records of a {@link #CHANGE}: {@link #own}, or a producer's batch buffer lent until the writer applied it.*/
    byte[] records = own;
    int length;
    /** Where the writer hands a lent {@link #records} buffer back once applied; null when it is {@link #own}. */
    BlockingQueue<byte[]> lender;
    CompletableFuture<Void> done;

    /** The slot's own buffer, grown to take {@code size} bytes, so steady-state pushes allocate nothing. */
    byte[] own(int size) {
        if (own.length < size) {
            own = new byte[size];
        }
        records = own;
        length = size;
        return own;
    }

    /** Carries {@code batch} (lent by {@code from}, or null when the writer may drop it) instead of the own buffer. */
    void lend(byte[] batch, int size, BlockingQueue<byte[]> from) {
        records = batch;
        length = size;
        lender = from;
    }

    /** Writer side, after applying: gives a lent buffer back to its producer and goes back to the own one. */
    void giveBack() {
        if (records != own) {
            BlockingQueue<byte[]> from = lender;
            byte[] batch = records;
            records = own;
            lender = null;
            if (from != null) {
                from.offer(batch);
            }
        }
    }
}
