package dev.larder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.snapshot.DeltaSchema;
import dev.larder.snapshot.DeltaSource;
import dev.larder.snapshot.servelog.KernelLogReader;
import dev.larder.snapshot.servelog.ServeLogLayout;
import dev.larder.snapshot.servelog.ServeLogRows;
import dev.larder.snapshot.servelog.ServeLogTable;
import dev.larder.snapshot.servelog.SkewCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The served-feature log of vectors keyed otherwise than by one integral column (a string and an integer here), and of
 * single-table reads: what was served reaches the Delta log, read back with Kernel, field for field, and the skew
 * check matches the logged keys with the lakehouse's rows.
 */
class ServeLogKeysTest {
    private static final String[] TABLES = {"dv", "extra"};

    @TempDir
    Path dir;

    private static Path shared(String name) {
        Path root = Path.of("..", "..", "shared", "delta-tables", name, "delta").toAbsolutePath().normalize();
        assertTrue(Files.isDirectory(root), "the shared Delta tables are checked out beside the repository: " + root);
        return root;
    }

    /** One served vector as the caller saw it, with each table's row version as a single-table reader reports it. */
    private record Served(long requestId, String name, long number, double[] values, ReadStatus[] statuses,
                          long[] versions, long[] commitTs) {
    }

    /** The (col2, col1) keys of the Delta table's latest version, with its part column, in key order. */
    private static TreeMap<List<Object>, Long> lakehouseRows(Path table) {
        DeltaSource delta = DeltaSource.open(table.toString());
        long version = delta.latestVersion();
        DeltaSchema schema = delta.schema(version);
        int col2 = schema.indexOf("col2");
        int col1 = schema.indexOf("col1");
        int part = schema.indexOf("part");
        TreeMap<List<Object>, Long> rows = new TreeMap<>((a, b) -> a.toString().compareTo(b.toString()));
        delta.scan(version, row -> {
            synchronized (rows) {
                rows.put(List.of(row.getString(col2), (long) row.getInt(col1)), (long) row.getInt(part));
            }
        });
        return rows;
    }

