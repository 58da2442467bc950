package dev.larder.store.engine;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Stateless, thread-safe (mapping runs while the table opens, on its writer thread, or at a read-only refresh): the
 * heap file of a table directory ({@link HeapDescriptor}), mapped in chunks of {@link HeapDescriptor#CHUNK_BYTES}.
 */
public final class HeapFiles {
    private HeapFiles() {
    }

    /**
     * Maps the first {@code capacity} bytes of the heap file open at {@code ch}, read-write or read-only, reusing each
     * chunk of {@code current} (the mapping in use, or null) that keeps its size.
     */
    public static MappedByteBuffer[] map(FileChannel ch, long capacity, MappedByteBuffer[] current, boolean writable)
            throws IOException {
        int chunks = (int) ((capacity + HeapDescriptor.CHUNK_BYTES - 1) >>> HeapDescriptor.CHUNK_SHIFT);
        MappedByteBuffer[] out = new MappedByteBuffer[chunks];
        for (int c = 0; c < chunks; c++) {
            long first = (long) c << HeapDescriptor.CHUNK_SHIFT;
            long size = Math.min(HeapDescriptor.CHUNK_BYTES, capacity - first);
            boolean reusable = current != null && c < current.length && current[c].capacity() == size;
            out[c] = reusable ? current[c] : MappedFiles.map(ch, first, size, writable);
        }
        return out;
    }
}
