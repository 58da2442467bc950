package dev.larder.store;

import dev.larder.store.engine.HeapDescriptor;
import dev.larder.store.engine.IndexDescriptor;
import dev.larder.store.engine.MappedFiles;
import dev.larder.store.engine.RowLayoutDescriptor;
import dev.larder.store.engine.StateDescriptor;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A store directory holding named tables, one sub-directory per generation of each ({@link Generations}; created
 * owner-only, 0700/0600). A table's name resolves to its current generation. Opening and creating
 * tables is thread-safe; each table then follows its own single-writer, many-readers contract ({@link FeatureTable}).
 */
public final class FeatureStore implements AutoCloseable {
    /** The files a table's data lives in besides its metadata (see {@link FeatureTable}). */
    private static final DirectoryStream.Filter<Path> DATA_FILES = p -> {
        String f = p.getFileName().toString();
        return f.equals(StateDescriptor.FILE) || f.equals(RowLayoutDescriptor.FILE) || f.equals(HeapDescriptor.FILE)
                || f.startsWith(IndexDescriptor.FILE_PREFIX) && f.endsWith(IndexDescriptor.FILE_SUFFIX);
    };

    /** Attempts of a read-only open to catch the table's current generation while a writer swaps in a new one. */
    private static final int READ_ONLY_GENERATION_ATTEMPTS = 3;

    private final Path dir;
    private final InstantSource clock;
    private final boolean readOnly;
    private final Map<String, FeatureTable> open = new ConcurrentHashMap<>();

    private FeatureStore(Path dir, InstantSource clock, boolean readOnly) {
        this.dir = dir;
        this.clock = clock;
        this.readOnly = readOnly;
    }

    /** Opens (creating if needed) the store directory; tables are opened on demand. */
    public static FeatureStore open(Path dir) {
        return open(dir, InstantSource.system());
    }

    public static FeatureStore open(Path dir, InstantSource clock) {
        StoreFiles.createDirectory(dir);
        return new FeatureStore(dir.toAbsolutePath(), clock, false);
    }

    /**
     * Opens a store directory that must already exist, creating nothing: for tools that only read or repair a store,
     * where a mistyped path must fail rather than leave an empty store behind.
     *
     * @throws StoreException "no store at DIR" when the directory does not exist or is not a directory
     */
    public static FeatureStore openExisting(Path dir) {
        checkExists(dir);
        return new FeatureStore(dir.toAbsolutePath(), InstantSource.system(), false);
    }

    /**
     * Opens an existing store for reading only, beside its writer (a running {@code follow}, in this or another
     * process): its tables' files are mapped read-only; no lock is taken, nothing is recovered, created or written.
     * A table opened here shows the newest version its writer had published when it opened (the watermark in
     * state.dat); a version being applied at that moment shows its rows one by one, as live readers see them, and a
     * table left by a crash is read as it was left, until a writer opens and recovers it. Rows the writer puts beyond
     * the files as mapped (it grew them or switched index files) are seen after {@link FeatureTable#refresh()}; read
     * through {@link FeatureTable#readConsistently} for an answer that holds for one published layout. Creating,
     * dropping and writing tables is refused.
     *
     * @throws StoreException "no store at DIR" when the directory does not exist or is not a directory
     */
    public static FeatureStore openReadOnly(Path dir) {
        checkExists(dir);
        return new FeatureStore(dir.toAbsolutePath(), InstantSource.system(), true);
    }

    private static void checkExists(Path dir) {
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
    }

    /** Whether this store was opened with {@link #openReadOnly}. */
    public boolean isReadOnly() {
        return readOnly;
    }

    private void checkWritable(String what) {
        if (readOnly) {
            throw new StoreException("cannot " + what + ": store " + dir + " is open read-only");
        }
    }

    public Path directory() {
        return dir;
    }

