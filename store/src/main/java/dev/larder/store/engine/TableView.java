package dev.larder.store.engine;

import dev.larder.store.FeatureTable;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;

/**
 * Immutable, thread-safe: the set of mappings (row chunks and index chunks) that readers use for one lookup. The
 * writer publishes a new view (a volatile store in {@link FeatureTable}) after growing the rows file or switching to a
 * rebuilt index; a reader that still holds an old view keeps its mappings alive, and the JVM unmaps them only once no
 * reader can reach them, so retiring a generation never pulls memory from under a reader.
 */
public final class TableView {
    public static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    public final MappedByteBuffer[] rowChunks;
    public final int rowChunkShift;
    final long rowChunkMask;
    public final long rowCapacity;
    public final int rowSize;
    public final MappedByteBuffer[] indexChunks;
    public final long indexSlots;
    public final long indexGeneration;
    public final MappedByteBuffer[] heapChunks;
    public final long heapCapacity;

    public TableView(MappedByteBuffer[] rowChunks, int rowChunkShift, long rowCapacity, int rowSize,
              MappedByteBuffer[] indexChunks, long indexSlots, long indexGeneration,
              MappedByteBuffer[] heapChunks, long heapCapacity) {
        this.rowChunks = rowChunks;
        this.rowChunkShift = rowChunkShift;
        this.rowChunkMask = (1L << rowChunkShift) - 1;
        this.rowCapacity = rowCapacity;
        this.rowSize = rowSize;
        this.indexChunks = indexChunks;
        this.indexSlots = indexSlots;
        this.indexGeneration = indexGeneration;
        this.heapChunks = heapChunks;
        this.heapCapacity = heapCapacity;
    }

    public TableView withRows(MappedByteBuffer[] chunks, long capacity) {
        return new TableView(chunks, rowChunkShift, capacity, rowSize, indexChunks, indexSlots, indexGeneration,
                heapChunks, heapCapacity);
    }

    public TableView withIndex(MappedByteBuffer[] chunks, long slots, long generation) {
        return new TableView(rowChunks, rowChunkShift, rowCapacity, rowSize, chunks, slots, generation, heapChunks,
                heapCapacity);
    }

    public TableView withHeap(MappedByteBuffer[] chunks, long capacity) {
        return new TableView(rowChunks, rowChunkShift, rowCapacity, rowSize, indexChunks, indexSlots, indexGeneration,
                chunks, capacity);
    }

    /** Copies heap bytes; a value never straddles two heap chunks. */
    public void readHeap(long offset, byte[] dst, int dstOffset, int length) {
        heapChunks[(int) (offset >>> HeapDescriptor.CHUNK_SHIFT)].get((int) (offset & HeapDescriptor.CHUNK_MASK), dst,
                dstOffset, length);
    }

    /**
     * The slot a fingerprint probes first: its fraction of the 32-bit range scaled to the slot count (multiply-shift),
     * so any slot count works and home order is fingerprint order; for a power of two it is the fingerprint's top bits,
     * as stores written before any other size was used expect.
     */
    public long home(int fingerprint) {
        return ((fingerprint & 0xFFFF_FFFFL) * indexSlots) >>> 32;
    }

    /** The slot probed after {@code pos}: the next one, wrapping to 0 past the last. */
    public long next(long pos) {
        long n = pos + 1;
        return n == indexSlots ? 0 : n;
    }

    public long slotAcquire(long pos) {
        return (long) LONG.getAcquire(indexChunks[(int) (pos >>> IndexDescriptor.CHUNK_SHIFT)],
                (int) (pos & (IndexDescriptor.SLOTS_PER_CHUNK - 1)) << 3);
    }

    public void slotRelease(long pos, long value) {
        LONG.setRelease(indexChunks[(int) (pos >>> IndexDescriptor.CHUNK_SHIFT)],
                (int) (pos & (IndexDescriptor.SLOTS_PER_CHUNK - 1)) << 3, value);
    }

    public MappedByteBuffer rowChunk(long row) {
        return rowChunks[(int) (row >>> rowChunkShift)];
    }

    public int rowOffset(long row) {
        return (int) (row & rowChunkMask) * rowSize;
    }
}
