package dev.larder.cli;

import dev.larder.Larder;
import dev.larder.Loaded;
import dev.larder.Snapshot;
import dev.larder.Source;
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
@Command(name = "load",
        description = "Create a table from a Delta table snapshot (latest, or at a version or timestamp); "
        + "re-run, it finishes a load that was interrupted.")
final class LoadCommand implements Callable<Integer> {
    /** Declared here: picocli does not give a command whose own option is named --version the standard help options. */
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--delta", description = "Delta table path or Hadoop filesystem URI (or --uc-table).")
    String delta;

    @Option(names = "--uc-table", paramLabel = "CATALOG.SCHEMA.TABLE",
            description = "Unity Catalog table name (instead of --delta).")
    String ucTable;

    @Option(names = "--key", required = true, split = ",",
            description = "Key column(s), comma-separated, in key order.")
    List<String> key;

    @Mixin
    StoreOptions target;

    @Mixin
    HadoopOptions hadoop;

    @Mixin
    ShardOptions shards;

    @Option(names = "--version", description = "Delta version to load (default: latest).")
    Long version;

    @Option(names = "--timestamp",
            description = "Load the version current at this instant (ISO-8601, e.g. 2026-11-24T10:00:00Z).")
    Instant timestamp;

    @Option(names = "--inline-bytes", defaultValue = "" + Source.DEFAULT_INLINE_BYTES,
            description = "Bytes of each non-key string/binary kept inline in the row; longer values go to the table's"
            + " heap by their length (default ${DEFAULT-VALUE}; key strings stay inline, up to 64 bytes or this if"
            + " larger).")
    int inlineBytes;

    @Option(names = "--ttl", defaultValue = "PT0S",
            description = "Rows older than this read as EXPIRED (ISO-8601 duration, e.g. PT24H; default none).")
    Duration ttl;

    @Override
    public Integer call() {
        if (version != null) {
            OptionChecks.atLeast("--version", version, 0);
        }
        OptionChecks.inlineBytes("--inline-bytes", inlineBytes);
        OptionChecks.notNegative("--ttl", ttl);
        Snapshot at = version != null ? Snapshot.version(version) : timestamp != null ? Snapshot.asOf(timestamp)
                : Snapshot.latest();
        long start = System.nanoTime();
        Loaded loaded;
        try (Progress.Bar bar = new Progress.Bar("load", -1)) {
            loaded = Larder.builder(target.store).unityCatalog(hadoop.catalogUri(), hadoop.catalogTokenEnv())
                    .load(target.table, shards.apply(hadoop.source(delta, ucTable).key(key.toArray(String[]::new))
                            .inlineBytes(inlineBytes).ttl(ttl)), at, bar);
        }
        if (loaded.reloaded()) {
            System.err.println("table " + target.table + ": the bootstrap of an earlier load did not finish; loaded it"
                    + " again");
        }
        double sec = (System.nanoTime() - start) / 1e9;
        long rows = loaded.rows();
        System.out.printf("loaded %,d rows of %s version %d into %s/%s in %.2f s (%,.0f rows/s); watermark %d%n",
                rows, loaded.source(), loaded.version(), target.store, target.table, sec, rows / Math.max(sec, 1e-9),
                loaded.lineage().version());
        return 0;
    }
}