    /**
     * A vector over a followed Delta table keyed by (col2 string, col1 integer) and a pushed one of the same key
     * layout: the log has a string and a bigint key column named as in the first table, and every field as served.
     */
    @Test
    void aCompositeKeyVectorIsLoggedAsServedAndSkewChecked() throws Exception {
        Path dv = shared("dv-partitioned-with-checkpoint");
        TreeMap<List<Object>, Long> lake = lakehouseRows(dv);
        assertTrue(lake.size() >= 4, "rows " + lake);
        Schema extra = Schema.builder().keyColumn("name", ColumnType.STRING).keyColumn("n", ColumnType.INT64)
                .column("score", ColumnType.FLOAT64).build();
        Path logPath = dir.resolve("log");
        try (Larder larder = Larder.builder(dir.resolve("store"))
                .follow("dv", Source.delta(dv.toString()).key("col2", "col1"))
                .push("extra", extra, Duration.ZERO)
                .vector("v", Feature.of("dv.part", -1), Feature.of("extra.score", -2))
                .log("v", ServeLog.to(logPath.toString()).tags("m", "1"))
                .open()) {
            assertTrue(larder.awaitReady(Duration.ofMinutes(1)));
            List<List<Object>> keys = new ArrayList<>(lake.keySet()).subList(0, 3);
            Pusher p = larder.table("extra").newPusher();
            p.row().setString(0, (String) keys.get(0).get(0)).setLong(1, (Long) keys.get(0).get(1))
                    .setDouble(2, 0.25);
            // One time for the row and its version: the log stamps a version with the watermark's commit time.
            long now = System.currentTimeMillis();
            p.upsert(1, now);
            p.endVersion(1, now);
            larder.flush();

            Vector.Filler filler = larder.vector("v").newFiller();
            Reader dvReader = larder.table("dv").newReader();
            Reader extraReader = larder.table("extra").newReader();
            List<Served> served = new ArrayList<>();
            List<List<Object>> asked = new ArrayList<>(keys);
            asked.add(List.of("no such key", 12345L));
            for (int i = 0; i < asked.size(); i++) {
                String name = (String) asked.get(i).get(0);
                long number = (Long) asked.get(i).get(1);
                double[] out = new double[2];
                ReadStatus[] statuses = new ReadStatus[2];
                if (i % 2 == 0) {
                    filler.requestId(100 + i).fill(filler.key().setString(0, name).setLong(1, number), out, statuses);
                } else {
                    float[] floats = new float[2];
                    filler.requestId(100 + i).fill(filler.key().setString(0, name).setLong(1, number), floats,
                            statuses);
                    out[0] = floats[0];
                    out[1] = floats[1];
                }
                long[] versions = new long[2];
                long[] commitTs = new long[2];
                Reader[] readers = {dvReader, extraReader};
                for (int t = 0; t < 2; t++) {
                    Reader r = readers[t];
                    boolean row = r.get(r.key().setString(0, name).setLong(1, number)) != ReadStatus.NOT_FOUND;
                    versions[t] = row ? r.version() : -1;
                    commitTs[t] = row ? r.commitTimestampMillis() : -1;
                }
                served.add(new Served(100 + i, name, number, out, statuses, versions, commitTs));
            }
            larder.vector("v").flushLog();
            assertEquals(asked.size(), larder.vector("v").logStats().committed());

            List<Map<String, Object>> rows = new KernelLogReader(logPath).rows();
            assertEquals(served.size(), rows.size());
            Map<Long, Map<String, Object>> byId = rows.stream()
                    .collect(Collectors.toMap(r -> (Long) r.get("request_id"), Function.identity()));
            for (Served s : served) {
                Map<String, Object> row = byId.get(s.requestId());
                assertNotNull(row, "request " + s.requestId());
                assertRow(larder, s, row);
            }
            // The served values: the lakehouse's part for a present key, the pushed score, the defaults elsewhere.
            assertEquals((double) lake.get(keys.get(0)), served.get(0).values()[0]);
            assertEquals(0.25, served.get(0).values()[1]);
            assertEquals(ReadStatus.NOT_FOUND, served.get(3).statuses()[0]);

            SkewReport clean = larder.vector("v").checkLog(5);
            assertTrue(clean.clean(), clean.toString());
            // The three dv values of present keys equal at their version, the absent key's NOT_FOUND too.
            assertEquals(4, clean.equal(), clean.toString());
            assertEquals(4, clean.unsourced(), clean.toString());

            // A tampered record appended to the log: the check finds it, named by its composite key.
            ServeLogLayout layout = new ServeLogLayout("v", List.of("col2", "col1"),
                    List.of(ServeLogLayout.KeyKind.STRING, ServeLogLayout.KeyKind.LONG),
                    List.of("dv.part", "extra.score"), List.of("dv", "extra"));
            ServeLogRows tampered = new ServeLogRows(layout, 1);
            int r = tampered.add();
            Map<String, Object> first = byId.get(100L);
            tampered.requestId[r] = 999;
            tampered.servedAtMillis[r] = (Long) first.get("served_at") / 1000;
            tampered.stringKey(0)[r] = (String) keys.get(0).get(0);
            tampered.longKey(1)[r] = (Long) keys.get(0).get(1);
            tampered.values[0][r] = lake.get(keys.get(0)) + 1;
            tampered.values[1][r] = 0.25;
            tampered.versions[0][r] = (Long) first.get("dv__version");
            tampered.commitTs[0][r] = ServeLogRows.UNKNOWN;
            tampered.versions[1][r] = -1;
            tampered.commitTs[1][r] = ServeLogRows.UNKNOWN;
            tampered.sources[0] = (String) first.get("dv__source");
            tampered.tableIds[0] = (String) first.get("dv__table_id");
            tampered.tableIds[1] = "application";
            tampered.tags("m", "1");
            ServeLogTable.open(logPath.toString(), DeltaSource.localConfiguration(), layout).append(tampered);
            SkewCheck.Report report = SkewCheck.run(logPath.toString(), DeltaSource.localConfiguration(),
                    DeltaSource::open, Map.of(), 0, 5);
            assertEquals(1, report.different(), report.toString());
            SkewCheck.Difference d = report.differences().get(0);
            assertEquals(999, d.requestId());
            assertEquals("(" + keys.get(0).get(0) + ", " + keys.get(0).get(1) + ")", d.key());
            assertEquals("part", d.column());
            assertEquals(String.valueOf((double) lake.get(keys.get(0))), d.lakehouse());
        }
    }

