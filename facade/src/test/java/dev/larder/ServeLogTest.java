package dev.larder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.snapshot.servelog.KernelLogReader;
import dev.larder.tools.generate.DeltaTableGenerator;
import dev.larder.tools.generate.GeneratorSpec;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The served-feature log: what a filler serves reaches the Delta log, read back with Kernel, field for field; a full
 * buffer drops and counts instead of blocking the serving thread.
 */
class ServeLogTest {
    private static final String[] TABLES = {"bp", "people", "fresh", "stale"};
    private static final long MILLIS_PER_DAY = 86_400_000L;

    @TempDir
    Path dir;

    private static Path shared(String name) {
        Path root = Path.of("..", "..", "shared", "delta-tables", name, "delta").toAbsolutePath().normalize();
        assertTrue(Files.isDirectory(root), "the shared Delta tables are checked out beside the repository: " + root);
        return root;
    }

    /**
     * Two followed Delta tables (keys 1..6 and 2..4) and two pushed ones: {@code fresh} (key 2 with a null score, key
     * 4 with 0.75) and {@code stale} (key 3, committed in 1970, past its one-hour TTL).
     */
    private Larder open(Path store, ServeLog log) {
        Schema scored = Schema.builder().keyColumn("id", ColumnType.INT64).column("score", ColumnType.FLOAT64).build();
        Larder larder = Larder.builder(store)
                .follow("bp", Source.delta(shared("basic_partitioned").toString()).key("number"))
                .follow("people", Source.delta(shared("cdf-column-mapping-name-mode").toString()).key("id"))
                .push("fresh", scored, Duration.ZERO)
                .push("stale", scored, Duration.ofHours(1))
                .vector("ranker", Feature.of("bp.a_float", -1), Feature.of("people.value", -2),
                        Feature.of("fresh.score", -3), Feature.of("stale.score", -4))
                .log("ranker", log)
                .open();
        long now = System.currentTimeMillis();
        Pusher fresh = larder.table("fresh").newPusher();
        fresh.row().setLong(0, 2).setNull(1);
        fresh.upsert(1, now);
        fresh.row().setLong(0, 4).setDouble(1, 0.75);
        fresh.upsert(1, now);
        fresh.endVersion(1, now);
        Pusher stale = larder.table("stale").newPusher();
        stale.row().setLong(0, 3).setDouble(1, 0.5);
        stale.upsert(7, 1_000);
        stale.endVersion(7, 1_000);
        larder.flush();
        return larder;
    }

    /** One served vector as the caller saw it, with each table's row lineage as a single-table reader reports it. */
    private record Served(long requestId, long key, double[] values, ReadStatus[] statuses, long[] versions,
                          long[] commitTs, long before, long after) {
    }

