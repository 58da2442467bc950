package dev.larder.cli;

import dev.larder.Definition;
import dev.larder.Feature;
import dev.larder.Key;
import dev.larder.Larder;
import dev.larder.Lineage;
import dev.larder.ReadStatus;
import dev.larder.Reader;
import dev.larder.Schema;
import dev.larder.Table;
import dev.larder.Vector;
import dev.larder.ingest.Redaction;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code larder get}: looks up one entity and prints its features, status and lineage. Opens the store read-only
 * ({@link Larder#openReadOnly}), so it answers beside a running {@code follow}, and refuses a row that fails its
 * checksum (naming rows.dat and the repair).
 */
@Command(name = "get", description = "Look up one entity key and print its row, status and lineage.")
final class GetCommand implements Callable<Integer> {
    @Option(names = "--store", description = "Store directory (with --definition: default the file's store).")
    Path store;

    @Option(names = "--table", description = "Table name (or --vector).", converter = TableNameConverter.class)
    String table;

    @Option(names = "--definition", paramLabel = "FILE", description = "Definition file declaring the --vector.")
    Path definition;

    @Option(names = "--vector", paramLabel = "NAME", description = "Print this vector of the --definition for the key: "
            + "each feature's value (or default) and status, in model input order.")
    String vector;

    @Parameters(arity = "1..*", description = "Key value(s), one per key column in key order.")
    String[] key;

    @Override
    public Integer call() {
        if (vector != null || definition != null) {
            return vector();
        }
        if (store == null || table == null) {
            throw new IllegalArgumentException("get needs --store and --table (or --definition and --vector)");
        }
        try (Larder larder = Larder.openReadOnly(store)) {
            Table t = larder.table(table);
            Reader r = t.newCheckedReader();
            Key k = CliKeys.parse(table, t.schema(), key, r.key());
            // Rendered whole inside one consistent read: the follow may outgrow the files as mapped meanwhile.
            Answer a = t.readConsistently(() -> lookup(t, r, k));
            a.lines().forEach(System.out::println);
            return a.status() == ReadStatus.NOT_FOUND || a.status() == ReadStatus.NOT_OWNED ? 2 : 0;
        }
    }

    /** Runs {@code read} inside {@link Table#readConsistently} of each of {@code tables} from {@code i} on. */
    private static <T> T consistently(List<Table> tables, int i, Supplier<T> read) {
        return i == tables.size() ? read.get()
                : tables.get(i).readConsistently(() -> consistently(tables, i + 1, read));
    }

    /** A lookup's status and the lines that print it. */
    private record Answer(ReadStatus status, List<String> lines) {
    }

    /** The status and table lineage lines, then (when found) the row's lineage and columns. */
    private static Answer lookup(Table t, Reader r, Key k) {
        List<String> lines = new ArrayList<>();
        ReadStatus status = r.get(k);
        Lineage l = t.lineage();
        lines.add("status: " + status);
        lines.add("table lineage: source=" + Redaction.uris(l.sourcePath()) + " id=" + l.sourceId()
                + (l.fromCatalog() ? " catalogTable=" + l.catalogTable() + " catalogTableId=" + l.catalogTableId() : "")
                + " version=" + l.version()
                + " commitTimestamp=" + Instant.ofEpochMilli(l.commitTimestampMillis()));
        if (status == ReadStatus.NOT_FOUND || status == ReadStatus.NOT_OWNED) {
            return new Answer(status, lines);
        }
        lines.add("row lineage: version=" + r.version() + " commitTimestamp="
                + Instant.ofEpochMilli(r.commitTimestampMillis()));
        Schema schema = t.schema();
        for (int c = 0; c < schema.columnCount(); c++) {
            lines.add("  " + schema.name(c) + " (" + schema.typeName(c) + ") = " + CliKeys.render(r, schema, c));
        }
        return new Answer(status, lines);
    }

    /** The features of a declared vector for one key, as a model would receive them; exit 2 if no feature was found. */
    private int vector() {
        if (vector == null || definition == null || table != null) {
            throw new IllegalArgumentException("--vector and --definition go together, without --table");
        }
        Definition d = Definition.read(definition);
        List<Feature> features = d.vector(vector);
        Path dir = store != null ? store : d.store();
        if (dir == null) {
            throw new IllegalArgumentException(definition + " names no store: add 'store: DIR' or pass --store");
        }
        try (Larder larder = Larder.openReadOnly(dir)) {
            Vector v = larder.newVector(vector, features);
            Vector.Filler filler = v.newFiller();
            Table first = larder.table(features.get(0).table());
            Key k = CliKeys.parse(first.name(), first.schema(), key, filler.key());
            List<Table> tables = features.stream().map(f -> larder.table(f.table())).distinct().toList();
            List<Reader> checked = new ArrayList<>();
            List<Key> checkedKeys = new ArrayList<>();
            for (Table t : tables) {
                Reader r = t.newCheckedReader();
                checked.add(r);
                checkedKeys.add(CliKeys.parse(t.name(), t.schema(), key, r.key()));
            }
            double[] values = new double[v.size()];
            ReadStatus[] statuses = new ReadStatus[v.size()];
            // One read consistent with what every table's follow published: the checks and the fill run again when
            // a writer outgrew a table's files as mapped meanwhile.
            int found = consistently(tables, 0, () -> {
                // The filler serves what it finds; a tool checks each table's row first, refusing a damaged one.
                for (int i = 0; i < checked.size(); i++) {
                    checked.get(i).get(checkedKeys.get(i));
                }
                return filler.fill(k, values, statuses);
            });
            System.out.println("vector " + vector + " (" + v.size() + " features, " + found + " from data):");
            for (int i = 0; i < v.size(); i++) {
                System.out.println("  " + v.features().get(i) + " = " + values[i] + " (" + statuses[i] + ")");
            }
            return found == 0 ? 2 : 0;
        }
    }
}
