package dev.larder.store;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A store directory holding named tables, one sub-directory each (created owner-only, 0700/0600). Opening and creating
 * tables is thread-safe; each table then follows its own single-writer, many-readers contract ({@link FeatureTable}).
 */
public final class FeatureStore implements AutoCloseable {
    /** The files a table's data lives in besides its metadata (see {@link FeatureTable}). */
    private static final DirectoryStream.Filter<Path> DATA_FILES = p -> {
        String f = p.getFileName().toString();
        return f.equals("state.dat") || f.equals("rows.dat") || f.equals(HeapDescriptor.FILE)
                || f.startsWith("index-") && f.endsWith(".dat");
    };

    private final Path dir;
    private final InstantSource clock;
    private final Map<String, FeatureTable> open = new ConcurrentHashMap<>();

    private FeatureStore(Path dir, InstantSource clock) {
        this.dir = dir;
        this.clock = clock;
    }

    /** Opens (creating if needed) the store directory; tables are opened on demand. */
    public static FeatureStore open(Path dir) {
        return open(dir, InstantSource.system());
    }

    public static FeatureStore open(Path dir, InstantSource clock) {
        StoreFiles.createDirectory(dir);
        return new FeatureStore(dir.toAbsolutePath(), clock);
    }

    /**
     * Opens a store directory that must already exist, creating nothing: for tools that only read or repair a store,
     * where a mistyped path must fail rather than leave an empty store behind.
     *
     * @throws StoreException "no store at DIR" when the directory does not exist or is not a directory
     */
    public static FeatureStore openExisting(Path dir) {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(dir, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new StoreException("no store at " + dir);
        } catch (IOException e) {
            throw new StoreException("cannot open store " + dir + ": " + StoreFiles.describe(e), e);
        }
        if (!attributes.isDirectory()) {
            throw new StoreException("no store at " + dir + " (not a directory)");
        }
        return new FeatureStore(dir.toAbsolutePath(), InstantSource.system());
    }

    public Path directory() {
        return dir;
    }

    /** Names of the tables on disk, sorted. */
    public List<String> tableNames() {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (Files.exists(p.resolve(TableMetadata.FILE))) {
                    names.add(p.getFileName().toString());
                }
            }
        } catch (IOException e) {
            throw new StoreException("cannot list " + dir + ": " + StoreFiles.describe(e), e);
        }
        Collections.sort(names);
        return names;
    }

    /**
     * Names of sub-directories that look like tables but cannot be opened, sorted: data files without a
     * {@code table.properties} (deleted, or a create that never finished), or a directory this process may not inspect.
     * {@link #tableNames} leaves them out; listings for operators show them with the error {@link #table} throws for
     * them ({@link StoreCorruptedException} naming the missing file, or "permission denied" naming the path).
     */
    public List<String> damagedTableNames() {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, Files::isDirectory)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (!StoreFiles.isValidName(name)) {
                    continue;
                }
                try {
                    if (!hasMetadata(p) && holdsDataFiles(p)) {
                        names.add(name);
                    }
                } catch (IOException e) {
                    names.add(name);
                }
            }
        } catch (IOException e) {
            throw new StoreException("cannot list " + dir + ": " + StoreFiles.describe(e), e);
        }
        Collections.sort(names);
        return names;
    }

    /** Whether {@code table.properties} is there; throws when that cannot be told, e.g. permission denied. */
    private static boolean hasMetadata(Path table) throws IOException {
        try {
            Files.readAttributes(table.resolve(TableMetadata.FILE), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return true;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    private static boolean holdsDataFiles(Path table) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(table, DATA_FILES)) {
            return ds.iterator().hasNext();
        }
    }

    /** Throws unless the table's metadata file exists: damaged when data files remain, else there is no such table. */
    private static void checkMetadataExists(String name, Path table) {
        boolean damaged;
        try {
            if (hasMetadata(table)) {
                return;
            }
            damaged = Files.isDirectory(table) && holdsDataFiles(table);
        } catch (IOException e) {
            throw new StoreException("cannot open table " + name + ": " + StoreFiles.describe(e), e);
        }
        if (damaged) {
            throw new StoreCorruptedException(table.resolve(TableMetadata.FILE),
                    "missing while the table's data files remain (deleted, or a load that never finished)");
        }
        throw new StoreException("no table " + name + " at " + table + " (missing " + TableMetadata.FILE + ")");
    }

    public boolean exists(String name) {
        return Files.exists(dir.resolve(StoreFiles.checkName(name)).resolve(TableMetadata.FILE));
    }

    /**
     * The metadata (schema, TTL, lineage) of a table on disk, read without opening the table: no mapping, no lock, so it
     * works while the table's data files are damaged, e.g. to find the Delta table to rebuild it from.
     *
     * @throws StoreCorruptedException naming {@code table.properties} when that file itself is damaged
     */
    public TableMetadata metadata(String name) {
        Path t = dir.resolve(StoreFiles.checkName(name));
        checkMetadataExists(name, t);
        return TableMetadata.read(t);
    }

    /** Creates a new table; fails if one with that name exists. */
    public synchronized FeatureTable create(String name, FeatureSchema schema, TableOptions options) {
        StoreFiles.checkName(name);
        FeatureTable t = FeatureTable.create(name, dir.resolve(name), schema, options);
        open.put(name, t);
        return t;
    }

    /** The open table of that name, opening it (mapping its files, recovering after an unclean close) if needed. */
    public synchronized FeatureTable table(String name) {
        StoreFiles.checkName(name);
        FeatureTable t = open.get(name);
        if (t == null) {
            checkMetadataExists(name, dir.resolve(name));
            t = FeatureTable.open(name, dir.resolve(name), clock);
            open.put(name, t);
        }
        return t;
    }

    /** Deletes a table's files; the table must not be open in this store. */
    public synchronized void drop(String name) {
        StoreFiles.checkName(name);
        if (open.containsKey(name)) {
            throw new StoreException("table " + name + " is open; close it before dropping");
        }
        Path t = dir.resolve(name);
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(t)) {
            for (Path p : ds) {
                Files.delete(p);
            }
            Files.delete(t);
        } catch (IOException e) {
            throw new StoreException("cannot drop table " + name + ": " + StoreFiles.describe(e), e);
        }
    }

    /** Closes one table (syncing it) and forgets it. */
    public synchronized void close(String name) {
        FeatureTable t = open.remove(name);
        if (t != null) {
            t.close();
        }
    }

    @Override
    public synchronized void close() {
        for (FeatureTable t : open.values()) {
            t.close();
        }
        open.clear();
    }
}