    @Test
    void everyServedFieldIsInTheLogAsServed() throws Exception {
        Path logPath = dir.resolve("log");
        try (Larder larder = open(dir.resolve("store"), ServeLog.to(logPath.toString()).tags("ranker", "v7"))) {
            assertTrue(larder.awaitReady(Duration.ofMinutes(1)));
            Vector vector = larder.vector("ranker");
            assertTrue(vector.logged());
            Vector.Filler filler = vector.newFiller();
            Map<String, Reader> readers = new HashMap<>();
            for (String t : TABLES) {
                readers.put(t, larder.table(t).newReader());
            }
            List<Served> served = new ArrayList<>();
            long[] keys = {1, 2, 3, 4, 5, 6, 9};
            for (int i = 0; i < keys.length; i++) {
                double[] out = new double[4];
                ReadStatus[] statuses = new ReadStatus[4];
                long before = System.currentTimeMillis();
                if (i % 2 == 0) {
                    filler.requestId(1_000 + i).fill(keys[i], out, statuses);
                } else {
                    // Served into a float[]: logged widened, exactly what the model got.
                    float[] floats = new float[4];
                    filler.requestId(1_000 + i).fill(filler.key().setLong(0, keys[i]), floats, statuses);
                    for (int f = 0; f < 4; f++) {
                        out[f] = floats[f];
                    }
                }
                long after = System.currentTimeMillis();
                long[] versions = new long[4];
                long[] commitTs = new long[4];
                for (int t = 0; t < 4; t++) {
                    Reader r = readers.get(TABLES[t]);
                    boolean row = r.get(keys[i]) != ReadStatus.NOT_FOUND;
                    versions[t] = row ? r.version() : -1;
                    commitTs[t] = row ? r.commitTimestampMillis() : -1;
                }
                served.add(new Served(1_000 + i, keys[i], out, statuses, versions, commitTs, before, after));
            }
            // Without a request id of the caller's, one is generated.
            filler.fill(5L, new double[4], null);
            vector.flushLog();
            ServeLogStats stats = vector.logStats();
            assertEquals(8, stats.logged());
            assertEquals(0, stats.dropped());
            assertEquals(8, stats.committed());
            assertEquals("", stats.lastError());

            List<Map<String, Object>> rows = new KernelLogReader(logPath).rows();
            assertEquals(8, rows.size());
            Map<Long, Map<String, Object>> byId = rows.stream()
                    .collect(Collectors.toMap(r -> (Long) r.get("request_id"), Function.identity()));
            for (Served s : served) {
                Map<String, Object> row = byId.remove(s.requestId());
                assertNotNull(row, "request " + s.requestId());
                assertRow(larder, s, row);
            }
            Map<String, Object> generated = byId.values().iterator().next();
            assertEquals(5L, generated.get("number"));
            assertTrue((Long) generated.get("request_id") >= 0);
            // The served vectors' statuses cover every reason a default is served for.
            assertEquals(List.of(ReadStatus.FOUND, ReadStatus.NOT_FOUND, ReadStatus.NOT_FOUND, ReadStatus.NOT_FOUND),
                    List.of(served.get(0).statuses()));
            assertEquals(ReadStatus.NULL, served.get(1).statuses()[2]);
            assertEquals(ReadStatus.EXPIRED, served.get(2).statuses()[3]);
        }
    }

    private static void assertRow(Larder larder, Served s, Map<String, Object> row) {
        String at = "request " + s.requestId() + ": ";
        assertEquals(s.key(), row.get("number"), at + "key");
        assertEquals("ranker", row.get("vector"));
        assertEquals("ranker", row.get("model"));
        assertEquals("v7", row.get("model_version"));
        long servedAtMicros = (Long) row.get("served_at");
        assertTrue(servedAtMicros >= s.before() * 1000 && servedAtMicros <= s.after() * 1000, at + "served_at");
        assertEquals((int) Math.floorDiv(servedAtMicros / 1000, MILLIS_PER_DAY), row.get("served_date"));
        String[] features = {"bp__a_float", "people__value", "fresh__score", "stale__score"};
        for (int f = 0; f < 4; f++) {
            assertEquals(Double.doubleToRawLongBits(s.values()[f]),
                    Double.doubleToRawLongBits((Double) row.get(features[f])), at + features[f]);
            Object reason = row.get(features[f] + "__default");
            if (s.statuses()[f] == ReadStatus.FOUND) {
                assertNull(reason, at + features[f]);
            } else {
                assertEquals(s.statuses()[f].name(), reason, at + features[f]);
            }
        }
        for (int t = 0; t < 4; t++) {
            String table = TABLES[t];
            Lineage lineage = larder.table(table).lineage();
            if (s.versions()[t] < 0) {
                assertNull(row.get(table + "__version"), at + table);
                assertNull(row.get(table + "__commit_ts"), at + table);
            } else {
                assertEquals(s.versions()[t], row.get(table + "__version"), at + table);
                assertEquals(s.commitTs()[t] * 1000, row.get(table + "__commit_ts"), at + table);
            }
            assertEquals(lineage.sourcePath().isEmpty() ? null : lineage.sourcePath(), row.get(table + "__source"));
            assertEquals(lineage.sourceId(), row.get(table + "__table_id"));
        }
    }

