package dev.larder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.snapshot.Rebuild;
import dev.larder.snapshot.ScanProgress;
import dev.larder.store.FeatureStore;
import dev.larder.tools.generate.DeltaTableGenerator;
import dev.larder.tools.generate.GeneratorSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Definition files written carelessly or with hostile intent: every one refused as {@code FILE:LINE: what} (or
 * {@code FILE: what} when there is no line) before the store directory exists, and a changed key refused rather than
 * served by the old one. Real files; the real Delta tables of {@code ../shared}.
 */
class DefinitionRefusalTest {
    @TempDir
    Path dir;
    Path users;
    Path store;
    Path file;

    @BeforeEach
    void setUp() throws Exception {
        users = dir.resolve("users");
        DeltaTableGenerator.generate(GeneratorSpec.builder().rows(200).numericFeatures(1).float32Features(0)
                .stringFeatures(1).commits(0).rowsPerFile(200).build(), users);
        store = dir.resolve("store");
        file = dir.resolve("features.yaml");
    }

    private static Path shared(String kind, String name) {
        Path root = Path.of("..", "..", "shared", kind, name, "delta").toAbsolutePath().normalize();
        assertTrue(Files.isDirectory(root), "the shared Delta tables are checked out beside the repository: " + root);
        return root;
    }

    private List<String> refused(String yaml) throws Exception {
        Files.writeString(file, yaml);
        return refused();
    }

    /** The problems of opening {@link #file}, having checked nothing was created. */
    private List<String> refused() {
        DefinitionException e = assertThrows(DefinitionException.class, () -> Larder.fromDefinition(file));
        assertTrue(Files.notExists(store), "nothing is created: " + e.problems());
        return e.problems();
    }

    // ------------------------------------------------------------------ item 13: the file itself

    @Test
    void aScalarAliasedManyTimesIsRefusedAtTheAliasPastTheBound() throws Exception {
        StringBuilder yaml = new StringBuilder("store: " + store + "\nbig: &big " + "x".repeat(500_000)
                + "\nvectors:\n  v:\n");
        for (int i = 0; i < 1000; i++) {
            yaml.append("    - *big\n");
        }
        // Line 5 holds the first alias; the 101st is past the bound.
        assertEquals(List.of(file + ":105: more than 100 aliases (*name), far more than a definition takes"),
                refused(yaml.toString()));
    }

    @Test
    void nestedCollectionsAliasedManyTimesAreRefused() throws Exception {
        StringBuilder yaml = new StringBuilder("store: " + store + "\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i < 30; i++) {
            yaml.append("a").append(i).append(": &a").append(i).append(" [").append(("*a" + (i - 1) + ", ").repeat(9))
                    .append("*a").append(i - 1).append("]\n");
        }
        List<String> p = refused(yaml.toString());
        assertEquals(List.of(file + ":13: more than 100 aliases (*name), far more than a definition takes"), p);
    }

    @Test
    void deepNestingIsRefusedAtItsLineWithoutOverflowingTheStack() throws Exception {
        String yaml = "store: " + store + "\ntables:\n  users: " + "[".repeat(200_000) + "]".repeat(200_000) + "\n";
        assertEquals(List.of(file + ":3: nested deeper than 32 levels, far more than a definition takes"),
                refused(yaml));
    }

    @Test
    void aHugeFileIsRefusedUnparsedAtTheLineWhereTheBoundIsCrossed() throws Exception {
        // 100-byte comment lines: byte 1 MiB (1,048,576) lies on line 10,486.
        String line = "#" + "-".repeat(98) + "\n";
        Files.writeString(file, line.repeat(50_000));
        assertEquals(List.of(file + ":10486: the file is larger than 1 MiB, far more than a definition takes: not read "
                + "further"), refused());
    }

