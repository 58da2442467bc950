package dev.larder.store;

import dev.larder.store.engine.MappedFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
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
 * Stateless (thread-safe): file helpers shared by the store (and the command line's status file): owner-only
 * creation, atomic replacement, directory fsync, name validation ({@link MappedFiles} opens and maps a table's data
 * files). Files are created owner-only whatever the umask, and no file is opened through a symbolic link, so a link
 * planted in a store directory can neither redirect a write nor be read as ours.
 */
public final class StoreFiles {
    /** A table directory's lock file: held by the process whose writer owns the table. */
    static final String WRITER_LOCK = "writer.lock";
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");

    private StoreFiles() {
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
                MappedFiles.ownerOnlyFile())) {
            ByteBuffer buf = ByteBuffer.wrap(content);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        fsyncDirectory(target.toAbsolutePath().getParent());
    }







}