    /**
     * Rows of an older version than the watermark (a store reopened after following a commit, so this process never
     * saw that version as the watermark) get their version's commit timestamp from the Delta table. The commit changes
     * a few keys, leaving the others' rows at version 0.
     */
    @Test
    void aRowOfAnOlderVersionIsLoggedWithThatVersionsCommitTimestamp() throws Exception {
        Path delta = dir.resolve("users");
        DeltaTableGenerator.generate(GeneratorSpec.builder().rows(200).numericFeatures(1).float32Features(0)
                .commits(0).rowsPerFile(10).updatesPerCommit(20).deletesPerCommit(10).insertsPerCommit(10).build(),
                delta);
        Path store = dir.resolve("store");
        Source users = Source.delta(delta.toString()).key(GeneratorSpec.KEY_COLUMN);
        try (Larder larder = Larder.builder(store).pollInterval(Duration.ofMillis(20)).follow("users", users).open()) {
            assertTrue(larder.awaitReady(Duration.ofMinutes(1)));
            DeltaTableGenerator.appendCommit(delta);
            while (larder.table("users").lineage().version() < 1) {
                Thread.sleep(10);
            }
        }
        Path logPath = dir.resolve("log");
        try (Larder larder = Larder.builder(store).follow("users", users).vector("v", Feature.of("users.f_0"))
                .log("v", ServeLog.to(logPath.toString())).open()) {
            assertEquals(1, larder.table("users").lineage().version());
            Vector.Filler filler = larder.vector("v").newFiller();
            Reader reader = larder.table("users").newReader();
            Map<Long, Long> expected = new HashMap<>();
            Map<Long, Long> versions = new HashMap<>();
            for (long k = 0; k < 200; k++) {
                filler.requestId(k).fill(k, new double[1], null);
                if (reader.get(k) == ReadStatus.FOUND) {
                    expected.put(k, reader.commitTimestampMillis() * 1000);
                    versions.put(k, reader.version());
                }
            }
            assertTrue(versions.containsValue(0L) && versions.containsValue(1L), "rows of both versions: " + versions);
            larder.vector("v").flushLog();
            for (Map<String, Object> row : new KernelLogReader(logPath).rows()) {
                long k = (Long) row.get("request_id");
                assertEquals(versions.get(k), row.get("users__version"), "key " + k);
                assertEquals(expected.get(k), row.get("users__commit_ts"), "key " + k);
            }
            // Rows of both versions served as the lakehouse had them: the skew check finds each equal at its version.
            SkewReport skew = larder.vector("v").checkLog(5);
            assertEquals(200, skew.vectors(), skew.toString());
            assertEquals(200, skew.values(), skew.toString());
            assertEquals(200, skew.equal(), skew.toString());
            assertTrue(skew.clean() && skew.differences().isEmpty(), skew.toString());
            assertTrue(skew.versionsRead() >= 2, skew.toString());
        }
    }

