package dev.larder.store.engine;

import dev.larder.store.StoreCorruptedException;
import dev.larder.store.StoreFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Stateless (thread-safe): opening, reserving, writing and mapping a table's data files. Files are created owner-only
 * whatever the umask, and none is opened through a symbolic link, so a link planted in a store directory can neither
 * redirect a write nor be read as ours; a data file that is missing or a link is damage, reported naming the file.
 */
public final class MappedFiles {
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private MappedFiles() {
    }

    /** Attributes of a new file readable and writable by its owner only (none where the file system is not POSIX). */
    public static FileAttribute<?>[] ownerOnlyFile() {
        return POSIX ? new FileAttribute<?>[] {
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
    }

    /**
     * Opens a table file, creating it new when {@code create}. An existing table whose file is gone is damaged, so a
     * missing file is reported as such (naming it), not as a bare I/O error.
     */
    public static FileChannel openReadWrite(Path file, boolean create) throws IOException {
        try {
            if (create) {
                return FileChannel.open(file, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                        StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS), ownerOnlyFile());
            }
            return FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            if (create) {
                throw e;
            }
            throw new StoreCorruptedException(file, "missing (deleted or moved while the table's metadata remains)");
        } catch (IOException e) {
            refuseLink(file);
            throw e;
        }
    }

    /**
     * Opens a table file for reading only (a read-only open of the table,
     * {@link dev.larder.store.FeatureStore#openReadOnly}); a missing file is damage, reported as such, as in
     * {@link #openReadWrite}.
     */
    public static FileChannel openReadOnly(Path file) throws IOException {
        try {
            return FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw new StoreCorruptedException(file, "missing (deleted or moved while the table's metadata remains)");
        } catch (IOException e) {
            refuseLink(file);
            throw e;
        }
    }

    /**
     * Called when opening {@code file} failed: a symbolic link where a store file belongs is damage, reported as such.
     */
    public static void refuseLink(Path file) {
        if (Files.isSymbolicLink(file)) {
            throw new StoreCorruptedException(file,
                    "is a symbolic link; Larder never follows links in a store directory");
        }
    }

    /**
     * Extends a file to {@code size} bytes with every block allocated now: a full disk is then an IOException here,
     * naming the file, instead of a fault (InternalError) at the first store into a hole of a sparse mapping. Where
     * {@link Fallocate} runs (Linux, native access enabled, as the CLI runs) the blocks are allocated without being
     * written; elsewhere zeros are written, one more write of the new region (about 10% of a 1M-row bootstrap,
     * BootstrapBenchmark). {@code file} must name the file {@code ch} has open.
     */
    public static void reserve(FileChannel ch, long size, Path file) throws IOException {
        long old = ch.size();
        long at = old;
        if (at >= size) {
            return;
        }
        try {
            // The size check guards against a path that no longer names the channel's file: then zeros are written.
            if (Fallocate.allocate(file, at, size - at) && ch.size() >= size) {
                return;
            }
            ByteBuffer zeros = ByteBuffer.allocateDirect((int) Math.min(RESERVE_CHUNK, size - at));
            while (at < size) {
                zeros.clear().limit((int) Math.min(zeros.capacity(), size - at));
                // In pages: the zeros' folios are the ones later row writes and mapped stores land in.
                at = writeInPages(ch, zeros, at);
            }
        } catch (IOException e) {
            // Give back what was reserved: a retry after space returns starts from the old size.
            try {
                ch.truncate(old);
            } catch (IOException ignored) {
                // The original failure is the one to report.
            }
            throw new IOException("cannot reserve " + size + " bytes for " + file + " (" + StoreFiles.describe(e) + ")",
                    e);
        }
    }

    /**
     * Writes {@code buf}'s remaining bytes at {@code pos} as one positional write per 4 KiB page, returning the
     * position after them. On kernels whose page cache sizes a file's folios by the write (ext4 since Linux 6.x), a 1
     * MiB write makes 1 MiB folios, and every later store through the mapping into one of them after writeback (a row
     * update, an index slot) faults for the whole folio and dirties it whole, so msync writes it back whole: a
     * single-page write keeps the folios at one page, which a mapped store then faults and writes back alone.
     */
    public static long writeInPages(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        int limit = buf.limit();
        try {
            while (buf.hasRemaining()) {
                long pageEnd = (pos | (PAGE_BYTES - 1)) + 1;
                buf.limit((int) Math.min(limit, buf.position() + (pageEnd - pos)));
                while (buf.hasRemaining()) {
                    pos += ch.write(buf, pos);
                }
                buf.limit(limit);
            }
        } finally {
            buf.limit(limit);
        }
        return pos;
    }

    private static final int PAGE_BYTES = 4096;

    /** Whether {@link #reserve} allocates blocks without writing them in this JVM. */
    public static boolean reservesWithoutWriting() {
        return Fallocate.available();
    }

    private static final int RESERVE_CHUNK = 1 << 20;

    public static MappedByteBuffer map(FileChannel ch, long position, long size) throws IOException {
        return ch.map(FileChannel.MapMode.READ_WRITE, position, size);
    }

    /** Maps a region of a file read-write ({@link #map}) or read-only ({@link #mapReadOnly}). */
    public static MappedByteBuffer map(FileChannel ch, long position, long size, boolean writable) throws IOException {
        return writable ? map(ch, position, size) : mapReadOnly(ch, position, size);
    }

    /** Maps a region of a file opened with {@link #openReadOnly}: stores into it throw ReadOnlyBufferException. */
    public static MappedByteBuffer mapReadOnly(FileChannel ch, long position, long size) throws IOException {
        return ch.map(FileChannel.MapMode.READ_ONLY, position, size);
    }
}
