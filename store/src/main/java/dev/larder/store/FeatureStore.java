package dev.larder.store;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
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
            throw new StoreException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        Collections.sort(names);
        return names;
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
        if (!Files.exists(t.resolve(TableMetadata.FILE))) {
            throw new StoreException("no table " + name + " at " + t + " (missing " + TableMetadata.FILE + ")");
        }
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
            throw new StoreException("cannot drop table " + name + ": " + e.getMessage(), e);
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
