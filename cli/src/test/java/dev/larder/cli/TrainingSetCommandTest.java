package dev.larder.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.snapshot.DeltaRow;
import dev.larder.snapshot.DeltaSchema;
import dev.larder.snapshot.DeltaSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code larder training-set} end to end: a definition file over two shared tables keyed by differently named columns,
 * labels in CSV (ISO-8601 and epoch-millisecond times), the Delta table it writes read back and compared with each
 * table's snapshot at the version in force at each label's time.
 */
class TrainingSetCommandTest {
    private static final long DAY = 86_400_000L;

    @TempDir
    Path dir;

    private static Path shared(String name) {
        Path root = Path.of("..", "..", "shared", "delta-tables", name, "delta").toAbsolutePath().normalize();
        assertTrue(Files.isDirectory(root), "the shared Delta tables are checked out beside the repository: " + root);
        return root;
    }

    /** Commit timestamps of every version, by Larder's rule. */
    private static long[] stamps(DeltaSource source) {
        long[] out = new long[(int) source.latestVersion() + 1];
        for (int v = 0; v < out.length; v++) {
            out[v] = source.commitTimestamp(v);
        }
        return out;
    }

    private static long versionAt(long[] stamps, long millis) {
        long v = -1;
        for (int i = 0; i < stamps.length; i++) {
            if (stamps[i] <= millis) {
                v = i;
            }
        }
        return v;
    }

    /** The value of {@code column} for each key of the snapshot at {@code version}. */
    private static Map<Long, Double> snapshot(DeltaSource source, long version, String key, String column) {
        DeltaSchema schema = source.schema(version);
        int k = schema.indexOf(key);
        int c = schema.indexOf(column);
        Map<Long, Double> out = new HashMap<>();
        source.scan(version, (DeltaRow r) -> out.put(r.schema().column(k).type().kind() == dev.larder.snapshot
                .DeltaType.Kind.LONG ? r.getLong(k) : r.getInt(k), r.schema().column(c).type().kind()
                == dev.larder.snapshot.DeltaType.Kind.DOUBLE ? r.getDouble(c) : r.getInt(c)));
        return out;
    }

    @Test
    void aCsvOfLabelsBecomesTheVectorAsServedAtEachEventsTime() throws Exception {
        Path valuesPath = shared("cdf-column-mapping-name-mode");
        Path partsPath = shared("dv-partitioned-with-checkpoint");
        DeltaSource values = DeltaSource.open(valuesPath.toString());
        DeltaSource parts = DeltaSource.open(partsPath.toString());
        long[] vs = stamps(values);
        long[] ps = stamps(parts);
        Path definition = dir.resolve("features.yaml");
        Files.writeString(definition, """
                tables:
                  values:
                    delta: %s
                    key: id
                    ttl: 1d
                  parts:
                    delta: %s
                    key: col1
                    defaults: {part: -2}
                vectors:
                  ranker:
                    - values.value
                    - {feature: parts.part, default: -5}
                """.formatted(valuesPath, partsPath));
        long first = Math.min(vs[0], ps[0]);
        long last = Math.max(vs[vs.length - 1], ps[ps.length - 1]);
        // user, time: Bob before and after his update, David before his insert, Alice after her delete, Bob two
        // days after the last commit (beyond the TTL of values), and a label before either table's history.
        long[][] events = {{2, vs[1]}, {2, vs[2]}, {4, vs[2]}, {1, vs[4]}, {2, last + 2 * DAY}, {3, first - 60_000},
            {0, ps[0]}, {2, ps[3]}, {5, last + 1}};
        StringBuilder csv = new StringBuilder("label_id,user,event_time,clicked\n");
        for (int i = 0; i < events.length; i++) {
            String time = i % 2 == 0 ? Instant.ofEpochMilli(events[i][1]).toString() : Long.toString(events[i][1]);
            csv.append(i).append(',').append(events[i][0]).append(',').append(time).append(',').append(i % 2)
                    .append('\n');
        }
        Path labels = dir.resolve("labels.csv");
        Files.writeString(labels, csv);
        Path out = dir.resolve("training");

        CliTest.Run run = CliTest.larder("training-set", "--labels", labels.toString(), "--key", "user", "--time",
                "event_time", "--definition", definition.toString(), "--vector", "ranker", "--out", out.toString());
        assertEquals(0, run.exit(), run.out() + run.err());
        assertTrue(run.out().startsWith("wrote 9 labels x 2 features to "), run.out());
        assertTrue(run.out().contains("values: bootstrapped at version"), run.out());
        assertTrue(run.out().contains("1 labels before its oldest version"), run.out());

        DeltaSource written = DeltaSource.open(out.toString());
        DeltaSchema schema = written.schema(written.latestVersion());
        assertEquals(List.of("label_id", "user", "event_time", "clicked", "values__value", "values__value__default",
                "parts__part", "parts__part__default", "values__version", "values__commit_ts", "values__row_version",
                "values__row_commit_ts", "parts__version", "parts__commit_ts", "parts__row_version",
                "parts__row_commit_ts"), schema.columns().stream().map(c -> c.name()).toList());
        List<Map<String, Object>> rows = rows(written);
        assertEquals(events.length, rows.size());
        Map<String, String> reasons = new HashMap<>();
        for (Map<String, Object> row : rows) {
            int i = (int) (long) (Long) row.get("label_id");
            long key = events[i][0];
            long time = events[i][1];
            assertEquals(key, row.get("user"));
            assertEquals(time * 1000, row.get("event_time"), "label " + i);
            check(row, "values", "value", values, vs, "id", key, time, 0.0, DAY, reasons, i);
            check(row, "parts", "part", parts, ps, "col1", key, time, -5.0, 0, reasons, i);
        }
        assertEquals(null, reasons.get("values 0"), "Bob at version 1");
        assertEquals("NOT_FOUND", reasons.get("values 2"), "David before his insert");
        assertEquals("NOT_FOUND", reasons.get("values 3"), "Alice after her delete");
        assertEquals("EXPIRED", reasons.get("values 4"), "Bob beyond the TTL");
        assertEquals("NO_HISTORY", reasons.get("values 5"));
        assertEquals(null, reasons.get("parts 8"), "parts has no TTL");
        assertEquals("NOT_FOUND", reasons.get("parts 4"), "col1 2 is deleted by a deletion vector");

        // The training set is a Delta table of labels in its turn: its columns carried through, typed as written.
        Path otherPath = shared("cdf-table-with-cdc-and-dvs");
        DeltaSource other = DeltaSource.open(otherPath.toString());
        long[] os = stamps(other);
        Path otherDefinition = dir.resolve("other.yaml");
        Files.writeString(otherDefinition, """
                tables:
                  other:
                    delta: %s
                    key: id
                vectors:
                  comments:
                    - other.id
                """.formatted(otherPath));
        Path second = dir.resolve("second");
        CliTest.Run fromDelta = CliTest.larder("training-set", "--labels", out.toString(), "--key", "user", "--time",
                "event_time", "--definition", otherDefinition.toString(), "--vector", "comments", "--out",
                second.toString());
        assertEquals(0, fromDelta.exit(), fromDelta.out() + fromDelta.err());
        DeltaSource secondSet = DeltaSource.open(second.toString());
        DeltaSchema secondSchema = secondSet.schema(secondSet.latestVersion());
        assertEquals(schema.size() + 6, secondSchema.size(), secondSchema.toString());
        List<Map<String, Object>> secondRows = rows(secondSet);
        assertEquals(events.length, secondRows.size());
        for (Map<String, Object> m : secondRows) {
            int i = (int) (long) (Long) m.get("label_id");
            Map<String, Object> before = rows.stream().filter(x -> x.get("label_id").equals((long) i)).findFirst()
                    .orElseThrow();
            for (String c : before.keySet()) {
                assertEquals(before.get(c), m.get(c), "label " + i + " column " + c);
            }
            check(m, "other", "id", other, os, "id", events[i][0], events[i][1], 0.0, 0, new HashMap<>(), i);
        }

        CliTest.Run again = CliTest.larder("training-set", "--labels", labels.toString(), "--key", "user", "--time",
                "event_time", "--definition", definition.toString(), "--vector", "ranker", "--out", out.toString());
        assertEquals(1, again.exit(), again.out());
        assertTrue(again.err().contains("a Delta table already exists at"), again.err());

        CliTest.Run noKey = CliTest.larder("training-set", "--labels", labels.toString(), "--key", "entity", "--time",
                "event_time", "--definition", definition.toString(), "--vector", "ranker", "--out",
                dir.resolve("other").toString());
        assertEquals(1, noKey.exit(), noKey.out());
        assertTrue(noKey.err().contains("have no column entity (columns: [label_id, user, event_time, clicked])"),
                noKey.err());
    }