    private static void assertRow(Larder larder, Served s, Map<String, Object> row) {
        String at = "request " + s.requestId() + ": ";
        assertEquals(s.name(), row.get("col2"), at + "col2");
        assertEquals(s.number(), row.get("col1"), at + "col1");
        assertEquals("v", row.get("vector"));
        assertEquals("m", row.get("model"));
        assertEquals("1", row.get("model_version"));
        String[] features = {"dv__part", "extra__score"};
        for (int f = 0; f < 2; f++) {
            assertEquals(Double.doubleToRawLongBits(s.values()[f]),
                    Double.doubleToRawLongBits((Double) row.get(features[f])), at + features[f]);
            Object reason = row.get(features[f] + "__default");
            assertEquals(s.statuses()[f] == ReadStatus.FOUND ? null : s.statuses()[f].name(), reason,
                    at + features[f]);
        }
        for (int t = 0; t < 2; t++) {
            String table = TABLES[t];
            Lineage lineage = larder.table(table).lineage();
            if (s.versions()[t] < 0) {
                assertNull(row.get(table + "__version"), at + table);
            } else {
                assertEquals(s.versions()[t], row.get(table + "__version"), at + table);
                assertEquals(s.commitTs()[t] * 1000, row.get(table + "__commit_ts"), at + table);
            }
            assertEquals(lineage.sourcePath().isEmpty() ? null : lineage.sourcePath(), row.get(table + "__source"));
            assertEquals(lineage.sourceId(), row.get(table + "__table_id"));
        }
    }

    /**
     * Single-table reads of a followed table logged through the reader's logged columns: the log has the table's
     * columns only, each read as served, and its skew check finds every value equal.
     */
    @Test
    void singleTableReadsAreLoggedAsReadAndSkewChecked() throws Exception {
        Path logPath = dir.resolve("reads");
        try (Larder larder = Larder.builder(dir.resolve("store"))
                .follow("bp", Source.delta(shared("basic_partitioned").toString()).key("number"))
                .logReads("bp", ServeLog.to(logPath.toString()), "a_float")
                .open()) {
            assertTrue(larder.awaitReady(Duration.ofMinutes(1)));
            Reader reader = larder.table("bp").newReader();
            Columns columns = reader.loggedColumns(-1);
            assertTrue(columns.logged());
            Reader check = larder.table("bp").newReader();
            long[] keys = {1, 2, 3, 9};
            Map<Long, double[]> served = new TreeMap<>();
            Map<Long, ReadStatus> statuses = new TreeMap<>();
            for (int i = 0; i < keys.length; i++) {
                double[] out = new double[1];
                // Without the caller's statuses the read is logged with the store's.
                ReadStatus status = reader.get(keys[i], columns.requestId(10 + i), out, null);
                served.put(10L + i, out);
                statuses.put(10L + i, status);
            }
            larder.table("bp").flushReadLog();
            assertEquals(keys.length, larder.table("bp").readLogStats().committed());
            List<Map<String, Object>> rows = new KernelLogReader(logPath).rows();
            assertEquals(keys.length, rows.size());
            for (Map<String, Object> row : rows) {
                long id = (Long) row.get("request_id");
                long key = keys[(int) id - 10];
                assertEquals(key, row.get("number"));
                assertEquals("bp", row.get("vector"));
                assertEquals(Double.doubleToRawLongBits(served.get(id)[0]),
                        Double.doubleToRawLongBits((Double) row.get("bp__a_float")), "request " + id);
                ReadStatus s = statuses.get(id);
                assertEquals(s == ReadStatus.FOUND ? null : s.name(), row.get("bp__a_float__default"));
                if (check.get(key) == ReadStatus.NOT_FOUND) {
                    assertNull(row.get("bp__version"));
                } else {
                    assertEquals(check.version(), row.get("bp__version"));
                    assertEquals(check.commitTimestampMillis() * 1000, row.get("bp__commit_ts"));
                }
                assertEquals(larder.table("bp").lineage().sourcePath(), row.get("bp__source"));
            }
            assertEquals(List.of("request_id", "served_at", "served_date", "vector", "model", "model_version",
                    "number", "bp__a_float", "bp__a_float__default", "bp__version", "bp__commit_ts", "bp__source",
                    "bp__table_id"), new KernelLogReader(logPath).snapshot().getSchema().fieldNames());
            SkewReport report = larder.table("bp").checkReadLog(5);
            assertEquals(keys.length, report.vectors(), report.toString());
            assertEquals(keys.length, report.equal(), report.toString());
            assertTrue(report.clean(), report.toString());
        }
    }

