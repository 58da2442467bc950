package dev.larder;

import dev.larder.store.FeatureTable;
import dev.larder.store.MemoryUse;
import java.time.Duration;

/**
 * Immutable: one generation of a table as its files hold it, for tools that look at a store ({@code larder stats}):
 * every generation directory, the current one and those an unfinished or replaced bootstrap left, and a table whose
 * files cannot be opened, with the error. From {@link Larder#tableFiles(long)}.
 *
 * @param table        the table's name
 * @param generation   its directory's name ({@code table} or {@code table.g<N>})
 * @param current      whether readers of the table read this generation
 * @param generations  how many generation directories the table has
 * @param error        why the generation cannot be opened (its files are damaged or missing, or may not be read);
 *                     null when it opened, and only then are the fields below set
 * @param rows         live rows
 * @param rowBytes     bytes of one row slot
 * @param ttl          how long a row is served after its commit time; {@link Duration#ZERO} for ever
 * @param lineage      what the generation reflects: source, watermark version and its commit time
 * @param openForWrite whether a writer has it open, or last left it without closing it cleanly
 * @param memory       its off-heap size against the bytes of its values
 */
public record TableFiles(String table, String generation, boolean current, int generations, RuntimeException error,
                         long rows, int rowBytes, Duration ttl, Lineage lineage, boolean openForWrite,
                         Memory memory) {

    /** A generation that opened; its memory measured over up to {@code sampleRows} rows, read consistently. */
    static TableFiles of(String table, String generation, boolean current, int generations, FeatureTable t,
                         long sampleRows) {
        MemoryUse m = t.readConsistently(() -> t.memoryUse(sampleRows));
        return new TableFiles(table, generation, current, generations, null, t.size(), t.rowSize(), t.ttl(),
                Lineage.of(t.lineage()), t.openForWrite(), new Memory(m.liveRows(), m.rowsBytes(), m.indexBytes(),
                m.heapBytes(), m.heapGarbage(), m.sampledRows(), m.payloadPerRow()));
    }

    /** A generation that cannot be opened, and why. */
    static TableFiles failed(String table, String generation, boolean current, int generations, RuntimeException e) {
        return new TableFiles(table, generation, current, generations, e, 0, 0, null, null, false, null);
    }

    /**
     * Immutable: a generation's off-heap bytes against the bytes of its values (its payload: a fixed-width value its
     * width, a string or binary its length, a null nothing, the key once); everything else is overhead.
     *
     * @param liveRows      live rows
     * @param rowsBytes     bytes of rows.dat mapped (every slot of its capacity, used or not)
     * @param indexBytes    bytes of the current index file
     * @param heapBytes     bytes of heap.dat mapped (values longer than their inline capacity)
     * @param heapGarbage   bytes of heap.dat holding values since replaced or deleted, reclaimed by a rebuild
     * @param sampledRows   live rows the payload was measured over
     * @param payloadPerRow mean payload bytes of the sampled rows; 0 when none was sampled
     */
    public record Memory(long liveRows, long rowsBytes, long indexBytes, long heapBytes, long heapGarbage,
                         long sampledRows, double payloadPerRow) {

        /** Bytes of the row, index and heap files: what the generation maps and the disk holds. */
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
}
