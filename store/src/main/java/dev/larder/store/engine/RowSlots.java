package dev.larder.store.engine;

import java.lang.invoke.VarHandle;
import java.nio.MappedByteBuffer;

/**
 * Writer thread only, racing lock-free readers through each slot's seqlock word ({@link #copy} excepted: any thread):
 * the operations on the row slots of rows.dat ({@link RowLayoutDescriptor}), the one seqlock write and the free list
 * threaded through freed slots ({@link StateDescriptor#FREE_HEAD}).
 *
 * <p>A slot changes only while the index does not reach it, between two bumps of its seqlock word: odd while it
 * changes, even (a release store) once whole. A reader that raced with a reuse sees a changed or odd seq, the freed
 * flag or another key, and retries; it never sees a torn row.
 */
public final class RowSlots {
    private static final VarHandle LONG = TableView.LONG;

    private RowSlots() {
    }

    /** Seqlock write of a whole row image (its seq word excepted): odd seq, data, even seq (release). */
    public static void write(TableView v, long row, byte[] img, int rowSize) {
        MappedByteBuffer chunk = v.rowChunk(row);
        int off = v.rowOffset(row);
        long seq = (long) LONG.get(chunk, off);
        LONG.setOpaque(chunk, off, seq + 1);
        VarHandle.storeStoreFence();
        chunk.put(off + 8, img, 8, rowSize - 8);
        LONG.setRelease(chunk, off, seq + 2);
    }

    /**
     * Any thread: copies a whole row slot into {@code dst} under its seqlock; false if the writer kept changing it for
     * 64 attempts. For passes beside the writer (a scrub); the readers' lookup validates its own reads.
     */
    public static boolean copy(TableView v, long row, byte[] dst) {
        MappedByteBuffer chunk = v.rowChunk(row);
        int off = v.rowOffset(row);
        for (int attempt = 0; attempt < 64; attempt++) {
            long before = (long) LONG.getAcquire(chunk, off);
            if ((before & 1) == 0) {
                chunk.get(off, dst, 0, dst.length);
                VarHandle.acquireFence();
                if ((long) LONG.getOpaque(chunk, off) == before) {
                    return true;
                }
            }
            Thread.onSpinWait();
        }
        return false;
    }

    /** Pushes an unreachable row on the free list: its live flag cleared and its link set under the seqlock. */
    public static void free(TableView v, MappedByteBuffer state, long row) {
        MappedByteBuffer chunk = v.rowChunk(row);
        int off = v.rowOffset(row);
        long seq = (long) LONG.get(chunk, off);
        LONG.setOpaque(chunk, off, seq + 1);
        VarHandle.storeStoreFence();
        chunk.putShort(off + RowLayoutDescriptor.FLAGS, (short) 0);
        chunk.putInt(off + RowLayoutDescriptor.NEXT_FREE, (int) state.getLong(StateDescriptor.FREE_HEAD));
        LONG.setRelease(chunk, off, seq + 2);
        state.putLong(StateDescriptor.FREE_HEAD, row);
    }

    /** Pops the head of the free list, or returns -1 when the list is empty. */
    public static long takeFree(TableView v, MappedByteBuffer state) {
        long head = state.getLong(StateDescriptor.FREE_HEAD);
        if (head >= 0) {
            int next = v.rowChunk(head).getInt(v.rowOffset(head) + RowLayoutDescriptor.NEXT_FREE);
            state.putLong(StateDescriptor.FREE_HEAD, next == -1 ? -1 : next & 0xFFFF_FFFFL);
        }
        return head;
    }

    /** Makes a torn seq word (a crash inside a row write) even, so that the row is freed as a whole one. */
    public static void mend(TableView v, long row) {
        MappedByteBuffer chunk = v.rowChunk(row);
        int off = v.rowOffset(row);
        long seq = (long) LONG.get(chunk, off);
        LONG.setOpaque(chunk, off, (seq | 1) + 1);
    }

    public static boolean isLive(TableView v, long row) {
        return (v.rowChunk(row).getShort(v.rowOffset(row) + RowLayoutDescriptor.FLAGS)
                & RowLayoutDescriptor.FLAG_LIVE) != 0;
    }

    public static long version(TableView v, long row) {
        return v.rowChunk(row).getLong(v.rowOffset(row) + RowLayoutDescriptor.VERSION);
    }

    /** The value of stored row {@code row}'s LONG/TIMESTAMP column {@code column}; a null one is older than any. */
    public static long eventTime(TableView v, RowLayoutDescriptor layout, long row, int column) {
        MappedByteBuffer chunk = v.rowChunk(row);
        int off = v.rowOffset(row);
        boolean isNull = (chunk.get(off + layout.nullsOffset() + (column >>> 3)) & (1 << (column & 7))) != 0;
        return isNull ? Long.MIN_VALUE : chunk.getLong(off + layout.columnOffset(column));
    }
}
