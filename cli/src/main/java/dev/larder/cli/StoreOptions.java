package dev.larder.cli;

import dev.larder.snapshot.DeltaSource;
import dev.larder.store.FeatureTable;
import dev.larder.store.Generations;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The --store/--table pair most commands take (a picocli mixin). */
final class StoreOptions {
    @Option(names = "--store", required = true, description = "Store directory.")
    Path store;

    @Option(names = "--table", required = true, description = "Table name in the store.",
            converter = TableNameConverter.class)
    String table;

    /**
     * The Delta table {@code t} follows: {@code override} when given, else the source recorded in its lineage.
     *
     * @throws IllegalStateException if {@code t} has no watermark: its bootstrap did not finish (killed or stopped)
     */
    static DeltaSource deltaSource(FeatureTable t, String override, HadoopOptions hadoop) {
        if (t.lineage().version() < 0) {
            throw new IllegalStateException("bootstrap of table " + Generations.tableOf(t.name())
                    + " did not finish; re-run load (or follow)");
        }
        if (override != null) {
            return hadoop.open(override);
        }
        if (t.lineage().sourcePath().isEmpty()) {
            throw new IllegalArgumentException("table " + t.name() + " records no Delta source; pass --delta");
        }
        return hadoop.openRecorded(t.lineage());
    }
}
