package dev.larder.cli;

import dev.larder.ingest.IngestOptions;
import dev.larder.ingest.LarderEngine;
import dev.larder.snapshot.DeltaFeatureSchemas;
import dev.larder.snapshot.DeltaFeed;
import dev.larder.snapshot.DeltaSource;
import dev.larder.store.Column;
import dev.larder.store.FeatureSchema;
import dev.larder.store.FeatureStore;
import dev.larder.store.FeatureTable;
import dev.larder.store.Generations;
import dev.larder.store.Lineage;
import dev.larder.store.TableOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code larder load}: bootstraps a new table from a Delta snapshot; a table whose bootstrap did not finish (no
 * watermark) is dropped and loaded again.
 */
@Command(name = "load", description = "Create a table from a Delta table snapshot (latest, or at a version or timestamp); "
        + "re-run, it finishes a load that was interrupted.")
final class LoadCommand implements Callable<Integer> {
    /** Declared here: picocli does not give a command whose own option is named --version the standard help options. */
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--delta", description = "Delta table path or Hadoop filesystem URI (or --uc-table).")
    String delta;

    @Option(names = "--uc-table", paramLabel = "CATALOG.SCHEMA.TABLE", description = "Unity Catalog table name (instead of --delta).")
    String ucTable;

    @Option(names = "--key", required = true, split = ",", description = "Key column(s), comma-separated, in key order.")
    List<String> key;

    @Mixin
    StoreOptions target;

    @Mixin
    HadoopOptions hadoop;

    @Option(names = "--version", description = "Delta version to load (default: latest).")
    Long version;

    @Option(names = "--timestamp", description = "Load the version current at this instant (ISO-8601, e.g. 2026-11-24T10:00:00Z).")
    Instant timestamp;

    @Option(names = "--inline-bytes", defaultValue = "" + Column.DEFAULT_VARIABLE_CAPACITY,
            description = "Bytes of each non-key string/binary kept inline in the row; longer values go to the table's"
            + " heap by their length (default ${DEFAULT-VALUE}; key strings stay inline, up to 64 bytes or this if"
            + " larger).")
    int inlineBytes;

    @Option(names = "--ttl", defaultValue = "PT0S", description = "Rows older than this read as EXPIRED (ISO-8601 duration, e.g. PT24H; default none).")
    Duration ttl;

    @Override
    public Integer call() {
        if (version != null) {
            OptionChecks.atLeast("--version", version, 0);
        }
        OptionChecks.inlineBytes("--inline-bytes", inlineBytes);
        OptionChecks.notNegative("--ttl", ttl);
        DeltaSource src = hadoop.open(delta, ucTable);
        long v = version != null ? version : timestamp != null ? src.versionAtOrBefore(timestamp.toEpochMilli()) : src.latestVersion();
        FeatureSchema schema = DeltaFeatureSchemas.toFeatureSchema(src.schema(v), key, inlineBytes);
        try (FeatureStore store = FeatureStore.open(target.store)) {
            Lineage origin = src.origin(v);
            if (store.exists(target.table)) {
                LarderEngine.checkFeeder(store, target.table, origin);
                dropUnfinished(store);
            }
            // Recorded from the start: a load killed before its end is known as the Delta table's, not pushed into.
            FeatureTable t = store.create(target.table, schema, TableOptions.DEFAULT.withTtl(ttl), origin);
            long start = System.nanoTime();
            long rows;
            try {
                rows = bootstrap(store, src, v, schema, t);
                store.close(t.name());
            } catch (RuntimeException | Error e) {
                // The half-built table would block the retry; closing it would write again (and, with the disk full,
                // fail again), so it is discarded as it is. The first failure is the one to report.
                try {
                    store.discard(t.name());
                } catch (RuntimeException | Error cleanup) {
                    e.addSuppressed(cleanup);
                }
                throw e;
            }
            double sec = (System.nanoTime() - start) / 1e9;
            System.out.printf("loaded %,d rows of %s version %d into %s/%s in %.2f s (%,.0f rows/s); watermark %d%n",
                    rows, src.tablePath(), v, target.store, target.table, sec, rows / Math.max(sec, 1e-9), t.lineage().version());
            return 0;
        }
    }

    /**
     * A table without a watermark is a bootstrap that did not finish (killed, or stopped): nothing in it can be relied
     * on, so loading again starts afresh. A table with one is left alone.
     */
    private void dropUnfinished(FeatureStore store) {
        if (store.currentGeneration(target.table) >= 0) {
            throw new IllegalArgumentException("table " + target.table + " already exists in " + target.store
                    + "; use apply-changes to bring it forward, or load under another name");
        }
        List<String> generations = store.generations(target.table).stream().map(g -> Generations.name(target.table, g)).toList();
        for (String g : generations) {
            store.checkNotOpen(g);
        }
        for (String g : generations) {
            store.drop(g);
        }
        System.err.println("table " + target.table + ": the bootstrap of an earlier load did not finish; loading it again");
    }

    /** Scanning on this thread, applying on the engine's writer thread: a bootstrap keeps both cores busy. */
    private static long bootstrap(FeatureStore store, DeltaSource src, long v, FeatureSchema schema, FeatureTable t) {
        DeltaFeed feed = new DeltaFeed(src, schema);
        try (Progress p = new Progress("load v" + v, -1);
             LarderEngine larder = LarderEngine.open(store, IngestOptions.DEFAULT.withJmx(false))) {
            return larder.load(t, src.origin(v), sink -> feed.bootstrap(v, sink, p));
        }
    }
}
