package dev.larder.cli;

import dev.larder.SkewReport;
import dev.larder.snapshot.DeltaSource;
import dev.larder.snapshot.servelog.SkewCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code larder skew-check}: recomputes a served-feature log's values from their source Delta tables at the logged
 * versions; exit 0 only when none differs, 1 when some do, 2 when the log cannot be read.
 */
@Command(name = "skew-check", description = "Recompute a served-feature log's values from the source Delta tables at "
        + "the logged versions (time travel); exit 0 only when nothing differs, 1 when values differ, 2 when the log "
        + "cannot be read.")
final class SkewCheckCommand implements Callable<Integer> {
    /** A Unity Catalog name as the log records a table read through the catalog: catalog.schema.table. */
    private static final Pattern CATALOG_NAME = Pattern.compile("[^/:.]+\\.[^/:.]+\\.[^/:.]+");

    @Mixin
    HadoopOptions hadoop;

    @Option(names = "--log", required = true, paramLabel = "PATH", description = "The served-feature log (a Delta "
            + "table: local path or Hadoop URI).")
    String log;

    @Option(names = "--sample", paramLabel = "N", defaultValue = "0", description = "Check a uniform sample of N "
            + "logged vectors (default: every one).")
    long sample;

    @Option(names = "--key", paramLabel = "TABLE=COLUMN[,COLUMN...]", description = "A table's key columns in its "
            + "Delta table (in key order) when they are not named as the log's key columns, repeatable.")
    Map<String, String> keys = new LinkedHashMap<>();

    @Option(names = "--max-differences", defaultValue = "20", description = "Differences to print (default "
            + "${DEFAULT-VALUE}).")
    int max;

    @Override
    public Integer call() {
        OptionChecks.atLeast("--sample", sample, 0);
        OptionChecks.atLeast("--max-differences", max, 0);
        Configuration conf = DeltaSource.localConfiguration();
        hadoop.settings().forEach(conf::set);
        long start = System.nanoTime();
        SkewCheck.Report r;
        try {
            r = SkewCheck.run(log, conf, this::open, keys, sample, max);
        } catch (SkewCheck.UnreadableLogException e) {
            System.err.println("larder skew-check: " + LarderCli.message(e));
            return 2;
        }
        print(new SkewReport(r.vectors(), r.values(), r.equal(), r.different(), r.unreadable(), r.unsourced(),
                r.differences().stream().map(SkewCheck.Difference::toString).toList(), r.notes(), r.versionsRead()),
                System.nanoTime() - start, max, "");
        return r.clean() ? 0 : 1;
    }

    /**
     * Prints the check's summary line (vectors, values equal, different, unreadable and not checkable, the rate), then
     * the first differences and the notes, each line after {@code indent}: the output of this command and of the
     * demo's closing check.
     */
    static void print(SkewReport r, long elapsedNanos, int max, String indent) {
        double seconds = Math.max(1e-9, elapsedNanos / 1e9);
        System.out.printf("%s%s: %,d vectors, %,d values: %,d equal, %,d different, %,d unreadable (version vacuumed "
                        + "or table gone), %,d not checkable (no Delta source); %,d versions read in %.1f s "
                        + "(%,.0f values/s)%n", indent, r.clean() ? "OK" : "DIFFERENT", r.vectors(), r.values(),
                r.equal(), r.different(), r.unreadable(), r.unsourced(), r.versionsRead(), seconds,
                r.values() / seconds);
        r.differences().forEach(d -> System.out.println(indent + "  " + d));
        if (r.different() > r.differences().size()) {
            System.out.printf("%s  ... and %,d more (--max-differences %d)%n", indent,
                    r.different() - r.differences().size(), max);
        }
        r.notes().forEach(n -> System.out.println(indent + "note: " + n));
    }

    /** A source as the log names it: a Unity Catalog name, else a path or URI. */
    private DeltaSource open(String source) {
        if (CATALOG_NAME.matcher(source).matches() && !Files.exists(Path.of(source))) {
            return hadoop.openCatalogTable(source);
        }
        return hadoop.open(source);
    }
}
