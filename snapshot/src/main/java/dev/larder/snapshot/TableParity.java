package dev.larder.snapshot;

import dev.larder.store.FeatureTable;
import dev.larder.store.ReadStatus;
import dev.larder.store.RowBuffer;
import dev.larder.store.TableReader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Dump and verify: a table's rows rendered with {@link JsonRowFormat} (the encoding of the shared tables'
 * {@code computed/} files), and a row-by-row comparison with the Delta table at the table's watermark. Runs on the
 * caller's thread; the table should not be written meanwhile.
 */
public final class TableParity {
    /** Outcome of {@link #verify}: equal, or the first differences found. */
    public record Result(long version, long deltaRows, long tableRows, List<String> differences) {
        public boolean equal() {
            return differences.isEmpty() && deltaRows == tableRows;
        }
    }

    private TableParity() {
    }

    /**
     * Every row of the table as one JSON line, columns in schema order, lines sorted; each row checked against its
     * checksum ({@link FeatureTable#newCheckedReader()}). A read-only table is scanned again when its writer outgrew
     * the files as mapped meanwhile ({@link FeatureTable#readConsistently}).
     *
     * @throws dev.larder.store.StoreCorruptedException naming rows.dat and the key of a row that fails its checksum
     */
    public static List<String> dump(FeatureTable table) {
        StoredRow view = new StoredRow(DeltaFeatureSchemas.toDeltaSchema(table.schema()));
        TableReader reader = table.newCheckedReader();
        return table.readConsistently(() -> {
            List<String> lines = new ArrayList<>();
            reader.forEach(r -> lines.add(JsonRowFormat.toJson(view.wrap(r))));
            Collections.sort(lines);
            return lines;
        });
    }

    /**
     * Reads the Delta table at the table's watermark version and compares every row with the stored one by key (values
     * rendered as JSON, so a difference is shown as text), then the row counts. Memory stays O(1) in the table size.
     */
    public static Result verify(DeltaSource source, FeatureTable table, int maxDifferences) {
        long version = table.lineage().version();
        if (version < 0) {
            return new Result(version, 0, table.size(), List.of("table " + table.name() + " has no watermark yet (never loaded)"));
        }
        DeltaRowCopier copier = new DeltaRowCopier(table.schema());
        RowBuffer expected = table.newRow();
        TableReader reader = table.newReader();
        StoredRow expectedView = new StoredRow(DeltaFeatureSchemas.toDeltaSchema(table.schema()));
        StoredRow actualView = new StoredRow(expectedView.schema());
        List<String> diffs = new ArrayList<>();
        long rows = source.scan(version, r -> {
            copier.copy(r, expected.clear());
            ReadStatus s = reader.get(expected);
            String want = JsonRowFormat.toJson(expectedView.wrap(expected));
            if (s == ReadStatus.NOT_FOUND) {
                add(diffs, maxDifferences, "missing from the table: " + want);
            } else {
                String got = JsonRowFormat.toJson(actualView.wrap(reader));
                if (!got.equals(want)) {
                    add(diffs, maxDifferences, "differs: delta " + want + " table " + got);
                }
            }
        });
        long tableRows = table.size();
        if (tableRows != rows && diffs.size() < maxDifferences) {
            diffs.add("row count: delta " + rows + ", table " + tableRows
                    + (tableRows > rows ? " (the table holds keys the Delta table does not)" : ""));
        }
        return new Result(version, rows, tableRows, diffs);
    }

    private static void add(List<String> diffs, int max, String d) {
        if (diffs.size() < max) {
            diffs.add(d);
        }
    }
}
