package dev.larder.snapshot.trainset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.larder.snapshot.DeltaReadException;
import dev.larder.snapshot.DeltaSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training set against an independently computed as-of join on the shared tables: for each label, the Kernel
 * snapshot at the version in force at its time, read directly (Kernel's Scan API, not Larder's reader or change feed),
 * and the key looked up there; the row's age for the TTL from the oldest of the consecutive snapshots, back to the
 * bootstrap version, holding the row unchanged.
 */
class TrainingSetTest {
    /** CDF on from v1, cdc files in v2 (Bob updated) and v4 (Alice deleted), David inserted in v3; key id. */
    private static final String VALUES = "cdf-column-mapping-name-mode";
    /** 16 versions, each deleting one row through a deletion vector, a checkpoint at v10; key col1. */
    private static final String PARTS = "dv-partitioned-with-checkpoint";

    @TempDir
    Path tmp;

    /** One table as the oracle sees it. */
    private record Oracle(String name, Path path, String key, Duration ttl, List<String> columns,
                          List<Double> defaults, long[] stamps, Map<Long, Map<Long, Map<String, Object>>> cache) {
        static Oracle of(String name, String table, String key, Duration ttl, List<String> columns,
                         List<Double> defaults) {
            Path path = shared(table);
            long latest = latestVersion(path);
            long[] stamps = new long[(int) latest + 1];
            DeltaSource source = DeltaSource.open(path.toString());
            for (int v = 0; v <= latest; v++) {
                stamps[v] = source.commitTimestamp(v);
            }
            return new Oracle(name, path, key, ttl, columns, defaults, stamps, new HashMap<>());
        }

        Map<Long, Map<String, Object>> rowsAt(long version) {
            return cache.computeIfAbsent(version, v -> {
                Map<Long, Map<String, Object>> byKey = new HashMap<>();
                for (Map<String, Object> r : KernelRows.at(path, v)) {
                    byKey.put((Long) r.get(key), r);
                }
                return byKey;
            });
        }

        long versionAt(long millis) {
            long v = -1;
            for (int i = 0; i < stamps.length; i++) {
                if (stamps[i] <= millis) {
                    v = i;
                }
            }
            return v;
        }

        TrainingSet.TableSpec spec() {
            return new TrainingSet.TableSpec(name, DeltaSource.open(path.toString()), List.of(key), List.of(), ttl);
        }
    }

    private static long latestVersion(Path table) {
        return io.delta.kernel.TableManager.loadSnapshot(table.toAbsolutePath().toUri().toString())
                .build(io.delta.kernel.defaults.engine.DefaultEngine.create(
                        new org.apache.hadoop.conf.Configuration())).getVersion();
    }

