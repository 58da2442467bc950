package dev.larder.snapshot;

import dev.larder.store.FeatureSchema;
import dev.larder.store.FeatureStore;
import dev.larder.store.FeatureTable;
import dev.larder.store.Lineage;
import dev.larder.store.StoreException;
import dev.larder.store.TableMetadata;
import dev.larder.store.TableOptions;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Rebuilds a table whose files are damaged (a {@code StoreCorruptedException} on open) from the Delta table it mirrors:
 * drops the table's directory and bootstraps it again at the Delta table's latest version, with the same schema and TTL,
 * so that {@code Larder.follow} (or {@code apply-changes}) resumes from there. Stateless; runs on the caller's thread.
 *
 * <pre>{@code
 * } catch (StoreCorruptedException e) {
 *     String table = e.file().getParent().getFileName().toString();
 *     Rebuild.Plan plan = Rebuild.recordedPlan(store, table);   // or Plan.fromDelta(...) if table.properties is the damaged file
 *     Rebuild.Result r = Rebuild.run(store, plan, ScanProgress.NONE);
 * }
 * }</pre>
 */
public final class Rebuild {
    private Rebuild() {
    }

    /**
     * What to rebuild a table from.
     *
     * @param table     the store table (directory) name, e.g. {@code features} or a generation {@code features.g2}
     * @param deltaPath the Delta table path or URI
     * @param sourceId  the Delta table id the table recorded, checked against the source; empty to skip the check
     * @param schema    the feature schema, key columns included
     * @param ttl       the table's TTL
     */
    public record Plan(String table, String deltaPath, String sourceId, FeatureSchema schema, Duration ttl) {
        public Plan {
            Objects.requireNonNull(table, "table");
            Objects.requireNonNull(deltaPath, "deltaPath");
            Objects.requireNonNull(sourceId, "sourceId");
            Objects.requireNonNull(schema, "schema");
            Objects.requireNonNull(ttl, "ttl");
        }

        /**
         * A plan for a table whose metadata file is itself damaged: the schema {@code larder load} would derive from the
         * Delta table's latest version.
         */
        public static Plan fromDelta(String table, String deltaPath, List<String> keyColumns, int inlineBytes, Duration ttl) {
            return fromDelta(table, deltaPath, keyColumns, inlineBytes, ttl, Map.of());
        }

        /** {@link #fromDelta(String, String, List, int, Duration)} reading with Hadoop settings, as {@link DeltaSource#open(String, Map)}. */
        public static Plan fromDelta(String table, String deltaPath, List<String> keyColumns, int inlineBytes, Duration ttl,
                                     Map<String, String> hadoopSettings) {
            DeltaSource src = DeltaSource.open(deltaPath, hadoopSettings);
            FeatureSchema schema = DeltaFeatureSchemas.toFeatureSchema(src.schema(src.latestVersion()), keyColumns, inlineBytes);
            return new Plan(table, deltaPath, "", schema, ttl);
        }
    }

    /** A finished rebuild: the table now reflects {@code version} of {@code deltaPath} with {@code rows} rows. */
    public record Result(String table, String deltaPath, long version, long rows) {
    }

    /**
     * The plan recorded in the table's metadata file (Delta source, schema, TTL); readable while the data files are
     * damaged.
     *
     * @throws dev.larder.store.StoreCorruptedException if {@code table.properties} itself is damaged: use
     *                                                  {@link Plan#fromDelta} instead
     * @throws IllegalStateException                    if the table was not loaded from a Delta table
     */
    public static Plan recordedPlan(FeatureStore store, String table) {
        TableMetadata md = store.metadata(table);
        Lineage l = md.lineage();
        if (l.sourcePath().isEmpty()) {
            throw new IllegalStateException("table " + table + " records no Delta source (it is fed by the application, or was damaged "
                    + "before its first load was synced); rebuild it with Plan.fromDelta");
        }
        return new Plan(table, l.sourcePath(), l.sourceId(), md.schema(), md.ttl());
    }

    /**
     * Drops the table's directory, whatever state its files are in, and bootstraps it at the Delta table's latest
     * version; the table is closed on return. If the bootstrap fails the table is left absent, never half-built.
     *
     * @throws StoreException        if the table is open, in this process or another
     * @throws IllegalStateException if the Delta table at the path is not the one the table recorded
     * @throws DeltaReadException    if the Delta table cannot be read
     */
    public static Result run(FeatureStore store, Plan plan, ScanProgress progress) {
        return run(store, plan, Map.of(), progress);
    }

    /** {@link #run(FeatureStore, Plan, ScanProgress)} reading with Hadoop settings, as {@link DeltaSource#open(String, Map)}. */
    public static Result run(FeatureStore store, Plan plan, Map<String, String> hadoopSettings, ScanProgress progress) {
        DeltaSource src = DeltaSource.open(plan.deltaPath(), hadoopSettings);
        long version = src.latestVersion();
        String id = src.tableId(version);
        if (!plan.sourceId().isEmpty() && !plan.sourceId().equals(id)) {
            throw new IllegalStateException("table " + plan.table() + " was loaded from Delta table " + plan.sourceId() + " but "
                    + src.tablePath() + " now holds table " + id + "; refusing to rebuild from a different table");
        }
        Path dir = store.directory().resolve(plan.table());
        if (Files.isDirectory(dir)) {
            checkNotOpen(dir.resolve("writer.lock"));
            store.drop(plan.table());
        }
        FeatureTable t = store.create(plan.table(), plan.schema(), TableOptions.DEFAULT.withTtl(plan.ttl()));
        long rows;
        try {
            rows = new DeltaFeed(src, plan.schema()).bootstrap(version,
                    new TableWriterSink(t, new Lineage(id, src.tablePath(), -1, 0), true), progress);
        } catch (RuntimeException e) {
            store.close(plan.table());
            store.drop(plan.table());
            throw e;
        }
        store.close(plan.table());
        return new Result(plan.table(), src.tablePath(), version, rows);
    }

    /** Dropping a table another process (or this one) has open would pull its files from under it. */
    private static void checkNotOpen(Path lockFile) {
        if (!Files.exists(lockFile)) {
            return;
        }
        try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
            FileLock lock = ch.tryLock();
            if (lock == null) {
                throw new StoreException("table at " + lockFile.getParent() + " is open in another process; close it before rebuilding");
            }
            lock.release();
        } catch (OverlappingFileLockException e) {
            throw new StoreException("table at " + lockFile.getParent() + " is open in this process; close it before rebuilding");
        } catch (IOException e) {
            throw new StoreException("cannot check whether " + lockFile.getParent() + " is open: " + e.getMessage(), e);
        }
    }
}
