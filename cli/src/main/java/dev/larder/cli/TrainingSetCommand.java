package dev.larder.cli;

import dev.larder.Definition;
import dev.larder.Feature;
import dev.larder.Source;
import dev.larder.snapshot.DeltaSource;
import dev.larder.snapshot.trainset.Labels;
import dev.larder.snapshot.trainset.TrainingSet;
import dev.larder.snapshot.trainset.TrainingSetTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code larder training-set}: the features a vector would have served at each label event's time, from the Delta
 * history of its tables ({@link TrainingSet}), written as a Delta table.
 */
@Command(name = "training-set", description = "Build a point-in-time training set: for each label event, the vector "
        + "as serving would have returned it at the event's time (the newest Delta version committed by then, the "
        + "TTL applied), from each table's Delta history; written as a Delta table.")
final class TrainingSetCommand implements Callable<Integer> {
    @Mixin
    HadoopOptions hadoop;

    @Option(names = "--labels", required = true, paramLabel = "FILE_OR_DELTA", description = "The label events: a "
            + "CSV file with a header row, or a Delta table (a directory with _delta_log, or a Hadoop URI).")
    String labels;

    @Option(names = "--key", required = true, split = ",", paramLabel = "COL[,COL...]", description = "The labels' "
            + "entity key column(s), mapped in order onto each table's key columns, as a vector's request key is.")
    List<String> key;

    @Option(names = "--time", required = true, paramLabel = "COL", description = "The event-time column: a "
            + "timestamp, or in CSV epoch milliseconds or ISO-8601 (UTC when it has no offset).")
    String time;

    @Option(names = "--definition", required = true, paramLabel = "FILE", description = "Definition file declaring "
            + "the --vector and its tables.")
    Path definition;

    @Option(names = "--vector", required = true, paramLabel = "NAME", description = "The vector to compute.")
    String vector;

    @Option(names = "--out", required = true, paramLabel = "PATH", description = "Where to write the training set, a "
            + "new Delta table (local path or Hadoop URI).")
    String out;

    @Override
    public Integer call() {
        Definition d = Definition.read(definition);
        List<Feature> vectorFeatures = d.vector(vector);
        Set<String> names = new LinkedHashSet<>();
        List<TrainingSet.FeatureSpec> features = new ArrayList<>();
        for (Feature f : vectorFeatures) {
            names.add(f.table());
            features.add(new TrainingSet.FeatureSpec(f.table(), f.column(), f.defaultValue()));
        }
        List<TrainingSet.TableSpec> tables = new ArrayList<>();
        for (String name : names) {
            Source s = d.tableSource(name);
            DeltaSource source = d.openTable(name, hadoop.conf);
            tables.add(new TrainingSet.TableSpec(name, source, s.keyColumns(), s.columns(), s.ttl()));
        }
        long start = System.nanoTime();
        Labels events = isDelta(labels) ? Labels.delta(hadoop.open(labels), time)
                : Labels.csv(Path.of(labels), time);
        long read = System.nanoTime();
        TrainingSet set = TrainingSet.compute(events, key, tables, features);
        long computed = System.nanoTime();
        Configuration conf = DeltaSource.localConfiguration();
        hadoop.settings().forEach(conf::set);
        String written = TrainingSetTable.write(set, out, conf);
        long end = System.nanoTime();
        double seconds = Math.max(1e-9, (computed - read) / 1e9);
        System.out.printf("wrote %,d labels x %d features to %s: labels read in %.1f s, computed in %.1f s "
                        + "(%,.0f labels/s), written in %.1f s%n", events.size(), features.size(), written,
                (read - start) / 1e9, seconds, events.size() / seconds, (end - computed) / 1e9);
        for (TrainingSet.TableReport r : set.tableReports()) {
            System.out.printf("  %s: %s%n", r.table(), r.firstVersion() < 0 ? "no label within its history"
                    : "bootstrapped at version " + r.firstVersion() + ", " + r.commitsReplayed()
                    + " commits replayed to version " + r.lastVersion()
                    + (r.noHistory() == 0 ? "" : "; " + r.noHistory() + " labels before its oldest version "
                    + "(features null, flagged NO_HISTORY)"));
        }
        System.out.println("  values: " + set.reasonCounts());
        return 0;
    }

    /** A Delta table: a URI, or a directory holding {@code _delta_log}; anything else is read as CSV. */
    private static boolean isDelta(String labels) {
        return labels.contains("://") || Files.isDirectory(Path.of(labels).resolve("_delta_log"));
    }
}
