package dev.larder.cli;

import dev.larder.ingest.IngestOptions;
import dev.larder.ingest.LarderEngine;
import dev.larder.snapshot.DeltaFeed;
import dev.larder.snapshot.DeltaSource;
import dev.larder.store.FeatureStore;
import dev.larder.store.FeatureTable;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code larder apply-changes}: applies the Delta commits after a table's watermark. */
@Command(name = "apply-changes", description = "Apply the Delta change feed after the table's watermark, commit by commit.")
final class ApplyChangesCommand implements Callable<Integer> {
    @Option(names = "--delta", description = "Delta table path or URI (default: the table's recorded source).")
    String delta;

    @Mixin
    StoreOptions target;

    @Mixin
    HadoopOptions hadoop;

    @Option(names = "--to-version", description = "Last version to apply (default: latest).")
    Long toVersion;

    @Override
    public Integer call() {
        if (toVersion != null) {
            OptionChecks.atLeast("--to-version", toVersion, 0);
        }
        try (FeatureStore store = FeatureStore.openExisting(target.store)) {
            FeatureTable t = store.table(target.table);
            if (t.lineage().applicationFed()) {
                throw new IllegalStateException("table " + target.table + " in " + target.store + " is fed by "
                        + t.lineage().feeder() + "; a table has one feeder, so no Delta table's commits are applied"
                        + " to it");
            }
            long watermark = t.lineage().version();
            if (toVersion != null && toVersion < watermark) {
                throw new IllegalArgumentException("--to-version " + toVersion + " is below the watermark " + watermark + " of table "
                        + target.table + ": a table only moves forward (rebuild it to go back)");
            }
            if (toVersion != null && toVersion == watermark) {
                System.out.printf("table %s is already at version %d; nothing to apply%n", target.table, watermark);
                return 0;
            }
            DeltaSource src = StoreOptions.deltaSource(t, delta, hadoop);
            long from = watermark + 1;
            long to = toVersion != null ? toVersion : src.latestVersion();
            long start = System.nanoTime();
            DeltaFeed feed = new DeltaFeed(src, t.schema());
            long last;
            try (LarderEngine larder = LarderEngine.open(store, IngestOptions.DEFAULT.withJmx(false))) {
                last = larder.applyChanges(t, sink -> feed.applyChanges(from, to, sink));
            }
            System.out.printf("applied versions %d..%d of %s in %.2f s; watermark %d, %,d rows%n", from, last, src.tablePath(),
                    (System.nanoTime() - start) / 1e9, t.lineage().version(), t.size());
            return 0;
        }
    }
}
