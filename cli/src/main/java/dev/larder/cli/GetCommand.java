package dev.larder.cli;

import dev.larder.store.Column;
import dev.larder.store.FeatureStore;
import dev.larder.store.FeatureTable;
import dev.larder.store.Key;
import dev.larder.store.Lineage;
import dev.larder.store.ReadStatus;
import dev.larder.store.TableReader;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code larder get}: looks up one entity and prints its features, status and lineage. */
@Command(name = "get", description = "Look up one entity key and print its row, status and lineage.")
final class GetCommand implements Callable<Integer> {
    @Option(names = "--store", required = true, description = "Store directory.")
    Path store;

    @Option(names = "--table", required = true, description = "Table name.", converter = TableNameConverter.class)
    String table;

    @Parameters(arity = "1..*", description = "Key value(s), one per key column in key order.")
    String[] key;

    @Override
    public Integer call() {
        try (FeatureStore s = FeatureStore.openExisting(store)) {
            FeatureTable t = s.table(table);
            Key k = CliKeys.parse(t, key);
            TableReader r = t.newReader();
            ReadStatus status = r.get(k);
            Lineage l = t.lineage();
            System.out.println("status: " + status);
            System.out.println("table lineage: source=" + l.sourcePath() + " id=" + l.sourceId()
                    + (l.fromCatalog() ? " catalogTable=" + l.catalogTable() + " catalogTableId=" + l.catalogTableId() : "")
                    + " version=" + l.version()
                    + " commitTimestamp=" + java.time.Instant.ofEpochMilli(l.commitTimestampMillis()));
            if (status == ReadStatus.NOT_FOUND) {
                return 2;
            }
            System.out.println("row lineage: version=" + r.version() + " commitTimestamp="
                    + java.time.Instant.ofEpochMilli(r.commitTimestampMillis()));
            for (int c = 0; c < t.schema().columnCount(); c++) {
                Column col = t.schema().column(c);
                System.out.println("  " + col.name() + " (" + col.typeString() + ") = " + CliKeys.render(r, c));
            }
            return 0;
        }
    }
}
