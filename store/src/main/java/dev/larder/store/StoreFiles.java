package dev.larder.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.regex.Pattern;

/**
 * File helpers shared by the store (and the command line's status file): owner-only creation, atomic replacement,
 * directory fsync, mapping, name validation. Files are created owner-only whatever the umask, and no file is opened
 * through a symbolic link, so a link planted in a store directory can neither redirect a write nor be read as ours.
 * Stateless.
 */
public final class StoreFiles {
    /** A table directory's lock file: held by the process whose writer owns the table. */
    static final String WRITER_LOCK = "writer.lock";
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");

    private StoreFiles() {
    }

    static FileAttribute<?>[] ownerOnlyFile() {
        return POSIX ? new FileAttribute<?>[] {
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
    }

    static FileAttribute<?>[] ownerOnlyDirectory() {
        return POSIX ? new FileAttribute<?>[] {
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))}
                : new FileAttribute<?>[0];
    }

    static void createDirectory(Path dir) {
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, ownerOnlyDirectory());
            }
        } catch (IOException e) {
            throw new StoreException("cannot create directory " + dir + ": " + describe(e), e);
        }
    }

    static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /**
     * An I/O failure as an operator should read it: file-system exceptions carry only the path in their message, so
     * a refused access would print as a bare path; it reads {@code permission denied: PATH} instead.
     */
    public static String describe(IOException e) {
        if (e instanceof AccessDeniedException a) {
            return "permission denied: " + a.getFile() + (a.getReason() == null ? "" : " (" + a.getReason() + ")");
        }
        if (e instanceof NoSuchFileException n) {
            return "no such file or directory: " + n.getFile();
        }
        if (e instanceof FileSystemException f && f.getReason() == null) {
            return f.getClass().getSimpleName() + ": " + f.getMessage();
        }
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    static boolean isValidName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /** A table name is one path element: it can never escape the store directory. */
    static String checkName(String name) {
        if (!isValidName(name)) {
            throw new IllegalArgumentException("invalid table name '" + name
                    + "': use 1-128 characters of letters, digits, '_', '.' and '-', not starting with '.' or '-'");
        }
        return name;
    }

    /**
     * Opens a table file, creating it new when {@code create}. An existing table whose file is gone is damaged, so a
     * missing file is reported as such (naming it), not as a bare I/O error.
     */
    static FileChannel openReadWrite(Path file, boolean create) throws IOException {
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
     * Opens a table file for reading only (a read-only open of the table, {@link FeatureStore#openReadOnly}); a missing
     * file is damage, reported as such, as in {@link #openReadWrite}.
     */
    static FileChannel openReadOnly(Path file) throws IOException {
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
    static void refuseLink(Path file) {
        if (Files.isSymbolicLink(file)) {
            throw new StoreCorruptedException(file,
                    "is a symbolic link; Larder never follows links in a store directory");
        }
    }

    /**
     * Replaces {@code target} with {@code content} so that a crash leaves either the old or the new content: the bytes
     * go to {@code <target>.tmp}, created new and owner-only after removing whatever is there (a file or a planted link
     * is deleted, never followed), are forced to disk, and the temporary file is renamed over the target (renaming
     * replaces a link at the target instead of writing through it); then the directory is synced.
     */
    public static void replaceAtomically(Path target, byte[] content) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try (FileChannel ch = FileChannel.open(tmp,
                java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                ownerOnlyFile())) {
            ByteBuffer buf = ByteBuffer.wrap(content);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        fsyncDirectory(target.toAbsolutePath().getParent());
    }

    /**
     * Extends a file to {@code size} bytes with every block allocated now: a full disk is then an IOException here,
     * naming the file, instead of a fault (InternalError) at the first store into a hole of a sparse mapping. Where
     * {@link Fallocate} runs (Linux, native access enabled, as the CLI runs) the blocks are allocated without being
     * written; elsewhere zeros are written, one more write of the new region (about 10% of a 1M-row bootstrap,
     * BootstrapBenchmark). {@code file} must name the file {@code ch} has open.
     */
    static void reserve(FileChannel ch, long size, Path file) throws IOException {
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
            throw new IOException("cannot reserve " + size + " bytes for " + file + " (" + describe(e) + ")", e);
        }
    }

    /**
     * Writes {@code buf}'s remaining bytes at {@code pos} as one positional write per 4 KiB page, returning the
     * position after them. On kernels whose page cache sizes a file's folios by the write (ext4 since Linux 6.x), a 1
     * MiB write makes 1 MiB folios, and every later store through the mapping into one of them after writeback (a row
     * update, an index slot) faults for the whole folio and dirties it whole, so msync writes it back whole: a
     * single-page write keeps the folios at one page, which a mapped store then faults and writes back alone.
     */
    static long writeInPages(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
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
    static boolean reservesWithoutWriting() {
        return Fallocate.available();
    }

    private static final int RESERVE_CHUNK = 1 << 20;

    static MappedByteBuffer map(FileChannel ch, long position, long size) throws IOException {
        return ch.map(FileChannel.MapMode.READ_WRITE, position, size);
    }

    /** Maps a region of a file opened with {@link #openReadOnly}: stores into it throw ReadOnlyBufferException. */
    static MappedByteBuffer mapReadOnly(FileChannel ch, long position, long size) throws IOException {
        return ch.map(FileChannel.MapMode.READ_ONLY, position, size);
    }
}
