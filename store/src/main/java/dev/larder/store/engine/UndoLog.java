package dev.larder.store.engine;

import dev.larder.store.StoreException;
import java.io.IOException;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Confined to the table's writer thread (and to opening, before the writer exists): the table's undo log
 * ({@link UndoLogDescriptor}).
 */
public final class UndoLog implements AutoCloseable {
    private static final VarHandle LONG = TableView.LONG;

    private final Path path;
    private final FileChannel channel;
    private final MappedByteBuffer state;
    private MappedByteBuffer[] chunks;
    private long capacity;

    public UndoLog(Path path, MappedByteBuffer state, boolean create) throws IOException {
        this.path = path;
        this.state = state;
        this.channel = MappedFiles.openReadWrite(path, create);
        try {
            if (create) {
                capacity = 0;
                state.putLong(StateDescriptor.UNDO_COUNT, 0);
                state.putLong(StateDescriptor.UNDO_CAPACITY, 0);
                chunks = new MappedByteBuffer[0];
            } else {
                capacity = state.getLong(StateDescriptor.UNDO_CAPACITY);
                UndoLogDescriptor.check(path, channel.size(), count(), capacity);
                chunks = map(capacity);
            }
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    public long count() {
        return (long) LONG.getAcquire(state, StateDescriptor.UNDO_COUNT);
    }

    public boolean isEmpty() {
        return count() == 0;
    }

    /** Makes room for one more record now, so a full disk fails a change before it touches the table. */
    public void ensureRoom() {
        long n = count();
        if (n == capacity) {
            grow(n + 1);
        }
    }

    /**
     * Appends a record (after {@link #ensureRoom()}); it counts, for recovery, from the release store of the new count.
     */
    public void append(long version, long oldRow, long newRow) {
        ensureRoom();
        long n = count();
        MappedByteBuffer c = chunks[(int) (n >>> UndoLogDescriptor.CHUNK_SHIFT)];
        int off = (int) (n & (UndoLogDescriptor.RECORDS_PER_CHUNK - 1)) * UndoLogDescriptor.RECORD_BYTES;
        c.putLong(off + UndoLogDescriptor.VERSION, version);
        c.putLong(off + UndoLogDescriptor.OLD_ROW, oldRow);
        c.putLong(off + UndoLogDescriptor.NEW_ROW, newRow);
        LONG.setRelease(state, StateDescriptor.UNDO_COUNT, n + 1);
    }

    public long version(long i) {
        return field(i, UndoLogDescriptor.VERSION);
    }

    public long oldRow(long i) {
        return field(i, UndoLogDescriptor.OLD_ROW);
    }

    public long newRow(long i) {
        return field(i, UndoLogDescriptor.NEW_ROW);
    }

    private long field(long i, int field) {
        MappedByteBuffer c = chunks[(int) (i >>> UndoLogDescriptor.CHUNK_SHIFT)];
        return c.getLong((int) (i & (UndoLogDescriptor.RECORDS_PER_CHUNK - 1)) * UndoLogDescriptor.RECORD_BYTES
                + field);
    }

    /**
     * Drops every record: they were published (nothing may undo them) or undone. One store, so a crash sees all or
     * none.
     */
    public void clear() {
        LONG.setRelease(state, StateDescriptor.UNDO_COUNT, 0L);
    }

    public void force() {
        for (MappedByteBuffer c : chunks) {
            c.force();
        }
    }

    private void grow(long needed) {
        long next = Math.max(UndoLogDescriptor.MIN_RECORDS, capacity);
        while (next < needed) {
            next = next < UndoLogDescriptor.RECORDS_PER_CHUNK ? next * 2 : next + UndoLogDescriptor.RECORDS_PER_CHUNK;
        }
        try {
            MappedFiles.reserve(channel, next * UndoLogDescriptor.RECORD_BYTES, path);
            chunks = map(next);
        } catch (IOException e) {
            throw new StoreException("cannot grow the undo log: " + e.getMessage(), e);
        }
        capacity = next;
        state.putLong(StateDescriptor.UNDO_CAPACITY, next);
    }

    private MappedByteBuffer[] map(long records) throws IOException {
        int n = (int) ((records + UndoLogDescriptor.RECORDS_PER_CHUNK - 1) >>> UndoLogDescriptor.CHUNK_SHIFT);
        MappedByteBuffer[] out = new MappedByteBuffer[n];
        for (int c = 0; c < n; c++) {
            long first = (long) c << UndoLogDescriptor.CHUNK_SHIFT;
            long size = Math.min(UndoLogDescriptor.RECORDS_PER_CHUNK, records - first) * UndoLogDescriptor.RECORD_BYTES;
            boolean reusable = chunks != null && c < chunks.length && chunks[c].capacity() == size;
            out[c] = reusable ? chunks[c] : MappedFiles.map(channel, first * UndoLogDescriptor.RECORD_BYTES, size);
            out[c].order(ByteOrder.LITTLE_ENDIAN);
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
