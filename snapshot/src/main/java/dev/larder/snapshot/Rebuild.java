package dev.larder.snapshot;

import dev.larder.ingest.IngestOptions;
import dev.larder.ingest.LarderEngine;
import dev.larder.store.FeatureSchema;
import dev.larder.store.FeatureStore;
import dev.larder.store.Generations;
import dev.larder.store.Lineage;
import dev.larder.store.TableMetadata;
import dev.larder.store.ShardSpec;
import dev.larder.store.TableOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Rebuilds a table whose files are damaged (a {@code StoreCorruptedException} on open) from the Delta table it mirrors:
 * bootstraps a new generation of it beside the old one at the Delta table's latest version, with the same schema and
 * TTL, and only once that is complete and durable drops the old generations, whatever state their files are in. Until
 * then the old table stays as it was, so a rebuild that fails (source unreadable, disk full) loses nothing; and since
 * the new generation is the table's newest with a watermark, a crash between the two steps leaves it current. Then
 * {@code Larder.follow} (or {@code apply-changes}) resumes from there. It is an operation of the engine
 * ({@link LarderEngine#rebuild}, the mechanism a follower re-bootstraps with too): the rows go through the ingest ring
 * and are applied as the writer's bulk load. Stateless; runs on the caller's thread, with the engine's writer thread
 * applying the rows.
 *
 * <pre>{@code
 * } catch (StoreCorruptedException e) {
 *     String table = Generations.tableOf(e.file().getParent().getFileName().toString());
 *     Rebuild.Plan plan = Rebuild.recordedPlan(store, table);   // or Plan.fromDelta(...) if table.properties is
 *                                                               // the damaged file
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
     * @param table     the table name (not a generation's directory: {@link Generations#tableOf} gives its table)
     * @param deltaPath the Delta table path or URI
     * @param sourceId  the Delta table id the table recorded, checked against the source; empty to skip the check
     * @param schema    the feature schema, key columns included
     * @param ttl       the table's TTL
     * @param shards    the key shards the table holds
     */
    public record Plan(String table, String deltaPath, String sourceId, FeatureSchema schema, Duration ttl,
                       ShardSpec shards) {
        public Plan {
            Generations.checkTableName(Objects.requireNonNull(table, "table"));
            Objects.requireNonNull(deltaPath, "deltaPath");
            Objects.requireNonNull(sourceId, "sourceId");
            Objects.requireNonNull(schema, "schema");
            Objects.requireNonNull(ttl, "ttl");
            Objects.requireNonNull(shards, "shards");
        }

        /**
         * A plan for a table whose metadata file is itself damaged: the schema {@code larder load} would derive from
         * the Delta table's latest version.
         */
        public static Plan fromDelta(String table, String deltaPath, List<String> keyColumns, int inlineBytes,
                                     Duration ttl) {
            return fromDelta(table, deltaPath, keyColumns, inlineBytes, ttl, Map.of());
        }

        /**
         * {@link #fromDelta(String, String, List, int, Duration)} reading with Hadoop settings, as
         * {@link DeltaSource#open(String, Map)}.
         */
        public static Plan fromDelta(String table, String deltaPath, List<String> keyColumns, int inlineBytes,
                                     Duration ttl, Map<String, String> hadoopSettings) {
            DeltaSource src = DeltaSource.open(deltaPath, hadoopSettings);
            FeatureSchema schema = DeltaFeatureSchemas.toFeatureSchema(src.schema(src.latestVersion()), keyColumns,
                    inlineBytes);
            return new Plan(table, deltaPath, "", schema, ttl, ShardSpec.ALL);
        }
    }

    /**
     * A finished rebuild: {@code table} now reflects {@code version} of {@code deltaPath} with {@code rows} rows, held
     * in the generation directory {@code generation}.
     */
    public record Result(String table, String generation, String deltaPath, long version, long rows) {
    }

    /**
     * The plan recorded in the metadata file of the table's current generation (Delta source, schema, TTL); readable
     * while the data files are damaged.
     *
     * @throws dev.larder.store.StoreCorruptedException if {@code table.properties} itself is damaged: use
     *                                                  {@link Plan#fromDelta} instead
     * @throws IllegalStateException                    if the table was not loaded from a Delta table
     */
    public static Plan recordedPlan(FeatureStore store, String table) {
        TableMetadata md = store.metadata(Generations.checkTableName(table));
        Lineage l = md.lineage();
        if (l.sourcePath().isEmpty()) {
            throw new IllegalStateException("table " + table
                    + " records no Delta source (it is fed by the application, or was damaged "
                    + "before its first load was synced); rebuild it from an explicit Delta table and key "
                    + "(Plan.fromDelta; rebuild --delta --key)");
        }
        return new Plan(table, l.sourcePath(), l.sourceId(), md.schema(), md.ttl(), md.shards());
    }

    /**
     * Bootstraps a new generation of the table at the Delta table's latest version, then drops its other generations;
     * the new one is closed on return. If anything fails before the new generation is complete, it is dropped and the
     * old ones are left exactly as they were.
     *
     * @throws dev.larder.store.StoreException if a generation of the table is open, in this process or another
     * @throws IllegalStateException          if the Delta table at the path is not the one the table recorded
     * @throws DeltaReadException             if the Delta table cannot be read
     */
    public static Result run(FeatureStore store, Plan plan, ScanProgress progress) {
        return run(store, plan, Map.of(), progress);
    }

    /**
     * {@link #run(FeatureStore, Plan, ScanProgress)} reading with Hadoop settings, as
     * {@link DeltaSource#open(String, Map)}.
     */
    public static Result run(FeatureStore store, Plan plan, Map<String, String> hadoopSettings, ScanProgress progress) {
        return run(store, plan, DeltaSource.open(plan.deltaPath(), hadoopSettings), progress);
    }

    /** {@link #run(FeatureStore, Plan, ScanProgress)} from an open source, e.g. a table opened by its catalog name. */
    public static Result run(FeatureStore store, Plan plan, DeltaSource src, ScanProgress progress) {
        return run(store, plan, src, IngestOptions.DEFAULT.withJmx(false), src.latestVersion(), progress);
    }

    /**
     * {@link #run(FeatureStore, Plan, DeltaSource, ScanProgress)} at {@code version} of the source (its latest, as
     * the caller read it), with the engine's settings {@code options}.
     */
    public static Result run(FeatureStore store, Plan plan, DeltaSource src, IngestOptions options, long version,
                             ScanProgress progress) {
        String id = src.tableId(version);
        if (!plan.sourceId().isEmpty() && !plan.sourceId().equals(id)) {
            throw new IllegalStateException("table " + plan.table() + " was loaded from Delta table " + plan.sourceId()
                    + " but "
                    + src.tablePath() + " now holds table " + id + "; refusing to rebuild from a different table");
        }
        Lineage origin = src.origin(version);
        DeltaFeed feed = new DeltaFeed(src, plan.schema());
        long rows;
        try (LarderEngine larder = LarderEngine.open(store, options)) {
            rows = larder.rebuild(plan.table(), plan.schema(),
                    TableOptions.DEFAULT.withTtl(plan.ttl()).withShards(plan.shards()), origin,
                    sink -> feed.bootstrap(version, sink, progress));
        }
        String generation = Generations.name(plan.table(), store.currentGeneration(plan.table()));
        return new Result(plan.table(), generation, src.tablePath(), version, rows);
    }
}
