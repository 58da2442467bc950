package dev.larder.store.engine;

import dev.larder.store.FeatureStore;
import dev.larder.store.StoreCorruptedException;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Stateless; creating and removing run on the table's writer thread (or while the table opens), mapping an existing
 * file while it opens (read-write, or read-only for a read-only open): the index files of a table directory
 * ({@link IndexDescriptor}), one per index generation.
 */
public final class IndexFiles {
    private IndexFiles() {
    }

    /** The index file of {@code generation} in table directory {@code dir}. */
    public static Path path(Path dir, long generation) {
        return dir.resolve(IndexDescriptor.fileName(generation));
    }

    /** Creates (replacing any leftover) and maps the index file of {@code generation}, all slots EMPTY. */
    public static MappedByteBuffer[] create(Path dir, long generation, long slots) throws IOException {
        Path p = path(dir, generation);
        Files.deleteIfExists(p);
        try (FileChannel ch = MappedFiles.openReadWrite(p, true)) {
            MappedFiles.reserve(ch, slots * IndexDescriptor.SLOT_BYTES, p);
            return map(ch, slots, true);
        } catch (IOException e) {
            Files.deleteIfExists(p);
            throw e;
        }
    }

    /** Maps the existing index file of {@code generation}, which must hold exactly {@code slots} slots. */
    public static MappedByteBuffer[] open(Path dir, long generation, long slots) throws IOException {
        return open(dir, generation, slots, true);
    }

    /** As {@link #open(Path, long, long)}, mapped read-only (for {@link FeatureStore#openReadOnly}). */
    public static MappedByteBuffer[] openReadOnly(Path dir, long generation, long slots) throws IOException {
        return open(dir, generation, slots, false);
    }

    private static MappedByteBuffer[] open(Path dir, long generation, long slots, boolean writable) throws IOException {
        Path p = path(dir, generation);
        if (!Files.exists(p)) {
            throw new StoreCorruptedException(p, "missing (state.dat names index generation " + generation + ")");
        }
        try (FileChannel ch = writable ? MappedFiles.openReadWrite(p, false) : MappedFiles.openReadOnly(p)) {
            IndexDescriptor.checkIndexFile(p, ch.size(), slots);
            return map(ch, slots, writable);
        }
    }

    private static MappedByteBuffer[] map(FileChannel ch, long slots, boolean writable) throws IOException {
        int chunks = (int) ((slots + IndexDescriptor.SLOTS_PER_CHUNK - 1) / IndexDescriptor.SLOTS_PER_CHUNK);
        MappedByteBuffer[] out = new MappedByteBuffer[chunks];
        for (int c = 0; c < chunks; c++) {
            long first = c * IndexDescriptor.SLOTS_PER_CHUNK;
            long count = Math.min(IndexDescriptor.SLOTS_PER_CHUNK, slots - first);
            long at = first * IndexDescriptor.SLOT_BYTES;
            long bytes = count * IndexDescriptor.SLOT_BYTES;
            out[c] = writable ? MappedFiles.map(ch, at, bytes) : MappedFiles.mapReadOnly(ch, at, bytes);
            out[c].order(ByteOrder.LITTLE_ENDIAN);
        }
        return out;
    }

    /** Deletes every index file but the live generation's (left by a crash or by an index rebuild). */
    public static void removeAllBut(Path dir, long liveGeneration) throws IOException {
        String live = IndexDescriptor.fileName(liveGeneration);
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, IndexDescriptor.FILE_GLOB)) {
            for (Path p : ds) {
                if (!p.getFileName().toString().equals(live)) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
