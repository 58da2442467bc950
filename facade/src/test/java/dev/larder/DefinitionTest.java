package dev.larder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.tools.generate.DeltaTableGenerator;
import dev.larder.tools.generate.GeneratorSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Definition files: served as declared, every mistake named with its line, and a changed file re-bootstraps nothing
 * unchanged.
 */
class DefinitionTest {
    @TempDir
    Path dir;
    Path users;
    Path items;

    @BeforeEach
    void tables() throws Exception {
        users = dir.resolve("users");
        items = dir.resolve("items");
        DeltaTableGenerator.generate(GeneratorSpec.builder().rows(500).numericFeatures(2).float32Features(0)
                .stringFeatures(1).commits(0).rowsPerFile(250).build(), users);
        DeltaTableGenerator.generate(GeneratorSpec.builder().rows(300).numericFeatures(1).float32Features(0).commits(0)
                .rowsPerFile(300).seed(7).build(), items);
    }

    Path write(String yaml) throws Exception {
        Path f = dir.resolve("features.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    String valid(String usersTtl) {
        return """
                store: %s
                poll_interval: 100ms
                tables:
                  users:
                    delta: %s
                    key: entity_id
                    ttl: %s
                    max_staleness: 10m
                    defaults:
                      f_1: 5.5
                  items:
                    delta: %s
                    key: [entity_id]
                vectors:
                  ranker:
                    - users.f_0
                    - users.f_1
                    - {feature: items.f_0, default: -1}
                """.formatted(dir.resolve("store"), users, usersTtl, items);
    }

    /** A vector's long form, with {@code log:}, logs what it serves; a bad log setting is a problem at its line. */
    @Test
    void aVectorWithALogLogsWhatItServes() throws Exception {
        Path log = dir.resolve("log");
        String yaml = """
                store: %s
                tables:
                  users:
                    delta: %s
                    key: entity_id
                vectors:
                  ranker:
                    features: [users.f_0, users.f_1]
                    log: {to: %s, sample: 1.0, roll_every: 1h, roll_rows: 500, model: ranker, model_version: v2}
                """.formatted(dir.resolve("store"), users, log);
        try (Larder larder = Larder.fromDefinition(write(yaml))) {
            assertTrue(larder.awaitReady(Duration.ofMinutes(2)));
            Vector ranker = larder.vector("ranker");
            assertTrue(ranker.logged());
            assertEquals(ServeLog.to(log.toString()).rollEvery(Duration.ofHours(1)).rollRows(500).tags("ranker", "v2")
                    .toString(), ranker.log().settings().toString());
            ranker.newFiller().requestId(42).fill(10L, new double[2], null);
            ranker.flushLog();
            assertEquals(1, ranker.logStats().committed());
        }
        DefinitionException e = assertThrows(DefinitionException.class, () -> Larder.fromDefinition(write(
                yaml.replace("sample: 1.0", "sample: 2"))));
        assertEquals(List.of(dir.resolve("features.yaml")
                + ":9: vector ranker log: sample must be between 0 and 1, got 2.0"), e.problems());
    }

    /** A table's {@code log_reads:} logs the reads of its logged columns; without columns it is a problem. */
    @Test
    void aTableWithLogReadsLogsItsReads() throws Exception {
        Path log = dir.resolve("reads");
        String yaml = """
                store: %s
                tables:
                  users:
                    delta: %s
                    key: entity_id
                    log_reads: {columns: [f_1, f_0], to: %s, model: ranker}
                """.formatted(dir.resolve("store"), users, log);
        try (Larder larder = Larder.fromDefinition(write(yaml))) {
            assertTrue(larder.awaitReady(Duration.ofMinutes(2)));
            Reader reader = larder.table("users").newReader();
            Columns columns = reader.loggedColumns(-1);
            double[] out = new double[2];
            reader.get(10L, columns.requestId(7), out, null);
            larder.table("users").flushReadLog();
            List<Map<String, Object>> rows = new dev.larder.snapshot.servelog.KernelLogReader(log).rows();
            assertEquals(1, rows.size());
            assertEquals(7L, rows.get(0).get("request_id"));
            assertEquals("ranker", rows.get(0).get("model"));
            assertEquals(out[0], rows.get(0).get("users__f_1"));
            assertEquals(out[1], rows.get(0).get("users__f_0"));
        }
        DefinitionException e = assertThrows(DefinitionException.class, () -> Larder.fromDefinition(write(
                yaml.replace("columns: [f_1, f_0], ", ""))));
        assertEquals(List.of(dir.resolve("features.yaml")
                + ":6: table users log_reads: needs 'columns: [COLUMN, ...]'"), e.problems());
    }

    @Test
    void aDefinitionIsServedAsDeclared() throws Exception {
        try (Larder larder = Larder.fromDefinition(write(valid("7d")))) {
            assertTrue(larder.awaitReady(Duration.ofMinutes(2)));
            assertEquals(List.of("users.f_0", "users.f_1", "items.f_0"), larder.vector("ranker").features());
            Vector.Filler filler = larder.vector("ranker").newFiller();
            double[] v = new double[3];
            ReadStatus[] s = new ReadStatus[3];
            filler.fill(100_000L, v, s);
            assertArrayEquals(new double[] {0.0, 5.5, -1.0}, v, "defaults: 0, the table's default, the feature's own");
            Reader r = larder.table("users").newReader();
            assertEquals(ReadStatus.FOUND, r.get(10L));
            filler.fill(10L, v, s);
            assertEquals(r.getDouble("f_0", Double.NaN), v[0]);
            assertEquals(Duration.ofDays(7), larder.table("users").ttl());
        }
    }

    @Test
    void aChangedDefinitionReBootstrapsNoUnchangedTable() throws Exception {
        Path file = write(valid("7d"));
        String usersGeneration;
        String itemsGeneration;
        try (Larder larder = Larder.fromDefinition(file)) {
            assertTrue(larder.awaitReady(Duration.ofMinutes(2)));
            usersGeneration = generation(larder, "users");
            itemsGeneration = generation(larder, "items");
        }
        // Another TTL for users, a new vector: neither table's source changed.
        write(valid("1d") + "  second:\n    - items.f_0\n");
        try (Larder larder = Larder.fromDefinition(file)) {
            assertTrue(larder.awaitReady(Duration.ofMinutes(2)));
            assertEquals(usersGeneration, generation(larder, "users"));
            assertEquals(itemsGeneration, generation(larder, "items"));
            assertEquals(1, larder.vector("second").size());
        }
    }

    private static String generation(Larder larder, String table) {
        return larder.status().stream().filter(s -> s.table().equals(table)).map(TableStatus::generation).findFirst()
                .orElseThrow();
    }

    @Test
    void shapeMistakesAreNamedWithTheirLines() throws Exception {
        Path f = write("""
                store: /tmp/x
                colour: blue
                tables:
                  users:
                    delta: /a
                    unity_catalog: main.a.b
                    key: id
                  items:
                    delta: /b
                    key: id
                    ttl: soon
                  items:
                    delta: /c
                    key: id
                vectors:
                  ranker:
                    - users.f_0
                    - orders.total
                    - nodot
                """);
        DefinitionException e = assertThrows(DefinitionException.class, () -> Definition.read(f));
        List<String> p = e.problems();
        assertTrue(p.contains(f + ":2: the definition: unknown key 'colour' (expected one of poll_interval, store,"
                + " tables, unity_catalog, vectors)"), p.toString());
        assertTrue(p.contains(f + ":4: table users: give its source as 'delta: PATH', 'unity_catalog: NAME' or 'kafka:"
                + " {bootstrap: HOST:PORT, topic: T, schema: ...}', not delta and unity_catalog"), p.toString());
        assertTrue(p.contains(f + ":11: ttl: 'soon' is not a duration (e.g. 500ms, 30s, 10m, 24h, 7d, PT1H)"),
                p.toString());
        assertTrue(p.contains(f + ":12: tables: 'items' is declared twice (first on line 8)"), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith(f + ":18: vector ranker: feature orders.total names table"
                + " orders")), p.toString());
        assertTrue(p.contains(f + ":19: vector ranker: feature 'nodot' is not table.column"), p.toString());
    }