    /** The rows of a training set's latest version, column name to value. */
    private static List<Map<String, Object>> rows(DeltaSource table) {
        DeltaSchema schema = table.schema(table.latestVersion());
        List<Map<String, Object>> rows = new ArrayList<>();
        table.scan(table.latestVersion(), (DeltaRow r) -> {
            Map<String, Object> m = new HashMap<>();
            for (int c = 0; c < schema.size(); c++) {
                m.put(schema.column(c).name(), r.isNull(c) ? null : switch (schema.column(c).type().kind()) {
                    case LONG -> (Object) r.getLong(c);
                    case DOUBLE -> r.getDouble(c);
                    case TIMESTAMP -> r.getTimestampMicros(c);
                    default -> r.getString(c);
                });
            }
            rows.add(m);
        });
        return rows;
    }

    /** One table's columns of one label against the snapshot at the version in force; records the reason. */
    private static void check(Map<String, Object> row, String table, String column, DeltaSource source,
                              long[] stamps, String keyColumn, long key, long time, double defaultValue, long ttl,
                              Map<String, String> reasons, int label) {
        String where = "label " + label + " " + table;
        Object reason = row.get(table + "__" + column + "__default");
        reasons.put(table + " " + label, (String) reason);
        long v = versionAt(stamps, time);
        if (v < 0) {
            assertEquals("NO_HISTORY", reason, where);
            assertNull(row.get(table + "__" + column), where);
            assertNull(row.get(table + "__version"), where);
            return;
        }
        assertEquals(v, row.get(table + "__version"), where);
        assertEquals(stamps[(int) v] * 1000, row.get(table + "__commit_ts"), where);
        Double lake = snapshot(source, v, keyColumn, column).get(key);
        if (lake == null) {
            assertEquals("NOT_FOUND", reason, where);
            assertEquals(defaultValue, row.get(table + "__" + column), where);
            assertNull(row.get(table + "__row_version"), where);
            return;
        }
        long rowVersion = (Long) row.get(table + "__row_version");
        assertTrue(rowVersion <= v, where);
        boolean expired = ttl > 0 && time - stamps[(int) rowVersion] > ttl;
        assertEquals(expired ? "EXPIRED" : null, reason, where);
        assertEquals(expired ? defaultValue : lake, row.get(table + "__" + column), where);
    }
}
