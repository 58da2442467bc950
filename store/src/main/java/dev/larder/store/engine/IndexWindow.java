package dev.larder.store.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Confined to the table's writer thread: writes index slots in ascending order through a 1 MiB window and positional
 * writes, so building an index of millions of entries takes no page fault per page of the new file; slots never written
 * stay zero (EMPTY).
 */
public final class IndexWindow implements AutoCloseable {
    private static final int SLOTS = 1 << 17;
    private final FileChannel channel;
    private final long slots;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(SLOTS * IndexDescriptor.SLOT_BYTES)
            .order(ByteOrder.LITTLE_ENDIAN);
    private long first = -1;

    public IndexWindow(Path file, long slots) throws IOException {
        this.channel = MappedFiles.openReadWrite(file, false);
        this.slots = slots;
    }

    public void put(long slot, long entry) throws IOException {
        if (first < 0 || slot >= first + SLOTS) {
            flush();
            first = slot & -SLOTS;
        }
        buffer.putLong((int) (slot - first) * IndexDescriptor.SLOT_BYTES, entry);
    }

    private void flush() throws IOException {
        if (first < 0) {
            return;
        }
        int bytes = (int) Math.min(SLOTS, slots - first) * IndexDescriptor.SLOT_BYTES;
        buffer.limit(bytes).position(0);
        MappedFiles.writeInPages(channel, buffer, first * IndexDescriptor.SLOT_BYTES);
        buffer.clear();
        buffer.put(0, new byte[SLOTS * IndexDescriptor.SLOT_BYTES]);
        first = -1;
    }

    @Override
    public void close() throws IOException {
        try {
            flush();
        } finally {
            channel.close();
        }
    }
}
