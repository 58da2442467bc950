package dev.larder.cli;

import dev.larder.Applied;
import dev.larder.Larder;
import dev.larder.Snapshot;
import dev.larder.Source;
import dev.larder.Table;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code larder apply-changes}: applies the Delta commits after a table's watermark. */
@Command(name = "apply-changes", description = "Apply the Delta change feed after the table's watermark, commit by "
        + "commit.")
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
        Source source = source();
        long start = System.nanoTime();
        Applied a = Larder.builder(target.store).unityCatalog(hadoop.catalogUri(), hadoop.catalogTokenEnv())
                .applyChanges(target.table, source, toVersion != null ? Snapshot.version(toVersion)
                        : Snapshot.latest());
        if (!a.applied()) {
            System.out.printf("table %s is already at version %d; nothing to apply%n", target.table,
                    a.lastVersion());
            return 0;
        }
        System.out.printf("applied versions %d..%d of %s in %.2f s; watermark %d, %,d rows%n", a.firstVersion(),
                a.lastVersion(), a.source(), (System.nanoTime() - start) / 1e9, a.lineage().version(), a.rows());
        return 0;
    }

    /**
     * The Delta table to read, with the {@code --conf} settings: {@code --delta} when given, else the one the table
     * records; null for a table that records none (the facade names its feeder). Refuses a {@code --to-version}
     * below the watermark of a table a Delta table feeds, naming the option.
     */
    private Source source() {
        try (Larder store = Larder.openReadOnly(target.store)) {
            Table t = store.table(target.table);
            Source recorded = t.recordedSource();
            long watermark = t.lineage().version();
            if (recorded != null && toVersion != null && watermark >= 0 && toVersion < watermark) {
                throw new IllegalArgumentException("--to-version " + toVersion + " is below the watermark "
                        + watermark + " of table " + target.table + ": a table only moves forward (rebuild it to "
                        + "go back)");
            }
            if (delta != null) {
                return hadoop.source(delta, null);
            }
            return recorded == null ? null : hadoop.withSettings(recorded);
        }
    }
}