    /** Logging a composite-key fill and a logged single-table read allocates nothing on the serving thread. */
    @Test
    void compositeKeyFillsAndLoggedReadsAllocateNothing() throws Exception {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        Schema schema = Schema.builder().keyColumn("name", ColumnType.STRING).keyColumn("n", ColumnType.INT64)
                .column("x", ColumnType.FLOAT64).build();
        String[] names = {"a", "bb", "ccc", "dddd"};
        try (Larder larder = Larder.builder(dir.resolve("store")).push("t", schema, Duration.ZERO)
                .vector("v", Feature.of("t.x", -1))
                .log("v", ServeLog.to(dir.resolve("log").toString()).bufferRecords(1024).rollRows(4096))
                .logReads("t", ServeLog.to(dir.resolve("reads").toString()).bufferRecords(1024).rollRows(4096), "x")
                .open()) {
            Pusher p = larder.table("t").newPusher();
            for (int i = 0; i < names.length; i++) {
                p.row().setString(0, names[i]).setLong(1, i).setDouble(2, i * 0.5);
                p.upsert(1, 1_000);
            }
            p.endVersion(1, 1_000);
            larder.flush();
            Vector.Filler filler = larder.vector("v").newFiller();
            Reader reader = larder.table("t").newReader();
            Columns columns = reader.loggedColumns(-1);
            double[] out = new double[1];
            ReadStatus[] statuses = new ReadStatus[1];
            long id = Thread.currentThread().threadId();
            long fewest = Long.MAX_VALUE;
            long sum = 0;
            for (int round = 0; round < 6 && fewest != 0; round++) {
                long before = threads.getThreadAllocatedBytes(id);
                for (int i = 0; i < 20_000; i++) {
                    String name = names[i & 3];
                    sum += filler.fill(filler.key().setString(0, name).setLong(1, i & 3), out, statuses);
                    reader.get(reader.key().setString(0, name).setLong(1, i & 3), columns, out, null);
                    sum += out[0] >= 0 ? 1 : 0;
                }
                long allocated = threads.getThreadAllocatedBytes(id) - before;
                if (round > 0) {
                    fewest = Math.min(fewest, allocated);
                }
            }
            assertEquals(0, fewest, "bytes allocated by 20,000 logged fills and reads in the steadiest round");
            assertTrue(sum > 0);
            assertTrue(larder.vector("v").logStats().logged() > 0);
            assertTrue(larder.table("t").readLogStats().logged() > 0);
            // What was logged decodes to the keys served.
            larder.vector("v").flushLog();
            for (Map<String, Object> row : new KernelLogReader(dir.resolve("log")).rows()) {
                long n = (Long) row.get("n");
                assertEquals(names[(int) n], row.get("name"));
                assertEquals(n * 0.5, (Double) row.get("t__x"));
            }
        }
    }

    @Test
    void readsOfATableNotLoggedSaySo() throws Exception {
        Schema schema = Schema.builder().keyColumn("id", ColumnType.INT64).column("x", ColumnType.FLOAT64).build();
        try (Larder larder = Larder.builder(dir.resolve("a")).push("t", schema, Duration.ZERO).open()) {
            assertThrows(IllegalStateException.class, () -> larder.table("t").newReader().loggedColumns(0));
            assertThrows(IllegalStateException.class, () -> larder.table("t").readLogStats());
            assertTrue(!larder.table("t").newReader().columns(0, "x").logged());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Larder.builder(dir.resolve("b"))
                .push("t", schema, Duration.ZERO).logReads("t", ServeLog.to(dir.resolve("l").toString()), "y")
                .open());
        assertTrue(e.getMessage().contains("has no column y"), e.getMessage());
    }
}
