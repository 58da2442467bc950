package dev.larder.cli;

import dev.larder.tools.generate.DeltaTableGenerator;
import dev.larder.tools.generate.GenerationSummary;
import dev.larder.tools.generate.GeneratorSpec;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code larder generate}: writes a synthetic feature table as a real Delta table. */
@Command(name = "generate",
        description = "Write a synthetic Delta feature table (entity_id key, numeric and string features, "
        + "update/delete commits).")
final class GenerateCommand implements Callable<Integer> {
    @Option(names = "--rows", defaultValue = "100000",
            description = "Entities at version 0 (default ${DEFAULT-VALUE}).")
    long rows;

    @Option(names = "--features", defaultValue = "20", description = "Numeric features (default ${DEFAULT-VALUE}).")
    int features;

    @Option(names = "--commits", defaultValue = "5",
            description = "Commits after version 0 with updates, deletes and inserts (default ${DEFAULT-VALUE}).")
    int commits;

    @Option(names = "--updates", defaultValue = "1000",
            description = "Live entities updated per commit (default ${DEFAULT-VALUE}).")
    int updates;

    @Option(names = "--deletes", defaultValue = "100",
            description = "Live entities deleted per commit (default ${DEFAULT-VALUE}).")
    int deletes;

    @Option(names = "--inserts", defaultValue = "500",
            description = "New entities per commit (default ${DEFAULT-VALUE}).")
    int inserts;

    @Option(names = "--cdf", description = "Enable Change Data Feed (delta.enableChangeDataFeed), as most Databricks "
            + "feature tables have it: each commit also writes its changed rows to _change_data/ files, as Delta does.")
    boolean cdf;

    @Option(names = "--rows-per-file", defaultValue = "1000000",
            description = "Rows per parquet file (default ${DEFAULT-VALUE}).")
    int rowsPerFile;

    @Option(names = "--seed", defaultValue = "42",
            description = "Seed; the same seed writes the same table (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", required = true, description = "Directory of the new Delta table (must not exist).")
    Path out;

    @Override
    public Integer call() throws Exception {
        OptionChecks.atLeast("--rows", rows, 0);
        OptionChecks.atLeast("--features", features, 0);
        OptionChecks.atLeast("--commits", commits, 0);
        OptionChecks.atLeast("--updates", updates, 0);
        OptionChecks.atLeast("--deletes", deletes, 0);
        OptionChecks.atLeast("--inserts", inserts, 0);
        OptionChecks.atLeast("--rows-per-file", rowsPerFile, 1);
        GeneratorSpec spec = GeneratorSpec.builder().rows(rows).numericFeatures(features)
                .float32Features(Math.min(4, features)).commits(commits)
                .updatesPerCommit(updates).deletesPerCommit(deletes).insertsPerCommit(inserts)
                .rowsPerFile(rowsPerFile).seed(seed).changeDataFeed(cdf).build();
        GenerationSummary s = DeltaTableGenerator.generate(spec, out);
        System.out.printf("wrote %s: versions 0..%d, %,d rows at latest, %d live files, %.1f MB in %.1f s%s%n", out,
                s.latestVersion(), s.rowsAtLatest(), s.liveFiles(), s.bytesWritten() / 1e6, s.elapsedNanos() / 1e9,
                cdf ? "; Change Data Feed on" : "");
        return 0;
    }
}