    @Test
    void mistakesAgainstTheDeltaSchemasAreNamedWithTheirLinesBeforeAnythingIsServed() throws Exception {
        Path f = write("""
                store: %s
                tables:
                  users:
                    delta: %s
                    key: entity_id
                    defaults:
                      f_0: abc
                      entity_id: 2.5
                      nope: 1
                  items:
                    delta: %s
                    key: missing_key
                vectors:
                  ranker:
                    - users.c_0
                    - users.f_9
                """.formatted(dir.resolve("store"), users, items));
        DefinitionException e = assertThrows(DefinitionException.class, () -> Larder.fromDefinition(f));
        List<String> p = e.problems();
        assertEquals(6, p.size(), p.toString());
        assertTrue(p.get(0).startsWith(f + ":7: table users default f_0: 'abc' is not a number, and column f_0 is"),
                p.toString());
        assertTrue(p.get(1).startsWith(f + ":8: table users default entity_id: '2.5' is not a whole number"),
                p.toString());
        assertTrue(p.get(2).startsWith(f + ":9: table users default nope: no column nope (columns: entity_id, "),
                p.toString());
        assertTrue(p.get(3).startsWith(f + ":12: table items: ") && p.get(3).contains("missing_key"), p.toString());
        assertTrue(p.get(4).startsWith(f + ":15: vector ranker feature users.c_0: column c_0 is ")
                && p.get(4).contains("not numeric"), p.toString());
        assertTrue(p.get(5).startsWith(f + ":16: vector ranker feature users.f_9: no column f_9"), p.toString());
        assertTrue(Files.notExists(dir.resolve("store")), "nothing was opened");
    }