    @Test
    void aByteThatIsNotUtf8IsNamedWithItsLineAndColumn() throws Exception {
        byte[] head = ("store: " + store + "\ntables:\n  us").getBytes(StandardCharsets.UTF_8);
        byte[] tail = "ers:\n    delta: /x\n    key: id\n".getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[head.length + 1 + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        all[head.length] = (byte) 0xFF;
        System.arraycopy(tail, 0, all, head.length + 1, tail.length);
        Files.write(file, all);
        assertEquals(List.of(file + ":3: not UTF-8: byte 0xFF at column 5 (a definition is UTF-8 text)"), refused());
    }

    @Test
    void aMissingFileIsNamedWithoutAJavaExceptionName() {
        assertEquals(List.of(file + ": no such file"), refused());
    }

    @Test
    void aYamlSyntaxErrorIsOneLineWithItsLineNumber() throws Exception {
        List<String> p = refused("store: " + store + "\ntables:\n  users: [a, b\n  items: {\n");
        assertEquals(1, p.size(), p.toString());
        assertEquals(file + ":4: not YAML: while parsing a flow sequence (from line 3): expected ',' or ']', but got :",
                p.get(0));
    }

    // ------------------------------------------------------------------ item 14: values checked at their line

    @Test
    void durationsTheEngineCannotUseAreProblemsAtTheirLines() throws Exception {
        List<String> p = refused("""
                store: %s
                poll_interval: 0s
                tables:
                  a:
                    delta: %s
                    key: entity_id
                    ttl: PT-1H
                    max_staleness: 0s
                  b:
                    delta: %s
                    key: entity_id
                    ttl: 99999999999999999999d
                    max_staleness: 200000d
                  c:
                    delta: %s
                    key: entity_id
                    ttl: PT99999999999999999999H
                """.formatted(store, users, users, users));
        assertEquals(List.of(
                file + ":2: poll_interval: '0s' must be more than zero",
                file + ":7: ttl: 'PT-1H' must be zero or more",
                file + ":8: max_staleness: '0s' must be more than zero",
                file + ":12: ttl: '99999999999999999999d' is too long (at most 106751d)",
                file + ":13: max_staleness: '200000d' is too long (at most 106751d)",
                file + ":17: ttl: 'PT99999999999999999999H' is too long (at most 106751d)"), p);
    }

    @Test
    void aZeroTtlStillMeansRowsNeverExpire() throws Exception {
        Files.writeString(file, """
                store: %s
                tables:
                  users:
                    delta: %s
                    key: entity_id
                    ttl: 0s
                """.formatted(store, users));
        try (Larder larder = Larder.fromDefinition(file)) {
            assertTrue(larder.awaitReady(Duration.ofMinutes(2)));
            assertEquals(Duration.ZERO, larder.table("users").ttl());
            assertEquals(ReadStatus.FOUND, larder.table("users").newReader().get(10L));
        }
    }

    @Test
    void tableNamesTheStoreRefusesAreProblemsAtTheirLines() throws Exception {
        List<String> p = refused("""
                store: %s
                tables:
                  ../x: {delta: %s, key: entity_id}
                  a/b: {delta: %s, key: entity_id}
                  .x: {delta: %s, key: entity_id}
                  "": {delta: %s, key: entity_id}
                  users.g3: {delta: %s, key: entity_id}
                """.formatted(store, users, users, users, users, users));
        assertEquals(5, p.size(), p.toString());
        String rule = "': use 1-128 characters of letters, digits, '_', '.' and '-', not starting with '.' or '-'";
        assertEquals(file + ":3: invalid table name '../x" + rule, p.get(0));
        assertEquals(file + ":4: invalid table name 'a/b" + rule, p.get(1));
        assertEquals(file + ":5: invalid table name '.x" + rule, p.get(2));
        assertEquals(file + ":6: invalid table name '" + rule, p.get(3));
        assertEquals(file + ":7: invalid table name 'users.g3': names ending in .g<digits> are reserved for the "
                + "generations of table users", p.get(4));
    }

    @Test
    void aVectorOverTablesKeyedByDifferentTypesIsAProblemAtTheFeature() throws Exception {
        List<String> p = refused("""
                store: %s
                tables:
                  ids:
                    delta: %s
                    key: id
                  people:
                    delta: %s
                    key: name
                vectors:
                  v:
                    - ids.id
                    - people.age
                """.formatted(store, shared("delta-tables", "simple_table"), shared("delta-tables", "cdc_ict_table")));
        assertEquals(List.of(file + ":12: vector v feature people.age: table people is keyed by name (string(64)), "
                + "unlike table ids (keyed by id (int64), line 11): one key looks up every table of a vector"), p);
    }

    @Test
    void aCatalogManagedTableNamedByPathIsAProblemAtItsSourceLine() throws Exception {
        Path managed = shared("catalog-managed-tables", "catalog-owned-preview");
        List<String> p = refused("""
                store: %s
                tables:
                  preview:
                    delta: %s
                    key: col1
                """.formatted(store, managed));
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.get(0).startsWith(file + ":4: table preview: cannot open " + managed + ": ")
                && p.get(0).contains("catalog-managed") && p.get(0).contains("unity_catalog:"), p.toString());
    }

