package dev.larder.ingest;

import dev.larder.store.FeatureSchema;
import dev.larder.store.RowBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Semaphore;

/**
 * A {@link ChangeSink} for one producing thread that applies every call, in order, to a wrapped sink on a writer
 * thread of its own; so a one-shot load scans and copies on one core while the table's writer runs on the other.
 *
 * <p>Changes travel as {@link ChangeRecordDescriptor} records in batches of 1 MiB (a few thousand rows), so the two
 * threads meet once per batch rather than once per row. {@link #end()} returns once the wrapped sink has ended the version (for a
 * {@link TableWriterSink}: published and synced). A failure of the wrapped sink is rethrown to the producer at its next
 * batch or at {@link #end()}, and the rest of the version is dropped. {@link #close()} stops the writer thread.
 */
public final class BackgroundWriterSink implements ChangeSink, AutoCloseable {
    private static final int BATCH_BYTES = 1 << 20;
    private static final int BATCHES = 4;
    private static final Batch STOP = new Batch(0);

    private final ChangeSink target;
    private final RowBuffer row;
    private final BlockingQueue<Batch> full = new ArrayBlockingQueue<>(BATCHES + 1);
    private final BlockingQueue<Batch> free = new ArrayBlockingQueue<>(BATCHES);
    private final Semaphore ended = new Semaphore(0);
    private final Thread writer;
    private volatile Throwable failure;
    private Batch current;
    private boolean closed;
    /** The open version and its commit time: stamped on each record, so a record reads without its predecessors. */
    private long version;
    private long commitTimestampMillis;

    /** @param target the sink to apply to; from now on only this sink's writer thread may call it */
    public BackgroundWriterSink(ChangeSink target, String threadName) {
        this.target = target;
        this.row = new RowBuffer(target.schema());
        for (int i = 0; i < BATCHES; i++) {
            free.add(new Batch(BATCH_BYTES));
        }
        this.writer = Thread.ofPlatform().name(threadName).daemon().start(this::applyBatches);
    }

    @Override
    public FeatureSchema schema() {
        return row.schema();
    }

    @Override
    public RowBuffer row() {
        return row.clear();
    }

    @Override
    public void begin(long newVersion, long newCommitTimestampMillis) {
        version = newVersion;
        commitTimestampMillis = newCommitTimestampMillis;
        put(ChangeRecordDescriptor.BEGIN, null);
    }

    @Override
    public void upsert(RowBuffer r) {
        put(ChangeRecordDescriptor.UPSERT, r);
    }

    @Override
    public void delete(RowBuffer keyRow) {
        put(ChangeRecordDescriptor.DELETE, keyRow);
    }

    @Override
    public void end() {
        put(ChangeRecordDescriptor.END, null);
        handOff();
        try {
            ended.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted waiting for the writer to end the version");
        }
        rethrowFailure();
    }

    /** Appends a record of {@code r} (null for BEGIN and END) to the batch being filled. */
    private void put(byte op, RowBuffer r) {
        Batch b = current(r == null ? ChangeRecordDescriptor.HEADER : ChangeRecordDescriptor.size(r));
        b.length = ChangeRecordDescriptor.write(b.bytes, b.length, op, version, commitTimestampMillis, r);
    }

    /** The batch being filled, handed off first if it cannot take a record of {@code size} bytes. */
    private Batch current(int size) {
        if (current != null && current.length + size > current.bytes.length) {
            handOff();
        }
        if (current == null) {
            rethrowFailure();
            try {
                // A record larger than a batch (a row with very long values) travels in a batch of its own size.
                current = size > BATCH_BYTES ? new Batch(size) : free.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CancellationException("interrupted waiting for the writer");
            }
        }
        return current;
    }

    private void handOff() {
        if (current == null) {
            return;
        }
        try {
            full.put(current);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted handing rows to the writer");
        }
        current = null;
    }

    private void rethrowFailure() {
        Throwable t = failure;
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t instanceof Error err) {
            throw err;
        }
        if (t != null) {
            throw new IllegalStateException(t);
        }
    }

    /** The writer thread: applies batches in order; after a failure only acknowledges ends, so the producer is released. */
    private void applyBatches() {
        while (true) {
            Batch b;
            try {
                b = full.take();
            } catch (InterruptedException e) {
                return;
            }
            if (b == STOP) {
                return;
            }
            for (int at = 0; at < b.length; at = ChangeRecordDescriptor.next(b.bytes, at)) {
                byte op = ChangeRecordDescriptor.op(b.bytes, at);
                if (failure == null) {
                    try {
                        apply(b.bytes, at, op);
                    } catch (Throwable t) {
                        failure = t;
                    }
                }
                if (op == ChangeRecordDescriptor.END) {
                    ended.release();
                }
            }
            b.length = 0;
            if (b.bytes.length == BATCH_BYTES) {
                free.add(b);
            }
        }
    }

    private void apply(byte[] records, int at, byte op) {
        switch (op) {
            case ChangeRecordDescriptor.BEGIN -> target.begin(ChangeRecordDescriptor.version(records, at),
                    ChangeRecordDescriptor.commitTimestamp(records, at));
            case ChangeRecordDescriptor.UPSERT -> target.upsert(target.row().importFrom(records, ChangeRecordDescriptor.image(at)));
            case ChangeRecordDescriptor.DELETE -> target.delete(target.row().importFrom(records, ChangeRecordDescriptor.image(at)));
            case ChangeRecordDescriptor.END -> target.end();
            default -> throw new IllegalStateException("unknown change record op " + op);
        }
    }

    /** Stops the writer thread once it has applied everything handed to it. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        handOff();
        try {
            full.put(STOP);
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final class Batch {
        final byte[] bytes;
        int length;

        Batch(int capacity) {
            bytes = new byte[capacity];
        }
    }
}