    /** Names of the table directories on disk (every generation of every table), sorted. */
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
            Files.readAttributes(table.resolve(TableMetadata.FILE), BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
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

    /** The generations of {@code table} on disk ({@link Generations}), ascending. */
    public List<Long> generations(String table) {
        Generations.checkTableName(table);
        List<Long> out = new ArrayList<>();
        for (String name : tableNames()) {
            long g = Generations.parse(table, name);
            if (g >= 0) {
                out.add(g);
            }
        }
        Collections.sort(out);
        return out;
    }

    /**
     * Whether table {@code name} exists in any generation ({@code name} a generation's directory: whether it exists).
     */
    public boolean exists(String name) {
        if (Generations.isGenerationName(StoreFiles.checkName(name))) {
            return Files.exists(dir.resolve(name).resolve(TableMetadata.FILE));
        }
        return !generations(name).isEmpty();
    }

    /**
     * The directory of table {@code name}'s current generation: the newest with a watermark, or, when none has one (an
     * unfinished bootstrap), the newest. A generation's own directory name resolves to itself.
     *
     * @throws StoreException if the table does not exist
     * @throws StoreCorruptedException naming the {@code table.properties} that must be read to decide and is damaged
     */
    public synchronized String resolve(String name) {
        if (Generations.isGenerationName(StoreFiles.checkName(name))) {
            return name;
        }
        List<Long> gens = generations(name);
        if (gens.isEmpty()) {
            // Names the damage when data files remain without their metadata; else says there is no such table.
            checkMetadataExists(name, dir.resolve(name));
            throw new StoreException("no table " + name + " in " + dir);
        }
        long current = gens.size() == 1 ? gens.get(0) : currentGeneration(name, gens);
        return Generations.name(name, current < 0 ? gens.get(gens.size() - 1) : current);
    }

    /**
     * The newest generation of {@code table} with a watermark (lineage version >= 0), or -1 if there is none: the table
     * is absent or its bootstrap did not finish.
     */
    public synchronized long currentGeneration(String table) {
        return currentGeneration(table, generations(table));
    }

    private long currentGeneration(String table, List<Long> gens) {
        for (int i = gens.size() - 1; i >= 0; i--) {
            if (lineage(Generations.name(table, gens.get(i))).version() >= 0) {
                return gens.get(i);
            }
        }
        return -1;
    }

    /**
     * A generation's lineage: live if it is open here (the file lags until the next sync), else from its metadata file.
     */
    private Lineage lineage(String directory) {
        FeatureTable t = open.get(directory);
        return t != null ? t.lineage() : TableMetadata.read(dir.resolve(directory)).lineage();
    }

    /**
     * The metadata (schema, TTL, lineage) of table {@code name}'s current generation on disk ({@link #resolve}), read
     * without opening it: no mapping, no lock, so it works while the table's data files are damaged, e.g. to find the
     * Delta table to rebuild it from.
     *
     * @throws StoreCorruptedException naming {@code table.properties} when that file itself is damaged
     */
    public TableMetadata metadata(String name) {
        Path t = dir.resolve(resolve(name));
        checkMetadataExists(t.getFileName().toString(), t);
        return TableMetadata.read(t);
    }

    /**
     * Creates a new table (generation 0); fails if the table exists in any generation.
     *
     * @throws IllegalArgumentException if the name is invalid or a generation's ({@link Generations#checkTableName})
     */
    public synchronized FeatureTable create(String name, FeatureSchema schema, TableOptions options) {
        return create(name, schema, options, Lineage.EMPTY);
    }

    /**
     * As {@link #create(String, FeatureSchema, TableOptions)}, recording {@code origin} (its source, no version yet) in
     * the table's metadata from the start, e.g. {@link Lineage#APPLICATION} for a table the application feeds.
     *
     * @throws IllegalArgumentException if {@code origin} has a version
     */
    public synchronized FeatureTable create(String name, FeatureSchema schema, TableOptions options, Lineage origin) {
        checkWritable("create table " + name);
        Generations.checkTableName(name);
        List<Long> gens = generations(name);
        if (!gens.isEmpty()) {
            throw new StoreException("table " + name + " already exists in " + dir + " (as "
                    + Generations.name(name, gens.get(gens.size() - 1)) + ")");
        }
        return createGeneration(name, 0, schema, options, origin);
    }

    /**
     * Creates {@code generation} of {@code table} beside its others, for a re-bootstrap or rebuild that replaces the
     * current generation once complete; fails if that generation exists.
     */
    public synchronized FeatureTable createGeneration(String table, long generation, FeatureSchema schema,
            TableOptions options) {
        return createGeneration(table, generation, schema, options, Lineage.EMPTY);
    }

    /**
     * As {@link #createGeneration(String, long, FeatureSchema, TableOptions)}, recording {@code origin} (its source, no
     * version yet) from the start, so an unfinished bootstrap is known by its feeder.
     *
     * @throws IllegalArgumentException if {@code origin} has a version
     */
    public synchronized FeatureTable createGeneration(String table, long generation, FeatureSchema schema,
                                                      TableOptions options, Lineage origin) {
        checkWritable("create a generation of table " + table);
        if (origin.version() >= 0) {
            throw new IllegalArgumentException("a new table has no version yet, not " + origin.version());
        }
        String name = Generations.name(Generations.checkTableName(table), generation);
        FeatureTable t = FeatureTable.create(name, dir.resolve(name), schema, options, origin);
        open.put(name, t);
        return t;
    }

    /**
     * The open current generation of table {@code name} ({@link #resolve}), opening it (mapping its files, recovering
     * after an unclean close) if needed; a generation's directory name opens that generation. In a read-only store
     * ({@link #openReadOnly}) the table opens read-only.
     */
    public synchronized FeatureTable table(String name) {
        if (!readOnly) {
            return openDirectory(resolve(name));
        }
        for (int attempt = 1; ; attempt++) {
            String current = resolve(name);
            try {
                return openDirectory(current);
            } catch (StoreException e) {
                // A writer may have replaced the generation between resolving and opening it (its files then go).
                if (attempt >= READ_ONLY_GENERATION_ATTEMPTS || resolve(name).equals(current)) {
                    throw e;
                }
            }
        }
    }

    /** The open {@code generation} of {@code table}, opening it if needed. */
    public synchronized FeatureTable generation(String table, long generation) {
        return openDirectory(Generations.name(Generations.checkTableName(table), generation));
    }

    private FeatureTable openDirectory(String name) {
        FeatureTable t = open.get(name);
        if (t == null) {
            checkMetadataExists(name, dir.resolve(name));
            t = readOnly ? FeatureTable.openReadOnly(name, dir.resolve(name), clock)
                    : FeatureTable.open(name, dir.resolve(name), clock);
            open.put(name, t);
        }
        return t;
    }

    /**
     * Deletes a table directory's files ({@code name} as {@link FeatureTable#name()} or {@link #tableNames()} give it:
     * one generation); it must not be open, in this store or another process.
     */
    public synchronized void drop(String name) {
        checkWritable("drop table " + name);
        Path t = dir.resolve(name);
        try {
            // Held while the files go, so that no process opens the table half deleted.
            FileChannel lock = lockUnopened(name);
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(t)) {
                for (Path p : ds) {
                    Files.delete(p);
                }
            } finally {
                if (lock != null) {
                    lock.close();
                }
            }
        } catch (IOException e) {
            throw new StoreException("cannot drop table " + name + ": " + e.getMessage(), e);
        }
        try {
            Files.delete(t);
        } catch (IOException e) {
            throw new StoreException("cannot drop table " + name + ": " + StoreFiles.describe(e), e);
        }
    }

