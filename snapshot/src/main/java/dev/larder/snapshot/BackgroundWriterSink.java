package dev.larder.snapshot;

import dev.larder.ingest.ChangeSink;
import dev.larder.store.FeatureSchema;
import dev.larder.store.RowBuffer;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Semaphore;

/**
 * A {@link ChangeSink} for one producing thread that applies every call, in order, to a wrapped sink on a writer
 * thread of its own; so a one-shot load scans and copies on one core while the table's writer runs on the other.
 *
 * <p>Changes travel in batches of exported row images (1 MiB, a few thousand rows), so the two threads meet once per
 * batch rather than once per row. {@link #end()} returns once the wrapped sink has ended the version (for a
 * {@link TableWriterSink}: published and synced). A failure of the wrapped sink is rethrown to the producer at its next
 * batch or at {@link #end()}, and the rest of the version is dropped. {@link #close()} stops the writer thread.
 */
public final class BackgroundWriterSink implements ChangeSink, AutoCloseable {
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int BATCH_BYTES = 1 << 20;
    private static final int BATCHES = 4;
    private static final byte BEGIN = 1;
    private static final byte UPSERT = 2;
    private static final byte DELETE = 3;
    private static final byte END = 4;
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
    public void begin(long version, long commitTimestampMillis) {
        int at = reserve(BEGIN, 16);
        LONG.set(current.bytes, at, version);
        LONG.set(current.bytes, at + 8, commitTimestampMillis);
    }

    @Override
    public void upsert(RowBuffer r) {
        put(UPSERT, r);
    }

    @Override
    public void delete(RowBuffer keyRow) {
        put(DELETE, keyRow);
    }

    @Override
    public void end() {
        reserve(END, 0);
        handOff();
        try {
            ended.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted waiting for the writer to end the version");
        }
        rethrowFailure();
    }

    private void put(byte op, RowBuffer r) {
        int n = r.exportSize();
        int at = reserve(op, n);
        r.exportTo(current.bytes, at);
    }

    /** Appends an entry header (op, payload length) and returns where its payload goes. */
    private int reserve(byte op, int payload) {
        Batch b = current(payload);
        int at = b.length;
        b.bytes[at] = op;
        INT.set(b.bytes, at + 1, payload);
        b.length = at + 5 + payload;
        return at + 5;
    }

    /** The batch being filled, handed off first if it cannot take an entry of {@code payload} bytes. */
    private Batch current(int payload) {
        if (current != null && current.length + 5 + payload > current.bytes.length) {
            handOff();
        }
        if (current == null) {
            rethrowFailure();
            try {
                // An entry larger than a batch (a row with very long values) travels in a batch of its own size.
                current = payload + 5 > BATCH_BYTES ? new Batch(payload + 5) : free.take();
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
            for (int at = 0; at < b.length; ) {
                byte op = b.bytes[at];
                int n = (int) INT.get(b.bytes, at + 1);
                int payload = at + 5;
                if (failure == null) {
                    try {
                        switch (op) {
                            case BEGIN -> target.begin((long) LONG.get(b.bytes, payload), (long) LONG.get(b.bytes, payload + 8));
                            case UPSERT -> target.upsert(target.row().importFrom(b.bytes, payload));
                            case DELETE -> target.delete(target.row().importFrom(b.bytes, payload));
                            case END -> target.end();
                            default -> throw new IllegalStateException("unknown entry " + op);
                        }
                    } catch (Throwable t) {
                        failure = t;
                    }
                }
                if (op == END) {
                    ended.release();
                }
                at = payload + n;
            }
            b.length = 0;
            if (b.bytes.length == BATCH_BYTES) {
                free.add(b);
            }
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
