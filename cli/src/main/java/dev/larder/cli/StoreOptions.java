package dev.larder.cli;

import dev.larder.snapshot.DeltaSource;
import dev.larder.store.FeatureTable;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The --store/--table pair most commands take (a picocli mixin). */
final class StoreOptions {
    @Option(names = "--store", required = true, description = "Store directory.")
    Path store;

    @Option(names = "--table", required = true, description = "Table name in the store.")
    String table;

    /** The Delta table {@code t} follows: {@code override} when given, else the source recorded in its lineage. */
    static DeltaSource deltaSource(FeatureTable t, String override, HadoopOptions hadoop) {
        String path = override != null ? override : t.lineage().sourcePath();
        if (path.isEmpty()) {
            throw new IllegalArgumentException("table " + t.name() + " records no Delta source; pass --delta");
        }
        return hadoop.open(path);
    }
}