    @Test
    void aFullBufferDropsAndCountsWithoutBlockingTheServingThread() throws Exception {
        Path logPath = dir.resolve("log");
        ServeLog settings = ServeLog.to(logPath.toString()).bufferRecords(4);
        ObjectName name = new ObjectName("dev.larder:type=ServeLog,store="
                + ObjectName.quote(dir.resolve("store").toString()) + ",name=" + ObjectName.quote("ranker"));
        try (Larder larder = open(dir.resolve("store"), settings)) {
            assertTrue(larder.awaitReady(Duration.ofMinutes(1)));
            Vector vector = larder.vector("ranker");
            Vector.Filler filler = vector.newFiller();
            double[] out = new double[4];
            // The drain is held (as by a commit that hangs): serving goes on, the buffer fills, then drops.
            synchronized (vector.log()) {
                for (int i = 0; i < 10; i++) {
                    filler.requestId(i).fill(1L, out, null);
                }
                ServeLogStats held = vector.logStats();
                assertEquals(4, held.logged());
                assertEquals(6, held.dropped());
            }
            vector.flushLog();
            assertEquals(4, vector.logStats().committed());
            // The same counters over JMX, under the vector's name and the store's directory.
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            assertEquals(6L, server.getAttribute(name, "Dropped"));
            assertEquals(4L, server.getAttribute(name, "Logged"));
            assertEquals(4L, server.getAttribute(name, "Committed"));
            assertEquals("", server.getAttribute(name, "LastError"));
            List<Long> ids = new KernelLogReader(logPath).rows().stream().map(r -> (Long) r.get("request_id"))
                    .sorted().toList();
            assertEquals(List.of(0L, 1L, 2L, 3L), ids);
        }
        assertTrue(!ManagementFactory.getPlatformMBeanServer().isRegistered(name),
                "unregistered when the Larder closes");
    }

    /** Logging, sampling, dropping and generating request ids allocate nothing on the serving thread. */
    @Test
    void loggedFillsAllocateNothing() throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        ServeLog settings = ServeLog.to(dir.resolve("log").toString()).sample(0.5).bufferRecords(1024)
                .rollRows(4096);
        try (Larder larder = open(dir.resolve("store"), settings)) {
            assertTrue(larder.awaitReady(Duration.ofMinutes(1)));
            Vector vector = larder.vector("ranker");
            Vector.Filler filler = vector.newFiller();
            double[] out = new double[4];
            float[] floats = new float[4];
            ReadStatus[] statuses = new ReadStatus[4];
            long id = Thread.currentThread().threadId();
            // As in LarderFacadeTest: a round may allocate once (a deoptimization), a steady one must not.
            long fewest = Long.MAX_VALUE;
            long sum = 0;
            long fills = 0;
            for (int round = 0; round < 6 && fewest != 0; round++) {
                fills += 60_000;
                long before = threads.getThreadAllocatedBytes(id);
                for (int i = 0; i < 20_000; i++) {
                    sum += filler.requestId(i).fill(i % 8, out, statuses);
                    sum += filler.fill(i % 8, floats, null);
                    sum += filler.fill(filler.key().setLong(0, i % 8), floats, statuses);
                }
                long allocated = threads.getThreadAllocatedBytes(id) - before;
                if (round > 0) {
                    fewest = Math.min(fewest, allocated);
                }
            }
            assertEquals(0, fewest, "bytes allocated by 60,000 logged fills in the steadiest round after a warm-up");
            assertTrue(sum > 0);
            ServeLogStats stats = vector.logStats();
            // Sampled at one half: some vectors were taken, some were not drawn at all.
            assertTrue(stats.logged() > 0 && stats.logged() + stats.dropped() < fills, fills + " fills: " + stats);
        }
    }

    @Test
    void anUnloggedVectorSaysSoAndALoggedOneNeedsItsDeclaration() throws Exception {
        Schema schema = Schema.builder().keyColumn("id", ColumnType.INT64).column("x", ColumnType.FLOAT64).build();
        try (Larder larder = Larder.builder(dir.resolve("a")).push("t", schema, Duration.ZERO)
                .vector("v", Feature.of("t.x")).open()) {
            assertTrue(!larder.vector("v").logged());
            assertThrows(IllegalStateException.class, () -> larder.vector("v").logStats());
            assertThrows(IllegalStateException.class, () -> larder.vector("v").checkLog(1));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Larder.builder(dir.resolve("b"))
                .push("t", schema, Duration.ZERO).vector("v", Feature.of("t.x"))
                .log("w", ServeLog.to(dir.resolve("log").toString())).open());
        assertTrue(e.getMessage().contains("vector w is logged but not declared"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ServeLog.to("x").sample(1.5));
    }
}