    /** A selection serves the key and the named columns only; a column outside it is an error with its line. */
    @Test
    void selectedColumnsAreAllThatIsServed() throws Exception {
        Path f = write("""
                store: %s
                tables:
                  users:
                    delta: %s
                    key: entity_id
                    columns: [f_1]
                vectors:
                  ranker:
                    - users.f_1
                """.formatted(dir.resolve("store"), users));
        try (Larder larder = Larder.fromDefinition(f)) {
            assertTrue(larder.awaitReady(Duration.ofMinutes(2)));
            assertEquals(List.of("entity_id", "f_1"), larder.table("users").columns());
            Reader r = larder.table("users").newReader();
            assertEquals(ReadStatus.FOUND, r.get(10L));
            double[] v = new double[1];
            larder.vector("ranker").newFiller().fill(10L, v, null);
            assertEquals(r.getDouble("f_1", Double.NaN), v[0]);
            assertEquals(500, larder.table("users").size());
        }
        Path wrong = write("""
                store: %s
                tables:
                  users:
                    delta: %s
                    key: entity_id
                    columns: [f_1, f_7]
                vectors:
                  ranker:
                    - users.f_0
                """.formatted(dir.resolve("other-store"), users));
        List<String> p = assertThrows(DefinitionException.class, () -> Larder.fromDefinition(wrong)).problems();
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.get(0).startsWith(wrong + ":6: table users: selected column 'f_7' is not a column of the Delta"
                + " table"), p.toString());
        Path both = write("""
                store: %s
                tables:
                  users:
                    delta: %s
                    key: no_such_key
                    columns: [f_7]
                """.formatted(dir.resolve("other-store"), users));
        p = assertThrows(DefinitionException.class, () -> Larder.fromDefinition(both)).problems();
        assertEquals(2, p.size(), "a wrong selection does not hide a wrong key: " + p);
        assertTrue(p.get(0).startsWith(both + ":6: table users: selected column 'f_7'"), p.toString());
        assertTrue(p.get(1).startsWith(both + ":5: table users: ") && p.get(1).contains("no_such_key"), p.toString());
        Path outside = write("""
                store: %s
                tables:
                  users:
                    delta: %s
                    key: entity_id
                    columns: [f_1]
                vectors:
                  ranker:
                    - users.f_0
                """.formatted(dir.resolve("other-store"), users));
        p = assertThrows(DefinitionException.class, () -> Larder.fromDefinition(outside)).problems();
        assertTrue(p.size() == 1 && p.get(0).startsWith(outside
                + ":9: vector ranker feature users.f_0: no column f_0 (columns: entity_id, f_1)"), p.toString());
    }
}