    /**
     * Checks that a table directory is open nowhere: not in this store, nor in another store or process (its writer
     * lock is free), so that it may be dropped.
     *
     * @throws StoreException if it is open
     */
    public synchronized void checkNotOpen(String name) {
        try {
            FileChannel lock = lockUnopened(name);
            if (lock != null) {
                lock.close();
            }
        } catch (IOException e) {
            throw new StoreException("cannot check whether table " + name + " is open: " + e.getMessage(), e);
        }
    }

    /**
     * The channel holding the writer lock of a table directory open nowhere (null if it has no lock file); throws if
     * open.
     */
    private FileChannel lockUnopened(String name) throws IOException {
        StoreFiles.checkName(name);
        if (open.containsKey(name)) {
            throw new StoreException("table " + name + " is open; close it first");
        }
        Path lockFile = dir.resolve(name).resolve(StoreFiles.WRITER_LOCK);
        if (!Files.exists(lockFile, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        FileChannel ch;
        try {
            ch = FileChannel.open(lockFile, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            MappedFiles.refuseLink(lockFile);
            throw e;
        }
        try {
            if (ch.tryLock() == null) {
                throw new StoreException("table " + name + " at " + lockFile.getParent()
                        + " is open in another process; close it first");
            }
            return ch;
        } catch (OverlappingFileLockException e) {
            ch.close();
            throw new StoreException("table " + name + " is open in another store of this process; close it first");
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * Drops a table directory that is open here without making it durable first: for a table that failed to fill (e.g.
     * the disk is full), where closing would try to write again and fail. Its readers must be gone.
     */
    public synchronized void discard(String name) {
        checkWritable("discard table " + name);
        FeatureTable t = open.remove(name);
        if (t != null) {
            t.abandon();
        }
        drop(name);
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