    static Path shared(String name) {
        Path dir = Path.of("..", "..", "shared", "delta-tables").toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            if (Boolean.parseBoolean(System.getenv("CI"))) {
                fail("shared Delta tables not found at " + dir + "; CI requires them");
            }
            assumeTrue(false, "shared Delta tables not found at " + dir);
        }
        return dir.resolve(name).resolve("delta");
    }

    @Test
    void equalsAnAsOfJoinOfSnapshotsAcrossVersionsDeletesMissingKeysAndTablesKeyedOtherwise() {
        Oracle values = Oracle.of("values", VALUES, "id", Duration.ZERO, List.of("value"), List.of(-1.0));
        Oracle parts = Oracle.of("parts", PARTS, "col1", Duration.ZERO, List.of("part"), List.of(-2.0));
        TreeSet<Long> times = new TreeSet<>();
        for (Oracle o : List.of(values, parts)) {
            for (long s : o.stamps()) {
                times.add(s);
                times.add(s - 1);
            }
        }
        long before = times.first() - 60_000;
        times.add(before);
        times.add(times.last() + 3_600_000);
        List<long[]> events = new ArrayList<>();
        for (long t : times) {
            for (long key : new long[] {0, 1, 2, 3, 4, 5, 48, 49, 1000}) {
                events.add(new long[] {t, key});
            }
        }
        Collections.shuffle(events, new Random(21));
        Labels labels = labels(events);
        List<Oracle> oracles = List.of(values, parts);
        TrainingSet set = TrainingSet.compute(labels, List.of("user"), oracles.stream().map(Oracle::spec).toList(),
                List.of(new TrainingSet.FeatureSpec("values", "value", -1.0),
                        new TrainingSet.FeatureSpec("parts", "part", -2.0)));
        Map<String, Integer> reasons = compare(set, oracles, events);
        // Every case the brief asks for happened: values from data, keys missing (never there or deleted), and
        // labels before the tables' history.
        assertTrue(reasons.getOrDefault("data", 0) > 100, reasons.toString());
        assertTrue(reasons.getOrDefault("NOT_FOUND", 0) > 100, reasons.toString());
        // Several versions were answered for each table from one bootstrap and the change feed; the labels before a
        // table's first commit are counted apart.
        for (int t = 0; t < oracles.size(); t++) {
            TrainingSet.TableReport r = set.tableReports().get(t);
            long first = oracles.get(t).stamps()[0];
            assertTrue(r.commitsReplayed() >= 4, r.toString());
            assertEquals(events.stream().filter(e -> e[0] < first).count(), r.noHistory(), r.toString());
            assertTrue(r.noHistory() >= 9, r.toString());
        }
    }

    @Test
    void aTtlExpiresRowsByTheCommitThatLastChangedThem() {
        Oracle probe = Oracle.of("values", VALUES, "id", Duration.ZERO, List.of("value"), List.of(-1.0));
        long[] s = probe.stamps();
        // At ts(v4) + 1: David (written by v3) is exactly a TTL old, Bob (v2) and Charlie (the bootstrap, v1) older.
        Duration ttl = Duration.ofMillis(s[4] - s[3] + 1);
        Oracle values = Oracle.of("values", VALUES, "id", ttl, List.of("value"), List.of(-1.0));
        List<long[]> events = new ArrayList<>();
        for (long key = 1; key <= 4; key++) {
            events.add(new long[] {s[1], key});
            events.add(new long[] {s[4] + 1, key});
            events.add(new long[] {s[4] + 1 + ttl.toMillis() * 1000, key});
        }
        Labels labels = labels(events);
        TrainingSet set = TrainingSet.compute(labels, List.of("user"), List.of(values.spec()),
                List.of(new TrainingSet.FeatureSpec("values", "value", -1.0)));
        Map<String, Integer> reasons = compare(set, List.of(values), events);
        assertTrue(reasons.getOrDefault("EXPIRED", 0) >= 4, reasons.toString());
        assertTrue(reasons.getOrDefault("data", 0) >= 4, reasons.toString());
        int david = events.indexOf(events.stream().filter(e -> e[0] == s[4] + 1 && e[1] == 4).findFirst()
                .orElseThrow());
        assertNull(set.reason(0, david), "a row exactly a TTL old is served");
        assertEquals(400.0, set.value(0, david));
    }

    /**
     * Tables without a change data feed, replayed from their rewritten files: a copy-on-write MERGE, an overwrite, an
     * update changing keys, deletes, and a checkpoint amid the history. A TTL of 1 ms at 1 ms after each commit
     * separates the rows the commit changed from those it rewrote unchanged.
     */
    @Test
    void rewrittenFilesWithoutAChangeFeedEqualTheAsOfJoinTtlIncluded() {
        for (String table : List.of("simple_table", "basic-with-inserts-deletes-checkpoint")) {
            Oracle o = Oracle.of("t", table, "id", Duration.ofMillis(1), List.of("id"), List.of(-1.0));
            List<long[]> events = new ArrayList<>();
            for (long stamp : o.stamps()) {
                for (long key = 0; key < 60; key += 3) {
                    events.add(new long[] {stamp, key});
                    events.add(new long[] {stamp + 1, key + 1});
                    events.add(new long[] {stamp + 2, key + 2});
                }
                events.add(new long[] {stamp, 106});
            }
            Collections.shuffle(events, new Random(7));
            TrainingSet set = TrainingSet.compute(labels(events), List.of("user"), List.of(o.spec()),
                    List.of(new TrainingSet.FeatureSpec("t", "id", -1.0)));
            Map<String, Integer> reasons = compare(set, List.of(o), events);
            assertTrue(reasons.getOrDefault("data", 0) > 20, table + " " + reasons);
            assertTrue(reasons.getOrDefault("NOT_FOUND", 0) > 20, table + " " + reasons);
            assertTrue(reasons.getOrDefault("EXPIRED", 0) >= 5, table + " " + reasons);
        }
    }

    @Test
    void aCompositeKeyMapsTheLabelsKeyColumnsInOrder() {
        Oracle values = Oracle.of("values", VALUES, "id", Duration.ZERO, List.of("value"), List.of(-1.0));
        long[] s = values.stamps();
        List<Object> ids = new ArrayList<>(List.of(2L, 2L, 2L, 4L));
        List<Object> names = new ArrayList<>(List.of("Bob", "Bob", "Alice", "David"));
        List<Object> times = new ArrayList<>(List.of(s[1] * 1000, s[4] * 1000, s[4] * 1000, s[4] * 1000));
        Labels labels = Labels.of("test labels", List.of(new Labels.Column("user", Labels.Kind.LONG, ids),
                new Labels.Column("who", Labels.Kind.STRING, names),
                new Labels.Column("ts", Labels.Kind.TIMESTAMP, times)), "ts");
        TrainingSet set = TrainingSet.compute(labels, List.of("user", "who"), List.of(new TrainingSet.TableSpec(
                "values", DeltaSource.open(values.path().toString()), List.of("id", "name"), List.of(),
                Duration.ZERO)), List.of(new TrainingSet.FeatureSpec("values", "value", -1)));
        for (int i = 0; i < ids.size(); i++) {
            long v = values.versionAt((Long) times.get(i) / 1000);
            Map<String, Object> row = values.rowsAt(v).get((Long) ids.get(i));
            boolean found = row != null && row.get("name").equals(names.get(i));
            assertEquals(v, set.version(0, i), "label " + i);
            assertEquals(found ? null : "NOT_FOUND", set.reason(0, i), "label " + i);
            assertEquals(found ? (Double) row.get("value") : -1.0, set.value(0, i), "label " + i);
        }
        assertEquals(200.0, set.value(0, 0));
        assertEquals(250.0, set.value(0, 1));
        assertEquals("NOT_FOUND", set.reason(0, 2));
    }

    @Test
    void aKeyTheTableCannotHoldOrATextFeatureIsRefusedNamingIt() {
        Oracle values = Oracle.of("values", VALUES, "id", Duration.ZERO, List.of("value"), List.of(-1.0));
        List<Object> keys = new ArrayList<>(List.of("1", "x"));
        List<Object> times = new ArrayList<>(List.of(values.stamps()[0] * 1000, values.stamps()[0] * 1000));
        Labels labels = Labels.of("test labels", List.of(new Labels.Column("user", Labels.Kind.STRING, keys),
                new Labels.Column("ts", Labels.Kind.TIMESTAMP, times)), "ts");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainingSet.compute(labels,
                List.of("user"), List.of(values.spec()), List.of(new TrainingSet.FeatureSpec("values", "value", 0))));
        assertTrue(e.getMessage().contains("label 2") && e.getMessage().contains("'x'"), e.getMessage());
        Oracle parts = Oracle.of("parts", PARTS, "col1", Duration.ZERO, List.of("col2"), List.of(0.0));
        IllegalArgumentException text = assertThrows(IllegalArgumentException.class, () -> TrainingSet.compute(
                labels(List.<long[]>of(new long[] {parts.stamps()[0], 1})), List.of("user"), List.of(parts.spec()),
                List.of(new TrainingSet.FeatureSpec("parts", "col2", 0))));
        assertTrue(text.getMessage().contains("parts.col2") && text.getMessage().contains("version 0"),
                text.getMessage());
    }

    @Test
    void aLabelBeforeTheOldestVersionTheLogStillHoldsIsCountedApart() throws Exception {
        // Log cleanup: the commits before the checkpoint at version 10 are gone, so version 10 is the oldest.
        Path table = copy(shared("basic-with-inserts-deletes-checkpoint"), tmp.resolve("cleaned"));
        for (int v = 0; v < 10; v++) {
            Files.delete(table.resolve("_delta_log").resolve(String.format("%020d.json", v)));
        }
        DeltaSource source = DeltaSource.open(table.toString());
        long oldest = source.commitTimestamp(10);
        long newest = source.commitTimestamp(13);
        List<Map<String, Object>> rows13 = KernelRows.at(table, 13);
        long present = (Long) rows13.get(0).get("id");
        boolean atOldest = KernelRows.at(table, 10).stream().anyMatch(r -> r.get("id").equals(present));
        List<long[]> events = List.of(new long[] {oldest - 1, present}, new long[] {oldest, present},
                new long[] {newest, present}, new long[] {newest, 1_000_000});
        TrainingSet set = TrainingSet.compute(labels(events), List.of("user"),
                List.of(new TrainingSet.TableSpec("t", source, List.of("id"), List.of(), Duration.ZERO)),
                List.of(new TrainingSet.FeatureSpec("t", "id", -1)));
        assertEquals("NO_HISTORY", set.reason(0, 0));
        assertEquals(-1, set.version(0, 0));
        assertEquals(new TrainingSet.TableReport("t", 10, 13, 3, 1), set.tableReports().get(0));
        assertEquals(atOldest ? null : "NOT_FOUND", set.reason(0, 1));
        assertEquals(10, set.version(0, 1));
        assertNull(set.reason(0, 2));
        assertEquals((double) present, set.value(0, 2));
        assertEquals(13, set.version(0, 2));
        assertEquals("NOT_FOUND", set.reason(0, 3));
        assertEquals(-1.0, set.value(0, 3));
    }

    @Test
    void aFeatureColumnAddedAfterTheEarliestLabelsVersionIsRefused() throws Exception {
        Path table = copy(shared("simple_table"), tmp.resolve("evolved"));
        // Version 5 adds a nullable column, as ALTER TABLE ADD COLUMNS writes it: a metaData action alone.
        Files.writeString(table.resolve("_delta_log").resolve(String.format("%020d.json", 5)),
                "{\"metaData\":{\"id\":\"5fba94ed-9794-4965-ba6e-6ee3c0d22af9\",\"format\":{\"provider\":"
                        + "\"parquet\",\"options\":{}},\"schemaString\":\"{\\\"type\\\":\\\"struct\\\","
                        + "\\\"fields\\\":[{\\\"name\\\":\\\"id\\\",\\\"type\\\":\\\"long\\\","
                        + "\\\"nullable\\\":true,\\\"metadata\\\":{}},{\\\"name\\\":\\\"extra\\\","
                        + "\\\"type\\\":\\\"double\\\",\\\"nullable\\\":true,\\\"metadata\\\":{}}]}\","
                        + "\"partitionColumns\":[],\"configuration\":{},\"createdTime\":1587968585495}}\n");
        DeltaSource source = DeltaSource.open(table.toString());
        assertTrue(source.schema(5).indexOf("extra") >= 0);
        long[] stamps = {source.commitTimestamp(0), source.commitTimestamp(5)};
        List<TrainingSet.TableSpec> specs = List.of(new TrainingSet.TableSpec("t", source, List.of("id"), List.of(),
                Duration.ZERO));
        List<TrainingSet.FeatureSpec> extra = List.of(new TrainingSet.FeatureSpec("t", "extra", -1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainingSet.compute(
                labels(List.of(new long[] {stamps[0], 1}, new long[] {stamps[1], 5})), List.of("user"), specs,
                extra));
        assertTrue(e.getMessage().contains("feature t.extra was added to") && e.getMessage().contains(
                "after version 0"), e.getMessage());
        // From the version that added it on, the column is served: null in every row written before it.
        TrainingSet set = TrainingSet.compute(labels(List.<long[]>of(new long[] {stamps[1], 5})), List.of("user"),
                specs, extra);
        assertEquals("NULL", set.reason(0, 0));
        assertEquals(-1.0, set.value(0, 0));
        assertEquals(5, set.version(0, 0));
    }

    @Test
    void aVacuumedChangeFileFailsNamingTheTableVersionAndFile() throws Exception {
        Path table = copy(shared(VALUES), tmp.resolve("vacuumed"));
        String cdc = "cdc-00000-f8a4c728-fc7d-4b65-bc0e-66f17e9f0b53.c000.snappy.parquet";
        Files.delete(table.resolve("_change_data").resolve(cdc));
        DeltaSource source = DeltaSource.open(table.toString());
        long[] stamps = {source.commitTimestamp(0), source.commitTimestamp(4)};
        List<long[]> events = List.of(new long[] {stamps[0], 2}, new long[] {stamps[1], 2});
        DeltaReadException e = assertThrows(DeltaReadException.class, () -> TrainingSet.compute(labels(events),
                List.of("user"), List.of(new TrainingSet.TableSpec("values", source, List.of("id"), List.of(),
                        Duration.ZERO)), List.of(new TrainingSet.FeatureSpec("values", "value", -1))));
        assertEquals(DeltaReadException.Reason.MISSING_FILE, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains(cdc) && e.getMessage().contains("version 2"), e.getMessage());
    }

    private static Path copy(Path source, Path target) throws java.io.IOException {
        try (java.util.stream.Stream<Path> files = Files.walk(source)) {
            for (Path p : files.toList()) {
                if (!p.getFileName().toString().endsWith(".crc")) {
                    Path to = target.resolve(source.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(to);
                    } else {
                        Files.copy(p, to);
                    }
                }
            }
        }
        return target;
    }

    private static Labels labels(List<long[]> events) {
        List<Object> ids = new ArrayList<>();
        List<Object> users = new ArrayList<>();
        List<Object> times = new ArrayList<>();
        List<Object> outcome = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            ids.add((long) i);
            users.add(events.get(i)[1]);
            times.add(events.get(i)[0] * 1000);
            outcome.add(i % 2 == 0 ? 1.0 : 0.0);
        }
        return Labels.of("test labels", List.of(new Labels.Column("label_id", Labels.Kind.LONG, ids),
                new Labels.Column("user", Labels.Kind.LONG, users),
                new Labels.Column("ts", Labels.Kind.TIMESTAMP, times),
                new Labels.Column("outcome", Labels.Kind.DOUBLE, outcome)), "ts");
    }

    /**
     * Writes the set, reads it back with Kernel and compares every label's every column with the oracle; returns
     * the feature values by reason ("data" for values from data).
     */
    private Map<String, Integer> compare(TrainingSet set, List<Oracle> oracles, List<long[]> events) {
        Path out = tmp.resolve("set-" + System.nanoTime());
        TrainingSetTable.write(set, out.toString(), DeltaSource.localConfiguration());
        List<Map<String, Object>> rows = KernelRows.at(out, -1);
        assertEquals(events.size(), rows.size());
        Map<String, Integer> reasons = new HashMap<>();
        for (Map<String, Object> row : rows) {
            int i = (int) (long) (Long) row.get("label_id");
            long time = events.get(i)[0];
            long key = events.get(i)[1];
            assertEquals(key, row.get("user"));
            assertEquals(time * 1000, row.get("ts"));
            assertEquals(i % 2 == 0 ? 1.0 : 0.0, row.get("outcome"));
            for (Oracle o : oracles) {
                String where = "label " + i + " (key " + key + ", time " + time + ") table " + o.name();
                long earliest = events.stream().mapToLong(e -> e[0]).filter(t -> t >= o.stamps()[0]).min()
                        .orElseThrow();
                long bootstrap = o.versionAt(earliest);
                long v = o.versionAt(time);
                if (v < 0) {
                    for (String c : o.columns()) {
                        assertNull(row.get(o.name() + "__" + c), where);
                        assertEquals("NO_HISTORY", row.get(o.name() + "__" + c + "__default"), where);
                        reasons.merge("NO_HISTORY", 1, Integer::sum);
                    }
                    assertNull(row.get(o.name() + "__version"), where);
                    continue;
                }
                assertEquals(v, row.get(o.name() + "__version"), where);
                assertEquals(o.stamps()[(int) v] * 1000, row.get(o.name() + "__commit_ts"), where);
                Map<String, Object> found = o.rowsAt(v).get(key);
                long w = v;
                while (found != null && w > bootstrap && found.equals(o.rowsAt(w - 1).get(key))) {
                    w--;
                }
                assertEquals(found == null ? null : w, row.get(o.name() + "__row_version"), where);
                assertEquals(found == null ? null : o.stamps()[(int) w] * 1000, row.get(o.name() + "__row_commit_ts"),
                        where);
                boolean expired = found != null && !o.ttl().isZero() && time - o.stamps()[(int) w] > o.ttl().toMillis();
                for (int c = 0; c < o.columns().size(); c++) {
                    String column = o.columns().get(c);
                    Object lake = found == null ? null : found.get(column);
                    String reason = found == null ? "NOT_FOUND" : expired ? "EXPIRED"
                            : !(lake instanceof Number || lake instanceof Boolean) ? "NULL" : null;
                    double expected = reason != null ? o.defaults().get(c) : lake instanceof Boolean b
                            ? (b ? 1.0 : 0.0) : ((Number) lake).doubleValue();
                    assertEquals(reason, row.get(o.name() + "__" + column + "__default"), where + " " + column);
                    assertEquals(expected, row.get(o.name() + "__" + column), where + " " + column);
                    reasons.merge(reason == null ? "data" : reason, 1, Integer::sum);
                }
            }
        }
        return reasons;
    }
}
