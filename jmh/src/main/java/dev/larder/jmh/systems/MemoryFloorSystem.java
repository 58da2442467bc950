package dev.larder.jmh.systems;

import dev.larder.jmh.Dataset;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Not a key-value store but the baseline every lookup pays: one random 8-byte read from a memory-mapped file with
 * Larder's row size and row count, i.e. a single cache and TLB miss, no index. Any single-key get over data this much
 * larger than the caches costs at least this on the machine at hand, which is what the absolute bars must be read
 * against.
 */
final class MemoryFloorSystem implements KvSystem {
    private final Path dir;
    private final int rowSize = Dataset.schema().rowSize();
    private MappedByteBuffer rows;

    MemoryFloorSystem(Path dir) {
        this.dir = dir;
    }

    @Override
    public String name() {
        return Systems.FLOOR;
    }

    @Override
    public String detail() {
        return rowSize + "-byte rows";
    }

    @Override
    public void load(int keys) {
        long bytes = (long) keys * rowSize;
        if (bytes > Integer.MAX_VALUE) {
            throw new SystemUnavailableException("the floor baseline maps at most 2 GiB (" + keys + " rows of "
                    + rowSize + " B asked)", null);
        }
        try (FileChannel ch = FileChannel.open(dir.resolve("floor.dat"), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(1), bytes - 1);
            rows = ch.map(FileChannel.MapMode.READ_WRITE, 0, bytes);
        } catch (IOException e) {
            throw new SystemUnavailableException("cannot map the floor file: " + e.getMessage(), e);
        }
        rows.order(ByteOrder.LITTLE_ENDIAN);
        for (int k = 0; k < keys; k++) {
            rows.putDouble(k * rowSize, Dataset.feature(k, 1, 0));
        }
    }

    @Override
    public Reader newReader() {
        MappedByteBuffer r = rows;
        int size = rowSize;
        return key -> r.getDouble((int) key * size);
    }

    @Override
    public Updater newUpdater() {
        MappedByteBuffer r = rows;
        int size = rowSize;
        return (key, version) -> r.putDouble((int) key * size, Dataset.feature(key, version, 0));
    }

    @Override
    public void close() {
        rows = null;
    }
}
