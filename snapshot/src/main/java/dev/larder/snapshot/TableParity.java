package dev.larder.snapshot;

import dev.larder.store.FeatureSchema;
import dev.larder.store.FeatureTable;
import dev.larder.store.ReadStatus;
import dev.larder.store.RowBuffer;
import dev.larder.store.ScrubResult;
import dev.larder.store.TableReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Dump and verify: a table's rows rendered with {@link JsonRowFormat} (the encoding of the shared tables'
 * {@code computed/} files), and a row-by-row comparison with the Delta table at the table's watermark. Dump runs on the
 * caller's thread; verify reads Delta's files on the caller's thread and, one per core, up to 3 more, and walks the
 * table on another. The table should not be written meanwhile.
 */
public final class TableParity {
    /**
     * Outcome of {@link #verify}: the row counts, every difference counted by kind, and the first of them described.
     *
     * @param version          the Delta version compared (the table's watermark; negative when it has none)
     * @param deltaRows        rows of the Delta table at that version
     * @param tableRows        rows of the table
     * @param missingFromTable Delta rows whose key the table does not hold
     * @param missingFromDelta table rows whose key no Delta row has
     * @param differing        rows held by both whose values differ in at least one column
     * @param scrub            the table's rows checked against their checksums (on the same pass as its keys)
     * @param differences      up to the caller's maximum of lines, each naming a row by its values (and the columns
     *                         that differ); the row counts first when they differ
     */
    public record Result(long version, long deltaRows, long tableRows, long missingFromTable, long missingFromDelta,
                         long differing, ScrubResult scrub, List<String> differences) {
        /** Keeps an immutable copy of {@code differences}. */
        public Result {
            differences = List.copyOf(differences);
        }

        /**
         * Whether the table equals the Delta table: same keys, same values, same row count. Rows failing their checksum
         * are reported in {@link #scrub} only (their values may still be equal).
         */
        public boolean equal() {
            return version >= 0 && missingFromTable == 0 && missingFromDelta == 0 && differing == 0
                    && deltaRows == tableRows;
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
     * Reads the Delta table at the table's watermark version once (its files on one thread per core, up to 4), looks
     * each row up in the table by key and compares the values column by column (typed, allocation-free per row), and
     * proves the table holds no other key: the sum of a 64-bit hash of every key found must equal that of the table's
     * keys, summed on another thread by the same walk that checks every row's checksum ({@link FeatureTable#scrub}),
     * while Delta is read. Only when it does not are the
     * table's extra keys named, which reads the Delta table a second time and holds 8 bytes per Delta row; otherwise
     * memory is the scrub's one bit per row slot. Every difference is counted; {@code maxDifferences} bounds the lines
     * describing them, sorted (which rows fill the bound when there are more may vary from run to run).
     */
    public static Result verify(DeltaSource source, FeatureTable table, int maxDifferences) {
        long version = table.lineage().version();
        if (version < 0) {
            return new Result(version, 0, table.size(), 0, 0, 0, table.scrub(),
                    List.of("table " + table.name() + " has no watermark yet (never loaded)"));
        }
        return new Verification(source, table, version, maxDifferences).run();
    }

    /**
     * As {@link #verify(DeltaSource, FeatureTable, int)} against the Delta table at {@code version} rather than at the
     * table's watermark: for tests that change a table behind its feed (the engine only applies versions above the
     * watermark, so such a table is a version ahead of the Delta table it is compared with).
     */
    static Result verify(DeltaSource source, FeatureTable table, long version, int maxDifferences) {
        return new Verification(source, table, version, maxDifferences).run();
    }

    /**
     * One run of {@link #verify}: Delta's files are compared on up to {@link DeltaSource#SCAN_THREADS} threads, each
     * with a {@link Comparison} of its own, merged once they are joined; the store pass runs on a thread of its own.
     */
    private static final class Verification {
        private final DeltaSource source;
        private final FeatureTable table;
        private final long version;
        private final int max;
        private final FeatureSchema schema;
        private final StoredRow actualView;
        /** Every thread's comparison, for the merge; guarded by itself. */
        private final List<Comparison> comparisons = new ArrayList<>();
        private final List<String> lines = new ArrayList<>();
        private long missingFromDelta;

        Verification(DeltaSource source, FeatureTable table, long version, int max) {
            this.source = source;
            this.table = table;
            this.version = version;
            this.max = max;
            this.schema = table.schema();
            this.actualView = new StoredRow(DeltaFeatureSchemas.toDeltaSchema(schema));
        }

        Result run() {
            StorePass store = new StorePass();
            Thread storeThread = Thread.ofPlatform().name("larder-verify-" + table.name()).daemon().start(store);
            long deltaRows;
            try {
                deltaRows = source.scan(version, DeltaSource.SCAN_THREADS, () -> {
                    Comparison c = new Comparison();
                    synchronized (comparisons) {
                        comparisons.add(c);
                    }
                    // Every file, even of a table partitioned by shard: a shard column that does not hold the
                    // shards hides owned rows in skipped files, and this is where they are found missing.
                    return c;
                }, ScanProgress.NONE);
            } finally {
                ParallelScan.joinUninterruptibly(List.of(storeThread));
            }
            // join() orders the store pass's writes before these reads, as the scan's joins do its threads'.
            if (store.failure != null) {
                throw store.failure;
            }
            long found = 0;
            long foundKeySum = 0;
            long missingFromTable = 0;
            long differing = 0;
            synchronized (comparisons) {
                for (Comparison c : comparisons) {
                    found += c.found;
                    foundKeySum += c.foundKeySum;
                    missingFromTable += c.missingFromTable;
                    differing += c.differing;
                    deltaRows -= c.notOwned;
                    lines.addAll(c.lines);
                }
            }
            // Threads take files in no fixed order: sorted, the lines read the same on every run.
            Collections.sort(lines);
            long tableRows = table.size();
            long repeated = 0;
            if (store.rows != found || store.keySum != foundKeySum) {
                repeated = nameExtraKeys();
            }
            List<String> out = new ArrayList<>();
            if (tableRows != deltaRows) {
                out.add("row count: delta " + deltaRows + ", table " + tableRows
                        + (missingFromDelta > 0 ? " (the table holds keys the Delta table does not)" : "")
                        + (repeated > 0 ? " (" + repeated + " Delta rows repeat the key of another)" : ""));
            }
            out.addAll(lines);
            return new Result(version, deltaRows, tableRows, missingFromTable, missingFromDelta, differing, store.scrub,
                    out.subList(0, Math.min(out.size(), max)));
        }

        /**
         * Compares the Delta rows one scanning thread reads with the table's: each looked up by key and compared column
         * by column (typed, allocation-free per row); confined to that thread until the scan has joined it.
         */
        private final class Comparison implements RowConsumer {
            private final RowParity parity = new RowParity(schema);
            private final DeltaRowCopier copier = new DeltaRowCopier(schema);
            private final RowBuffer expected = table.newRow();
            private final TableReader reader = table.newReader();
            private final StoredRow expectedView = new StoredRow(actualView.schema());
            private final StoredRow differingView = new StoredRow(actualView.schema());
            private final List<String> lines = new ArrayList<>();
            private long found;
            private long foundKeySum;
            private long missingFromTable;
            private long differing;
            /** Delta rows of shards the table does not hold: not the table's to have. */
            private long notOwned;

            @Override
            public void accept(DeltaRow r) {
                copier.copy(r, expected.clear());
                ReadStatus status = reader.get(expected);
                if (status == ReadStatus.NOT_OWNED) {
                    notOwned++;
                    return;
                }
                if (status == ReadStatus.NOT_FOUND) {
                    if (missingFromTable++ < max) {
                        lines.add("missing from the table: " + JsonRowFormat.toJson(expectedView.wrap(expected)));
                    }
                    return;
                }
                found++;
                foundKeySum += parity.keyHash(reader);
                int c = parity.nextDifference(expected, reader, 0);
                if (c >= 0 && differing++ < max) {
                    StringBuilder columns = new StringBuilder(schema.column(c).name());
                    while ((c = parity.nextDifference(expected, reader, c + 1)) >= 0) {
                        columns.append(", ").append(schema.column(c).name());
                    }
                    lines.add("differs in " + columns + ": delta " + JsonRowFormat.toJson(expectedView.wrap(expected))
                            + " table " + JsonRowFormat.toJson(differingView.wrap(reader)));
                }
            }
        }

        /**
         * The pass over the table, on a second core while the caller's reads Delta: checksums
         * ({@link FeatureTable#scrub}) and, on the same walk, the row count and key hash sum that prove the table holds
         * no key beyond Delta's.
         */
        private final class StorePass implements Runnable {
            private final RowParity keys = new RowParity(schema);
            ScrubResult scrub;
            long rows;
            long keySum;
            RuntimeException failure;

            @Override
            public void run() {
                try {
                    // A read-only table's walk may run again (readConsistently): each attempt counts afresh.
                    scrub = table.readConsistently(() -> {
                        rows = 0;
                        keySum = 0;
                        return table.scrub(r -> {
                            rows++;
                            keySum += keys.keyHash(r);
                        });
                    });
                } catch (RuntimeException e) {
                    failure = e;
                }
            }
        }

        /**
         * Names the table's rows whose key no Delta row has: the Delta keys' hashes, sorted, then one pass over the
         * table. Returns how many Delta rows repeat the key of an earlier one (the other way the sums can differ).
         */
        private long nameExtraKeys() {
            RowParity parity = new RowParity(schema);
            DeltaRowCopier copier = new DeltaRowCopier(schema);
            RowBuffer expected = table.newRow();
            long[][] hashes = {new long[1024]};
            int[] n = {0};
            source.scan(version, r -> {
                copier.copy(r, expected.clear());
                if (n[0] == hashes[0].length) {
                    hashes[0] = Arrays.copyOf(hashes[0], n[0] * 2);
                }
                hashes[0][n[0]++] = parity.keyHash(expected);
            });
            long[] sorted = hashes[0];
            Arrays.sort(sorted, 0, n[0]);
            long repeated = 0;
            for (int i = 1; i < n[0]; i++) {
                if (sorted[i] == sorted[i - 1]) {
                    repeated++;
                }
            }
            // A read-only table's scan may run again (readConsistently), so each attempt counts afresh.
            List<String> extra = new ArrayList<>();
            missingFromDelta = table.readConsistently(() -> {
                extra.clear();
                long[] missing = {0};
                table.newReader().forEach(r -> {
                    if (Arrays.binarySearch(sorted, 0, n[0], parity.keyHash(r)) < 0 && missing[0]++ < max) {
                        extra.add("missing from the Delta table: " + JsonRowFormat.toJson(actualView.wrap(r)));
                    }
                });
                return missing[0];
            });
            lines.addAll(extra);
            return repeated;
        }
    }
}
