package dev.larder.cli;

import dev.larder.Larder;
import dev.larder.Source;
import dev.larder.Table;
import dev.larder.Verification;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code larder verify}: compares a table with the Delta table at its watermark; exit 0 only when equal. */
@Command(name = "verify", description = "Compare the table with the Delta table at the table's watermark; exit 0 only "
        + "when equal.")
final class VerifyCommand implements Callable<Integer> {
    @Mixin
    StoreOptions target;

    @Mixin
    HadoopOptions hadoop;

    @Option(names = "--delta", description = "Delta table path or URI (default: the table's recorded source).")
    String delta;

    @Option(names = "--max-differences", defaultValue = "20", description = "Differences to print (default "
            + "${DEFAULT-VALUE}).")
    int max;

    @Override
    public Integer call() {
        OptionChecks.atLeast("--max-differences", max, 0);
        try (Larder larder = Larder.builder(target.store).existing()
                .unityCatalog(hadoop.catalogUri(), hadoop.catalogTokenEnv()).open()) {
            Table t = larder.table(target.table);
            Verification r = larder.verify(target.table, against(t), max);
            // The checksums find damage that equal values would hide (padding, lineage); reported first.
            if (r.damagedRows() > 0) {
                System.out.printf("DAMAGED: %,d of %,d rows of %s fail their checksum (the files changed outside "
                        + "Larder); repair with ./larder rebuild --store %s --table %s%n", r.damagedRows(),
                        r.checkedRows(), target.table, target.store, target.table);
                r.damageSamples().forEach(d -> System.out.println("  " + d));
            }
            if (r.equal() && r.damagedRows() == 0) {
                System.out.printf("OK: %s equals %s at version %d (%,d rows)%n", target.table, r.source(), r.version(),
                        r.tableRows());
                return 0;
            }
            if (r.equal()) {
                return 1;
            }
            System.out.printf("DIFFERENT: %s vs %s at version %d (delta %,d rows, table %,d rows): "
                    + "%,d missing from the table, %,d missing from the Delta table, %,d with different values%n",
                    target.table, r.source(), r.version(), r.deltaRows(), r.tableRows(), r.missingFromTable(),
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

    /**
     * The Delta table to compare {@code t} with: {@code --delta} when given, else the source it records, with the
     * {@code --conf} settings.
     *
     * @throws IllegalStateException if {@code t} has no watermark: its bootstrap did not finish (killed or stopped)
     */
    private Source against(Table t) {
        if (t.lineage().version() < 0) {
            throw new IllegalStateException("bootstrap of table " + target.table + " did not finish; re-run load (or "
                    + "follow)");
        }
        if (delta != null) {
            return hadoop.source(delta, null);
        }
        Source recorded = t.recordedSource();
        if (recorded == null) {
            throw new IllegalArgumentException("table " + target.table + " records no Delta source; pass --delta");
        }
        return hadoop.withSettings(recorded);
    }
}
