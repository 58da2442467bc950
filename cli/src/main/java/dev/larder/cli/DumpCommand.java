package dev.larder.cli;

import dev.larder.snapshot.TableParity;
import dev.larder.store.FeatureStore;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code larder dump}: every row as one JSON line, sorted. Opens the store read-only (it runs beside a {@code follow})
 * and refuses a row that fails its checksum.
 */
@Command(name = "dump",
        description = "Print every row as one JSON object per line (columns in schema order), lines sorted.")
final class DumpCommand implements Callable<Integer> {
    @Mixin
    StoreOptions target;

    @Override
    public Integer call() throws Exception {
        try (FeatureStore store = FeatureStore.openReadOnly(target.store)) {
            BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
            for (String line : TableParity.dump(store.table(target.table))) {
                out.write(line);
                out.write('\n');
            }
            out.flush();
            return 0;
        }
    }
}
