package dev.larder.cli;

import dev.larder.snapshot.DeltaSource;
import dev.larder.snapshot.TableParity;
import dev.larder.store.FeatureStore;
import dev.larder.store.FeatureTable;
import dev.larder.store.ScrubResult;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code larder verify}: compares a table with the Delta table at its watermark; exit 0 only when equal. */
@Command(name = "verify", description = "Compare the table with the Delta table at the table's watermark; exit 0 only when equal.")
final class VerifyCommand implements Callable<Integer> {
    @Mixin
    StoreOptions target;

    @Mixin
    HadoopOptions hadoop;

    @Option(names = "--delta", description = "Delta table path or URI (default: the table's recorded source).")
    String delta;

    @Option(names = "--max-differences", defaultValue = "20", description = "Differences to print (default ${DEFAULT-VALUE}).")
    int max;

    @Override
    public Integer call() {
        OptionChecks.atLeast("--max-differences", max, 0);
        try (FeatureStore store = FeatureStore.openExisting(target.store)) {
            FeatureTable t = store.table(target.table);
            DeltaSource src = StoreOptions.deltaSource(t, delta, hadoop);
            // The checksums find damage that equal values would hide (padding, lineage); reported first.
            TableParity.Result r = TableParity.verify(src, t, max);
            ScrubResult scrub = r.scrub();
            if (scrub.damaged() > 0) {
                System.out.printf("DAMAGED: %,d of %,d rows of %s fail their checksum (the files changed outside Larder); "
                        + "repair with ./larder rebuild --store %s --table %s%n", scrub.damaged(), scrub.rows(), target.table,
                        target.store, target.table);
                scrub.samples().forEach(d -> System.out.println("  " + d));
            }
            if (r.equal() && scrub.damaged() == 0) {
                System.out.printf("OK: %s equals %s at version %d (%,d rows)%n", target.table, src.tablePath(), r.version(), r.tableRows());
                return 0;
            }
            if (r.equal()) {
                return 1;
            }
            System.out.printf("DIFFERENT: %s vs %s at version %d (delta %,d rows, table %,d rows): "
                    + "%,d missing from the table, %,d missing from the Delta table, %,d with different values%n",
                    target.table, src.tablePath(), r.version(), r.deltaRows(), r.tableRows(), r.missingFromTable(),
                    r.missingFromDelta(), r.differing());
            r.differences().forEach(d -> System.out.println("  " + d));
            long described = r.differences().stream().filter(d -> !d.startsWith("row count:")).count();
            long counted = r.missingFromTable() + r.missingFromDelta() + r.differing();
            if (counted > described) {
                System.out.printf("  ... and %,d more (--max-differences %d)%n", counted - described, max);
            }
            return 1;
        }
    }
}
