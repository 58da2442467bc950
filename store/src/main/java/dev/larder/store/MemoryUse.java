package dev.larder.store;

/**
 * A table's off-heap size against the bytes of its values, for memory reports ({@link FeatureTable#memoryUse}).
 * Immutable.
 *
 * <p>The payload is what the values themselves take: a fixed-width value its width, a string or binary its length, a
 * null nothing, the key once. Everything else is overhead: each row's header, key copy, null bitmap, padding and unused
 * inline bytes, the free slots of rows.dat's capacity, the index, and heap.dat's garbage and unused capacity.
 *
 * @param liveRows      live rows
 * @param rowSize       bytes of one row slot in rows.dat
 * @param rowsBytes     bytes of rows.dat mapped (every slot of its capacity, used or not)
 * @param indexBytes    bytes of the current index generation
 * @param heapBytes     bytes of heap.dat mapped (values longer than their inline capacity)
 * @param heapGarbage   bytes of heap.dat holding values since replaced or deleted, reclaimed by a rebuild
 * @param sampledRows   live rows the payload was measured over
 * @param payloadPerRow mean payload bytes of the sampled rows; 0 when none was sampled
 */
public record MemoryUse(long liveRows, int rowSize, long rowsBytes, long indexBytes, long heapBytes, long heapGarbage,
                        long sampledRows, double payloadPerRow) {

    /** Bytes of the row, index and heap files: what the table maps and the disk holds. */
    public long offHeapBytes() {
        return rowsBytes + indexBytes + heapBytes;
    }

    /** {@link #offHeapBytes()} per live row; 0 for an empty table. */
    public double bytesPerRow() {
        return liveRows == 0 ? 0 : (double) offHeapBytes() / liveRows;
    }

    /** {@link #bytesPerRow()} over {@link #payloadPerRow()}: 1.0 would be the values alone; 0 when unknown. */
    public double ratioToPayload() {
        return payloadPerRow == 0 ? 0 : bytesPerRow() / payloadPerRow;
    }
}
