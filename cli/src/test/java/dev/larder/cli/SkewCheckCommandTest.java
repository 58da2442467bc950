package dev.larder.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.Feature;
import dev.larder.Larder;
import dev.larder.Lineage;
import dev.larder.ReadStatus;
import dev.larder.Reader;
import dev.larder.ServeLog;
import dev.larder.Source;
import dev.larder.Vector;
import dev.larder.snapshot.DeltaSource;
import dev.larder.snapshot.servelog.ServeLogLayout;
import dev.larder.snapshot.servelog.ServeLogRows;
import dev.larder.snapshot.servelog.ServeLogTable;
import dev.larder.ingest.testkit.TestWriter;
import dev.larder.store.FeatureStore;
import dev.larder.store.FeatureTable;
import dev.larder.store.TableReader;
import dev.larder.tools.generate.DeltaTableGenerator;
import dev.larder.tools.generate.GeneratorSpec;
import dev.larder.tools.generate.TableState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code larder skew-check} over logs of vectors served by the facade from real Delta tables: a clean log exits 0, and
 * each injected skew (a tampered value, a default served where the lakehouse has the key, a value logged with another
 * version than it was served from, a row changed in the store behind its feed's back) is found and exits 1; a version
 * that cannot be read is counted apart.
 */
class SkewCheckCommandTest {
    private static final String[] TABLES = {"bp", "people"};
    private static final String[] FEATURES = {"bp.a_float", "people.value"};

    @TempDir
    Path dir;

    private static Path shared(String name) {
        Path root = Path.of("..", "..", "shared", "delta-tables", name, "delta").toAbsolutePath().normalize();
        assertTrue(Files.isDirectory(root), "the shared Delta tables are checked out beside the repository: " + root);
        return root;
    }

    /** One served vector, with each table's row version as a single-table reader reports it. */
    private record Served(long requestId, long key, double[] values, ReadStatus[] statuses, long[] versions) {
    }

    /** Two followed shared tables whose keys have different names (number, id): keys 1..6 and 2..4. */
    private Larder open(Path log) {
        return Larder.builder(dir.resolve("store"))
                .follow("bp", Source.delta(shared("basic_partitioned").toString()).key("number"))
                .follow("people", Source.delta(shared("cdf-column-mapping-name-mode").toString()).key("id"))
                .vector("ranker", Feature.of(FEATURES[0], -1), Feature.of(FEATURES[1], -2))
                .log("ranker", ServeLog.to(log.toString()))
                .open();
    }

    private static List<Served> serve(Larder larder, String vector, String[] tables, long... keys) {
        Vector.Filler filler = larder.vector(vector).newFiller();
        List<Served> served = new ArrayList<>();
        for (long k : keys) {
            double[] out = new double[tables.length];
            ReadStatus[] statuses = new ReadStatus[tables.length];
            filler.requestId(1_000 + k).fill(k, out, statuses);
            long[] versions = new long[tables.length];
            for (int t = 0; t < tables.length; t++) {
                Reader r = larder.table(tables[t]).newReader();
                versions[t] = r.get(k) == ReadStatus.NOT_FOUND ? -1 : r.version();
            }
            served.add(new Served(1_000 + k, k, out, statuses, versions));
        }
        return served;
    }

    /** Writes {@code served} (one feature per table) as a log through the servelog writer, as the facade would. */
    private static void write(Path log, Larder larder, ServeLogLayout layout, List<Served> served) throws Exception {
        write(log, larder, layout, served, Map.of());
    }

    /** As above, with the sources {@code moved} names logged in place of the tables' own. */
    private static void write(Path log, Larder larder, ServeLogLayout layout, List<Served> served,
                              Map<String, String> moved) throws Exception {
        ServeLogTable table = ServeLogTable.open(log.toString(), DeltaSource.localConfiguration(), layout);
        ServeLogRows rows = new ServeLogRows(layout, served.size());
        long now = System.currentTimeMillis();
        for (int t = 0; t < layout.tables().size(); t++) {
            Lineage l = larder.table(layout.tables().get(t)).lineage();
            rows.sources[t] = moved.getOrDefault(layout.tables().get(t), l.sourcePath());
            rows.tableIds[t] = l.sourceId();
        }
        for (Served s : served) {
            int r = rows.add();
            rows.requestId[r] = s.requestId();
            rows.servedAtMillis[r] = now;
            rows.key[r] = s.key();
            for (int f = 0; f < s.values().length; f++) {
                rows.values[f][r] = s.values()[f];
                rows.reasons[f][r] = switch (s.statuses()[f]) {
                    case FOUND -> ServeLogRows.FROM_DATA;
                    case NOT_FOUND -> ServeLogRows.NOT_FOUND;
                    case EXPIRED -> ServeLogRows.EXPIRED;
                    default -> ServeLogRows.NULL;
                };
                rows.versions[f][r] = s.versions()[f];
                rows.commitTs[f][r] = ServeLogRows.UNKNOWN;
            }
        }
        table.append(rows);
    }

    private static ServeLogLayout ranker() {
        return new ServeLogLayout("ranker", "number", List.of(FEATURES), List.of(TABLES));
    }

    /** The ranker's vectors for keys 1..6 and 9, changed by {@code change}, logged to a log of their own. */
    private CliTest.Run check(Consumer<List<Served>> change) throws Exception {
        Path log = dir.resolve("changed");
        try (Larder larder = open(dir.resolve("log"))) {
            assertTrue(larder.awaitReady(Duration.ofMinutes(1)));
            List<Served> served = serve(larder, "ranker", TABLES, 1, 2, 3, 4, 5, 6, 9);
            change.accept(served);
            write(log, larder, ranker(), served);
        }
        return CliTest.larder("skew-check", "--log", log.toString(), "--key", "people=id");
    }

    @Test
    void aCleanLogWrittenByTheFacadeHasEveryValueEqual() throws Exception {
        Path log = dir.resolve("log");
        try (Larder larder = open(log)) {
            assertTrue(larder.awaitReady(Duration.ofMinutes(1)));
            List<Served> served = serve(larder, "ranker", TABLES, 1, 2, 3, 4, 5, 6, 9);
            assertEquals(ReadStatus.NOT_FOUND, served.get(0).statuses()[1], "key 1 is not in people");
            larder.vector("ranker").flushLog();
        }
        CliTest.Run run = CliTest.larder("skew-check", "--log", log.toString(), "--key", "people=id");
        assertEquals(0, run.exit(), run.out() + run.err());
        assertTrue(run.out().startsWith("OK: 7 vectors, 14 values: 14 equal, 0 different, 0 unreadable"), run.out());
        assertTrue(run.out().contains("TTL is not evaluated again"), run.out());

        CliTest.Run sampled = CliTest.larder("skew-check", "--log", log.toString(), "--key", "people=id",
                "--sample", "3");
        assertEquals(0, sampled.exit(), sampled.out() + sampled.err());
        assertTrue(sampled.out().startsWith("OK: 3 vectors, 6 values: 6 equal"), sampled.out());

        // Without the people table's key column the version cannot be read: counted apart, not a difference.
        CliTest.Run noKey = CliTest.larder("skew-check", "--log", log.toString());
        assertEquals(0, noKey.exit(), noKey.out() + noKey.err());
        assertTrue(noKey.out().contains("--key people=COLUMN"), noKey.out());
    }

    @Test
    void aTamperedValueIsFound() throws Exception {
        CliTest.Run run = check(served -> served.get(1).values()[0] += 0.5);
        assertEquals(1, run.exit(), run.out() + run.err());
        assertTrue(run.out().startsWith("DIFFERENT: 7 vectors, 14 values: 13 equal, 1 different"), run.out());
        assertTrue(run.out().contains("request 1002 key 2 bp.a_float: served "), run.out());
    }

    @Test
    void aDefaultServedWhereTheLakehouseHasTheKeyIsFound() throws Exception {
        CliTest.Run run = check(served -> {
            Served s = served.get(2);
            s.values()[0] = -1;
            s.statuses()[0] = ReadStatus.NOT_FOUND;
            s.versions()[0] = -1;
        });
        assertEquals(1, run.exit(), run.out() + run.err());
        assertTrue(run.out().contains("request 1003 key 3 bp.a_float: served -1.0 (default: NOT_FOUND), lakehouse "),
                run.out());
    }

    @Test
    void aVersionThatCannotBeReadIsCountedApart() throws Exception {
        CliTest.Run run = check(served -> served.get(0).versions()[0] = 999);
        assertEquals(0, run.exit(), run.out() + run.err());
        // Key 9's NOT_FOUND is checked at the version committed by then alone: the one logged before it is unreadable.
        assertTrue(run.out().contains("13 equal, 0 different, 1 unreadable"), run.out());
        assertTrue(run.out().contains("version 999"), run.out());
    }

    /** A table the log names but that is gone: its values are counted apart, the others still checked. */
    @Test
    void aTableThatIsGoneIsCountedApart() throws Exception {
        Path log = dir.resolve("moved");
        try (Larder larder = open(dir.resolve("log"))) {
            assertTrue(larder.awaitReady(Duration.ofMinutes(1)));
            List<Served> served = serve(larder, "ranker", TABLES, 1, 2, 3);
            write(log, larder, ranker(), served, Map.of("people", dir.resolve("gone").toString()));
        }
        CliTest.Run run = CliTest.larder("skew-check", "--log", log.toString(), "--key", "people=id");
        assertEquals(0, run.exit(), run.out() + run.err());
        assertTrue(run.out().startsWith("OK: 3 vectors, 6 values: 3 equal, 0 different, 3 unreadable"), run.out());
        assertTrue(run.out().contains("note: people (" + dir.resolve("gone") + "): cannot be opened"), run.out());
    }

    /**
     * A table with history: the clean log of every key (some updated or deleted by later commits, some never there)
     * has every value equal; the same vectors with a row's version logged as an older one than it was read at differ.
     */
    @Test
    void aValueLoggedWithTheWrongVersionIsFound() throws Exception {
        Path delta = dir.resolve("users");
        GeneratorSpec spec = GeneratorSpec.builder().rows(200).numericFeatures(1).float32Features(0)
                .commits(2).rowsPerFile(50).updatesPerCommit(20).deletesPerCommit(10).insertsPerCommit(10).build();
        DeltaTableGenerator.generate(spec, delta);
        TableState before = spec.stateAt(1);
        TableState after = spec.stateAt(2);
        Path log = dir.resolve("log");
        Path changed = dir.resolve("changed");
        long[] keys = new long[230];
        for (int k = 0; k < keys.length; k++) {
            keys[k] = k;
        }
        String[] tables = {"users"};
        ServeLogLayout layout =
                new ServeLogLayout("v", GeneratorSpec.KEY_COLUMN, List.of("users.f_0"), List.of(tables));
        long tampered;
        try (Larder larder = Larder.builder(dir.resolve("store"))
                .follow("users", Source.delta(delta.toString()).key(GeneratorSpec.KEY_COLUMN))
                .vector("v", Feature.of("users.f_0")).log("v", ServeLog.to(log.toString())).open()) {
            assertTrue(larder.awaitReady(Duration.ofMinutes(1)));
            List<Served> served = serve(larder, "v", tables, keys);
            larder.vector("v").flushLog();
            // A row the store read at version 2 whose value version 2 updated: logged as read at version 1.
            Served updated = served.stream().filter(s -> s.versions()[0] == 2 && before.contains(s.key())
                    && after.contains(s.key()) && after.lastWriteVersion(s.key()) == 2).findFirst().orElseThrow();
            updated.versions()[0] = 1;
            tampered = updated.requestId();
            assertTrue(served.stream().anyMatch(s -> s.statuses()[0] == ReadStatus.NOT_FOUND));
            write(changed, larder, layout, served);
        }
        CliTest.Run clean = CliTest.larder("skew-check", "--log", log.toString());
        assertEquals(0, clean.exit(), clean.out() + clean.err());
        assertTrue(clean.out().startsWith("OK: 230 vectors, 230 values: 230 equal"), clean.out());

        CliTest.Run run = CliTest.larder("skew-check", "--log", changed.toString());
        assertEquals(1, run.exit(), run.out() + run.err());
        assertTrue(run.out().contains("1 different"), run.out());
        assertTrue(run.out().contains("request " + tampered + " "), run.out());
        assertTrue(run.out().contains("at version 1"), run.out());
    }

    /**
     * A row changed in the store behind its feed's back: the store records version 1 as applied, with key 10's value
     * changed, while the Delta table's version 1 only inserts keys. Served and logged through the facade as read at
     * version 1, the value differs from the lakehouse there; a key only the Delta table's version 1 has was served as
     * not found.
     */
    @Test
    void aRowChangedInTheStoreBehindTheFeedsBackIsFound() throws Exception {
        Path delta = dir.resolve("users");
        DeltaTableGenerator.generate(GeneratorSpec.builder().rows(100).numericFeatures(1).float32Features(0)
                .commits(0).rowsPerFile(50).updatesPerCommit(0).deletesPerCommit(0).insertsPerCommit(5).build(), delta);
        Path store = dir.resolve("store");
        Source users = Source.delta(delta.toString()).key(GeneratorSpec.KEY_COLUMN);
        try (Larder larder = Larder.builder(store).follow("users", users).open()) {
            assertTrue(larder.awaitReady(Duration.ofMinutes(1)));
        }
        DeltaTableGenerator.appendCommit(delta);
        try (FeatureStore s = FeatureStore.open(store)) {
            FeatureTable t = s.table("users");
            TableReader r = t.newReader();
            TestWriter.write(s, t, 1, t.lineage().commitTimestampMillis() + 1, sink -> {
                assertEquals(dev.larder.store.ReadStatus.FOUND, r.get(10));
                sink.upsert(sink.row().copyFrom(r).setDouble(t.schema().indexOf("f_0"), 12_345));
            });
        }
        Path log = dir.resolve("log");
        try (Larder larder = Larder.builder(store).follow("users", users).vector("v", Feature.of("users.f_0"))
                .log("v", ServeLog.to(log.toString())).open()) {
            assertTrue(larder.awaitReady(Duration.ofMinutes(1)));
            List<Served> served = serve(larder, "v", new String[] {"users"}, 9, 10, 11, 102);
            assertEquals(12_345, served.get(1).values()[0]);
            assertEquals(1, served.get(1).versions()[0]);
            larder.vector("v").flushLog();
        }
        CliTest.Run run = CliTest.larder("skew-check", "--log", log.toString());
        assertEquals(1, run.exit(), run.out() + run.err());
        // Key 102, which the Delta table's version 1 inserted and the store's did not, was served as not found.
        assertTrue(run.out().startsWith("DIFFERENT: 4 vectors, 4 values: 2 equal, 2 different"), run.out());
        assertTrue(run.out().contains("request 1010 key 10 users.f_0: served 12345.0, lakehouse "), run.out());
        assertTrue(run.out().contains("request 1102 key 102 users.f_0: served 0.0 (default: NOT_FOUND), lakehouse "),
                run.out());
    }

    @Test
    void aLogThatCannotBeReadIsAnError() throws Exception {
        Path notALog = Files.createDirectories(dir.resolve("empty"));
        CliTest.Run run = CliTest.larder("skew-check", "--log", notALog.toString());
        assertEquals(2, run.exit(), run.out() + run.err());
        assertTrue(run.err().startsWith("larder skew-check: cannot read the served-feature log "), run.err());
    }
}
