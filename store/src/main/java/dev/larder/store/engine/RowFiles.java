package dev.larder.store.engine;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Stateless, thread-safe (mapping runs while the table opens, on its writer thread, or at a read-only refresh): the
 * row file of a table directory ({@link RowLayoutDescriptor}), mapped in chunks of a power-of-two number of row slots
 * and at most 1 GiB each.
 */
public final class RowFiles {
    /** A row chunk is at most 1 GiB so that one MappedByteBuffer (int-indexed) can hold it. */
    private static final long MAX_CHUNK_BYTES = 1L << 30;

    private RowFiles() {
    }

    /** Log2 of the row slots in one chunk, for slots of {@code rowSize} bytes ({@link TableView#rowChunk}). */
    public static int chunkShift(int rowSize) {
        return 63 - Long.numberOfLeadingZeros(MAX_CHUNK_BYTES / rowSize);
    }

    /**
     * Maps the first {@code rows} slots of {@code rowSize} bytes of the row file open at {@code ch}, read-write or
     * read-only, reusing each chunk of {@code current} (the mapping in use, or null) that keeps its size, so readers
     * of the old mapping and of the new one share those pages.
     */
    public static MappedByteBuffer[] map(FileChannel ch, long rows, int rowSize, MappedByteBuffer[] current,
            boolean writable) throws IOException {
        long perChunk = 1L << chunkShift(rowSize);
        int chunks = (int) ((rows + perChunk - 1) / perChunk);
        MappedByteBuffer[] out = new MappedByteBuffer[chunks];
        for (int c = 0; c < chunks; c++) {
            long first = c * perChunk;
            long count = Math.min(perChunk, rows - first);
            boolean reusable = current != null && c < current.length && current[c].capacity() == count * rowSize;
            out[c] = reusable ? current[c] : MappedFiles.map(ch, first * rowSize, count * rowSize, writable);
            out[c].order(ByteOrder.LITTLE_ENDIAN);
        }
        return out;
    }
}
