package dev.larder.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * One small table of the real engine for the jcstress tests of one fork, written from one actor thread at a time.
 *
 * <p>The tests live in package {@code dev.larder.store} (on the class path, beside the store's jar) because the
 * table's single writer ({@link MappedTableWriter}, {@link FeatureTable#writer()}) is package-private and its
 * mappings ({@link dev.larder.store.engine.TableView}) are in a package the module does not export: the engine is
 * tested through the same calls the ingest pipeline makes, without an export for tests.
 *
 * <p>The store lives in a temporary directory (on tmpfs when the machine has one: these tests stress memory ordering,
 * and the forces of an index rebuild would otherwise wait for the disk) that is removed when the fork exits. Every
 * row is self-consistent: its {@link #COLUMNS} INT64 columns all hold one value, so two different values in one row
 * read mean a torn read. The row spans four cache lines, so a copy that races a write can tear.
 *
 * <p>jcstress runs every iteration on new actor threads started after the previous ones ended, so each writing call
 * {@linkplain MappedTableWriter#claim() claims} the writer for the calling thread (a plain store).
 */
final class StressTable {
    /** Payload columns after the key column (0). */
    static final int COLUMNS = 24;
    /** Outcome: the key was not found. */
    static final int MISSING = 0;
    /** Outcome: the key was found and every column read holds the value expected. */
    static final int WHOLE = 1;
    /** Outcome: the key was found but the row read mixes values (torn, or not yet complete). */
    static final int TORN = 2;

    final FeatureTable table;
    private final MappedTableWriter writer;
    private final RowBuffer row;
    /** The version of the last upsert or delete; every change takes a newer one, as a change feed does. */
    private long version;

    private StressTable(FeatureTable table) {
        this.table = table;
        this.writer = table.writer();
        this.row = table.newRow();
    }

    /** A new table {@code name} in a new temporary store, closed and removed at exit. */
    static StressTable create(String name) {
        try {
            Path shm = Path.of("/dev/shm");
            String prefix = "larder-jcstress-";
            Path dir = Files.isDirectory(shm) && Files.isWritable(shm)
                    ? Files.createTempDirectory(shm, prefix) : Files.createTempDirectory(prefix);
            FeatureStore store = FeatureStore.open(dir);
            FeatureSchema.Builder b = FeatureSchema.builder().keyColumn("id", ColumnType.INT64);
            for (int c = 0; c < COLUMNS; c++) {
                b.column("c" + c, ColumnType.INT64);
            }
            FeatureTable table = store.create(name, b.build(), TableOptions.DEFAULT.withInitialRows(64));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                store.close();
                delete(dir);
            }, "larder-jcstress-cleanup"));
            return new StressTable(table);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Upserts {@code key} with every payload column set to {@code payload}, at the next version; returns it. */
    long upsert(long key, long payload) {
        writer.claim();
        row.clear().setLong(0, key);
        for (int c = 1; c <= COLUMNS; c++) {
            row.setLong(c, payload);
        }
        writer.upsert(row, ++version, 0);
        return version;
    }

    /** As {@link #upsert(long, long)} with the new version as the payload: a row then holds its version everywhere. */
    long upsertVersioned(long key) {
        return upsert(key, version + 1);
    }

    /** Deletes {@code key} at the next version. */
    void delete(long key) {
        writer.claim();
        writer.delete(key, ++version);
    }

    /**
     * Publishes the last version: its changes become final, and the rows they replaced become reusable, so the next
     * changes overwrite rows that readers may still be copying (what the seqlock must catch).
     */
    void publish() {
        writer.publish(new Lineage("jcstress", "", version, 0));
    }

    /**
     * Classifies a lookup: {@link #MISSING} unless {@code status} is FOUND, else {@link #WHOLE} when the key and every
     * payload column read equal {@code key} and {@code payload}, else {@link #TORN}.
     */
    static int classify(TableReader reader, ReadStatus status, long key, long payload) {
        if (status != ReadStatus.FOUND) {
            return MISSING;
        }
        if (reader.getLong(0) != key) {
            return TORN;
        }
        for (int c = 1; c <= COLUMNS; c++) {
            if (reader.getLong(c) != payload) {
                return TORN;
            }
        }
        return WHOLE;
    }
}
