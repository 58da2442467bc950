package dev.larder.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.regex.Pattern;

/** File helpers shared by the store: owner-only creation, directory fsync, mapping, name validation. Stateless. */
final class StoreFiles {
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");

    private StoreFiles() {
    }

    static FileAttribute<?>[] ownerOnlyFile() {
        return POSIX ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
    }

    static FileAttribute<?>[] ownerOnlyDirectory() {
        return POSIX ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))}
                : new FileAttribute<?>[0];
    }

    static void createDirectory(Path dir) {
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, ownerOnlyDirectory());
            }
        } catch (IOException e) {
            throw new StoreException("cannot create directory " + dir + ": " + e.getMessage(), e);
        }
    }

    static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** A table name is one path element: it can never escape the store directory. */
    static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid table name '" + name
                    + "': use 1-128 characters of letters, digits, '_', '.' and '-', not starting with '.' or '-'");
        }
        return name;
    }

    static FileChannel openReadWrite(Path file, boolean create) throws IOException {
        if (create) {
            return FileChannel.open(file, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE),
                    ownerOnlyFile());
        }
        return FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    /**
     * Extends a file to {@code size} bytes by writing zeros, so the file system allocates every block now: a full disk
     * is then an IOException here, naming the file, instead of a fault (InternalError) at the first store into a hole
     * of a sparse mapping. Writing zeros costs about what the page faults of a sparse file would.
     */
    static void reserve(FileChannel ch, long size, Path file) throws IOException {
        long old = ch.size();
        long at = old;
        if (at >= size) {
            return;
        }
        ByteBuffer zeros = ByteBuffer.allocateDirect((int) Math.min(RESERVE_CHUNK, size - at));
        try {
            while (at < size) {
                zeros.clear().limit((int) Math.min(zeros.capacity(), size - at));
                while (zeros.hasRemaining()) {
                    at += ch.write(zeros, at);
                }
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

    private static final int RESERVE_CHUNK = 1 << 20;

    /** An I/O failure's reason in words: "no space left on device" rather than a bare exception class. */
    static String describe(IOException e) {
        String m = e.getMessage();
        return m == null || m.isEmpty() ? e.getClass().getSimpleName() : m;
    }

    static MappedByteBuffer map(FileChannel ch, long position, long size) throws IOException {
        return ch.map(FileChannel.MapMode.READ_WRITE, position, size);
    }
}
