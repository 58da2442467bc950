package dev.larder.store.engine;

import dev.larder.store.FeatureSchema;
import java.nio.MappedByteBuffer;
import java.util.Arrays;

/**
 * Confined to the table's writer thread: the out-of-line values of rows in heap.dat ({@link HeapDescriptor}), which
 * are appended and never modified, so that an update shares the bytes of every value it leaves as it was; and the
 * accounting of the bytes that replaced rows leave behind ({@link StateDescriptor#HEAP_GARBAGE}).
 */
public final class HeapValues {
    private final RowLayoutDescriptor layout;
    /** Non-key STRING/BINARY/OPAQUE columns: the ones whose values may live in the heap. */
    private final int[] spillable;
    /** Scratch for comparing a value with the heap bytes of the value it replaces; grown on demand, then reused. */
    private byte[] scratch = new byte[64];

    public HeapValues(RowLayoutDescriptor layout) {
        this.layout = layout;
        FeatureSchema schema = layout.schema();
        int n = 0;
        int[] cols = new int[schema.columnCount()];
        for (int c = 0; c < schema.columnCount(); c++) {
            if (schema.column(c).type().isVariableWidth()) {
                cols[n++] = c;
            }
        }
        this.spillable = Arrays.copyOf(cols, n);
    }

    /** The columns whose values may live in the heap; not to be modified. */
    public int[] columns() {
        return spillable;
    }

    /** Whether any column's values may live in the heap (else there is nothing to account). */
    public boolean any() {
        return spillable.length > 0;
    }

    /**
     * The heap offset of row {@code row}'s value of column {@code c} when it is {@code value[0..len)}, else -1. The
     * row's checksum is not checked: a damaged offset must not fail the update that would heal it.
     */
    public long sameValue(TableView v, MappedByteBuffer state, long row, int c, byte[] value, int len) {
        MappedByteBuffer chunk = v.rowChunk(row);
        int off = v.rowOffset(row);
        if (outOfLineLength(chunk, off, c) != len) {
            return -1;
        }
        long offset = chunk.getLong(off + layout.columnOffset(c) + RowLayoutDescriptor.LENGTH_PREFIX);
        if (offset < 0 || offset + len > state.getLong(StateDescriptor.HEAP_SIZE)
                || (offset & HeapDescriptor.CHUNK_MASK) + len > HeapDescriptor.CHUNK_BYTES) {
            return -1;
        }
        if (scratch.length < len) {
            scratch = new byte[Math.max(len, 2 * scratch.length)];
        }
        v.readHeap(offset, scratch, 0, len);
        return Arrays.equals(scratch, 0, len, value, 0, len) ? offset : -1;
    }

    /** Where a value of {@code len} bytes is appended: the heap's end, or the next chunk's start (none straddles). */
    public static long appendOffset(MappedByteBuffer state, int len) {
        long at = state.getLong(StateDescriptor.HEAP_SIZE);
        boolean straddles = (at & HeapDescriptor.CHUNK_MASK) + len > HeapDescriptor.CHUNK_BYTES;
        return straddles ? (at | HeapDescriptor.CHUNK_MASK) + 1 : at;
    }

    /** The heap capacity to grow to so that {@code end} bytes fit: doubling, then whole chunks. */
    public static long capacityFor(long capacity, long end) {
        long next = Math.max(HeapDescriptor.MIN_CAPACITY, capacity);
        while (next < end) {
            next = next < HeapDescriptor.CHUNK_BYTES ? next * 2 : next + HeapDescriptor.CHUNK_BYTES;
        }
        return next;
    }

    /** Appends a value at {@code at} ({@link #appendOffset}, within {@code v}'s heap mapping). */
    public static void append(TableView v, MappedByteBuffer state, long at, byte[] src, int len) {
        v.heapChunks[(int) (at >>> HeapDescriptor.CHUNK_SHIFT)].put((int) (at & HeapDescriptor.CHUNK_MASK), src, 0,
                len);
        state.putLong(StateDescriptor.HEAP_SIZE, at + len);
    }

    /** Counts heap bytes no row points to any more. */
    public static void addGarbage(MappedByteBuffer state, long bytes) {
        state.putLong(StateDescriptor.HEAP_GARBAGE, state.getLong(StateDescriptor.HEAP_GARBAGE) + bytes);
    }

    /** Heap bytes the row's out-of-line values occupy. */
    public long bytes(TableView v, long row) {
        return bytesNotIn(v, row, -1);
    }

    /**
     * Heap bytes of the row's out-of-line values that row {@code other} (-1 for none) does not point to as well: what
     * becomes garbage when the row goes and {@code other} stays (values an update left unchanged share their bytes).
     */
    public long bytesNotIn(TableView v, long row, long other) {
        MappedByteBuffer chunk = v.rowChunk(row);
        int off = v.rowOffset(row);
        MappedByteBuffer otherChunk = other >= 0 ? v.rowChunk(other) : null;
        int otherOff = other >= 0 ? v.rowOffset(other) : 0;
        long sum = 0;
        for (int c : spillable) {
            int len = outOfLineLength(chunk, off, c);
            if (len < 0) {
                continue;
            }
            int at = layout.columnOffset(c) + RowLayoutDescriptor.LENGTH_PREFIX;
            boolean shared = otherChunk != null && outOfLineLength(otherChunk, otherOff, c) == len
                    && otherChunk.getLong(otherOff + at) == chunk.getLong(off + at);
            sum += shared ? 0 : len;
        }
        return sum;
    }

    /** Length of the value of column {@code c} of the row at {@code off} when it lives in the heap, else -1. */
    private int outOfLineLength(MappedByteBuffer chunk, int off, int c) {
        int len = chunk.getInt(off + layout.columnOffset(c));
        boolean isNull = (chunk.get(off + layout.nullsOffset() + (c >>> 3)) & (1 << (c & 7))) != 0;
        return !isNull && len > layout.schema().column(c).capacity() ? len : -1;
    }
}