    @Test
    void defaultsOutOfTheirColumnsRangeAreProblemsAtTheirLines() throws Exception {
        List<String> p = refused("""
                store: %s
                tables:
                  t:
                    delta: %s
                    key: name
                    defaults:
                      long_field: 9223372036854775808
                      id: 2147483648
                      smallint_field: 40000
                      double_field: 1e400
                vectors:
                  v:
                    - t.long_field
                    - t.double_field
                    - {feature: t.id, default: -1e400}
                """.formatted(store, shared("delta-tables", "cdf-table-non-partitioned")));
        assertEquals(List.of(
                file + ":7: table t default long_field: '9223372036854775808' is not a whole number in the range of "
                        + "column long_field (int64: -9223372036854775808..9223372036854775807)",
                file + ":8: table t default id: '2147483648' is not a whole number in the range of column id "
                        + "(int32: -2147483648..2147483647)",
                file + ":9: table t default smallint_field: '40000' is not a whole number in the range of column "
                        + "smallint_field (int16: -32768..32767)",
                file + ":10: table t default double_field: '1e400' is beyond the range of a double (about 1.8e308)",
                file + ":14: vector v feature t.double_field: '1e400' is beyond the range of a double (about 1.8e308)",
                file + ":15: vector v feature t.id: '-1e400' is beyond the range of a double (about 1.8e308)"), p);
    }

    @Test
    void defaultsAtTheEdgesOfTheirRangesAreServed() throws Exception {
        Files.writeString(file, """
                store: %s
                tables:
                  t:
                    delta: %s
                    key: name
                    defaults:
                      long_field: 9223372036854775807
                      id: -2147483648
                      double_field: 1.7e308
                vectors:
                  v:
                    - t.double_field
                """.formatted(store, shared("delta-tables", "cdf-table-non-partitioned")));
        try (Larder larder = Larder.fromDefinition(file)) {
            assertEquals(1, larder.vector("v").size());
        }
    }

    // ------------------------------------------------------------------ item 5: a changed key

    private String keyed(String key) {
        return """
                store: %s
                tables:
                  users:
                    delta: %s
                    key: %s
                    ttl: 7d
                """.formatted(store, users, key);
    }

    @Test
    void aChangedKeyIsRefusedAtItsLineUntilTheTableIsRebuiltWithIt() throws Exception {
        Files.writeString(file, keyed("entity_id"));
        try (Larder larder = Larder.fromDefinition(file)) {
            assertTrue(larder.awaitReady(Duration.ofMinutes(2)));
        }
        Files.writeString(file, keyed("[entity_id, c_0]"));
        DefinitionException e = assertThrows(DefinitionException.class, () -> Larder.fromDefinition(file));
        String command = "./larder rebuild --store " + store + " --table users --delta " + users
                + " --key entity_id,c_0 --ttl PT168H --yes";
        assertEquals(List.of(file + ":5: table users: key entity_id,c_0 is not the key the table in " + store
                + " was bootstrapped with (entity_id), and lookups would still go by that one; keep 'key: entity_id', "
                + "or re-bootstrap the table with the new key: " + command), e.problems());
        try (FeatureStore s = FeatureStore.openExisting(store)) {
            assertEquals(List.of(0L), s.generations("users"), "the refused start created no generation");
            // What the named command does (RebuildCommand): a new generation keyed as declared.
            Rebuild.run(s, Rebuild.Plan.fromDelta("users", users.toString(), List.of("entity_id", "c_0"), 64,
                    Duration.ofDays(7)), ScanProgress.NONE);

        }
        try (Larder larder = Larder.fromDefinition(file)) {
            assertTrue(larder.awaitReady(Duration.ofMinutes(2)));
            assertEquals(List.of("entity_id", "c_0"), larder.table("users").schema().keyColumns());
            assertEquals(200, larder.table("users").size());
        }
    }
}
