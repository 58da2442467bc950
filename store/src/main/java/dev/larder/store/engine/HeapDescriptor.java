package dev.larder.store.engine;

import dev.larder.store.StoreCorruptedException;
import java.nio.file.Path;

/**
 * Thread-safe (constants and a static check): layout of {@code heap.dat}: the append-only home of STRING/BINARY/OPAQUE
 * values longer than their column's inline capacity. The writer appends a value's bytes, then publishes the row that
 * points to it, so a reader that sees the row sees the bytes; appended bytes are never modified, so reading them needs
 * no validation beyond the row's. An update that leaves a value unchanged points its new row to the same bytes instead
 * of appending them again.
 *
 * <pre>
 *  row slot of an out-of-line value (see {@link RowLayoutDescriptor}):
 *  +----------------------+----------------------------+----------------------+
 *  | int32 length (> cap) | int64 heap offset          | rest of inline area  |
 *  +----------------------+----------------------------+----------------------+
 *
 *  heap.dat:
 *  +---------------------+--------------+---------------------+-------- ... --+
 *  | value bytes         | value bytes  | (skipped tail)      | next 1 GiB    |
 *  +---------------------+--------------+---------------------+-------- ... --+
 *  a value never straddles a 1 GiB chunk boundary (chunks are separate mappings); heapSize in state.dat is the
 *  append position; replaced values become garbage (counted in heapGarbage) until a rebuild rewrites the table.
 * </pre>
 */
public final class HeapDescriptor {
    public static final int CHUNK_SHIFT = 30;
    public static final long CHUNK_BYTES = 1L << CHUNK_SHIFT;
    public static final long CHUNK_MASK = CHUNK_BYTES - 1;
    /** The first size of a heap (then doubled): small, since a table of a few rows may hold one long value. */
    public static final long MIN_CAPACITY = 4 * 1024;
    public static final String FILE = "heap.dat";

    private HeapDescriptor() {
    }

    /**
     * Checks that {@code heapFile}, of {@code fileSize} bytes, holds the {@code heapCapacity} bytes state.dat maps.
     *
     * @throws StoreCorruptedException naming the file, its size and the size expected otherwise
     */
    public static void checkHeapFile(Path heapFile, long fileSize, long heapCapacity) {
        if (fileSize < heapCapacity) {
            throw new StoreCorruptedException(heapFile, "truncated: " + fileSize + " bytes, expected at least "
                    + heapCapacity);
        }
    }
}
