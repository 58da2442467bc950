package dev.larder.kafka;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.ingest.Follower;
import dev.larder.ingest.LarderEngine;
import dev.larder.snapshot.DeltaChangeSource;
import dev.larder.snapshot.DeltaSource;
import dev.larder.snapshot.ScanProgress;
import dev.larder.store.FeatureStore;
import dev.larder.store.FeatureTable;
import dev.larder.store.ReadStatus;
import dev.larder.store.TableOptions;
import dev.larder.store.TableReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a process following a Delta table (written with Kernel, a commit between kills) and a topic into one
 * table, again and again at random points: after each kill the table holds, for every key, the newest event among the
 * Delta commits up to the Delta version stored with its watermark and the records before the offsets stored with it
 * (nothing lost, nothing from past those positions), positions never go back, and a last follower catches up with
 * both sources.
 */
class BatchAndKafkaKillLoopTest {
    /**
     * 10 in CI, which KafkaKillLoopTest's 24 kills of a topic-only table already cover; {@code
     * -Dlarder.kafka.batch-kills=20} for the longer run this test was measured with.
     */
    private static final int KILLS = Integer.getInteger("larder.kafka.batch-kills", 10);
    private static final int PARTITIONS = 2;
    private static final int RECORDS = 40_000;
    private static final int KEYS = 2_100;
    private static final int KEYS_PER_COMMIT = 100;

    @TempDir
    Path brokerDir;
    @TempDir
    Path dir;

    /** One event: its key, value, event time, and where it is (a Delta version, or a partition and offset). */
    private record Event(long key, double value, long ts, long deltaVersion, int partition, long offset) {
    }

    @Test
    void killedFollowersOfBothSourcesNeitherLoseNorRunAhead() throws Exception {
        Random random = new Random(22);
        // Event times are unique, so every key has one newest event whatever the order of arrival.
        List<Long> times = new ArrayList<>();
        for (long t = 1; t <= RECORDS + KEYS; t++) {
            times.add(t * 7);
        }
        Collections.shuffle(times, random);
        List<Event> events = new ArrayList<>();
        KernelTable delta = new KernelTable(dir.resolve("delta"));
        int commits = 0;
        commits = commit(delta, commits, times, events);
        Path store = dir.resolve("store");
        try (KafkaBroker broker = KafkaBroker.start(brokerDir)) {
            broker.createTopic("updates", PARTITIONS);
            produce(broker, random, times, events);
            Path metadata = store.resolve("t").resolve("table.properties");
            long lastDelta = -1;
            Map<Integer, Long> lastOffsets = new HashMap<>();
            int progressed = 0;
            StringBuilder log = new StringBuilder();
            for (int kill = 0; kill < KILLS; kill++) {
                Path out = dir.resolve("child-" + kill + ".log");
                Process child = child(broker, store, delta, out);
                awaitFollowing(child, out);
                awaitProgress(child, metadata, text(metadata));
                Thread.sleep(random.nextInt(600));
                child.destroyForcibly();
                assertTrue(child.waitFor(60, TimeUnit.SECONDS));
                log.append(Files.readString(out));
                Object[] at = check(store, events);
                System.out.println("kill " + kill + ": Delta version " + (at == null ? "-" : at[0]) + ", offsets "
                        + (at == null ? "-" : at[1]));
                if (at != null) {
                    long d = (Long) at[0];
                    @SuppressWarnings("unchecked")
                    Map<Integer, Long> offsets = (Map<Integer, Long>) at[1];
                    assertTrue(d >= lastDelta, "the Delta version went back from " + lastDelta + " to " + d);
                    for (Map.Entry<Integer, Long> e : offsets.entrySet()) {
                        long before = lastOffsets.getOrDefault(e.getKey(), 0L);
                        assertTrue(e.getValue() >= before, "partition " + e.getKey() + " went back from " + before
                                + " to " + e.getValue() + " after kill " + kill);
                    }
                    if (d != lastDelta || !offsets.equals(lastOffsets)) {
                        progressed++;
                    }
                    lastDelta = d;
                    lastOffsets = offsets;
                }
                if (commits * KEYS_PER_COMMIT < KEYS) {
                    commits = commit(delta, commits, times, events);
                }
            }
            assertTrue(progressed >= KILLS / 2, "only " + progressed + " of " + KILLS + " runs made progress: "
                    + log.substring(Math.max(0, log.length() - 20_000)));
            Map<Long, Double> all = newest(events, Long.MAX_VALUE, Map.of(0, Long.MAX_VALUE, 1, Long.MAX_VALUE));
            try (LarderEngine engine = LarderEngine.open(store, KafkaChangeSourceTest.ingest())) {
                DeltaChangeSource batch = new DeltaChangeSource(DeltaSource.open(delta.path()), List.of("id"), 64,
                        ScanProgress.NONE);
                Follower f = BatchAndKafkaSource.follow(engine, "t", batch,
                        new KafkaFeed(broker.bootstrap(), "updates", batch.schema()), KafkaChangeSourceTest.follow()
                                .withTableOptions(TableOptions.DEFAULT.withEventTime("ts")));
                KafkaChangeSourceTest.await("both sources", () -> equal(f.handle().table(), all));
            }
        }
    }

    /** Appends the next {@value #KEYS_PER_COMMIT} keys to Delta (Delta adds each key once) as Delta version n+1. */
    private static int commit(KernelTable delta, int n, List<Long> times, List<Event> events) throws Exception {
        long[][] rows = new long[KEYS_PER_COMMIT][];
        for (int i = 0; i < KEYS_PER_COMMIT; i++) {
            long key = (long) n * KEYS_PER_COMMIT + i;
            long ts = times.get(RECORDS + (int) key);
            rows[i] = new long[] {key, -key, ts};
            events.add(new Event(key, -key, ts, n + 1, -1, -1));
        }
        delta.append(rows);
        return n + 1;
    }

    private static void produce(KafkaBroker broker, Random random, List<Long> times, List<Event> events)
            throws Exception {
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        long[] keys = new long[RECORDS];
        try (KafkaProducer<String, String> p = broker.producer()) {
            for (int i = 0; i < RECORDS; i++) {
                keys[i] = random.nextInt(KEYS);
                acks.add(p.send(new ProducerRecord<>("updates", Long.toString(keys[i]), "{\"value\": " + i
                        + ", \"ts\": " + times.get(i) + "}")));
            }
            p.flush();
        }
        for (int i = 0; i < RECORDS; i++) {
            RecordMetadata m = acks.get(i).get();
            events.add(new Event(keys[i], i, times.get(i), -1, m.partition(), m.offset()));
        }
    }

    /** Waits until the child says it follows (the log's first lines are its JVM's and library's warnings). */
    private static void awaitFollowing(Process child, Path out) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!(Files.exists(out) && Files.readString(out).contains("following\n")) && child.isAlive()
                && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(child.isAlive(), "the follower exited: " + Files.readString(out));
    }

    private static Process child(KafkaBroker broker, Path store, KernelTable delta, Path out) throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), BatchAndKafkaFollowMain.class.getName(),
                store.toString(), broker.bootstrap(), "updates", delta.path(), "200");
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    }

    /**
     * Waits until the child has made a version more durable (the table's metadata, rewritten with the watermark at
     * each sync, changed), so a kill lands after a bootstrap (which takes longer than the kill's random delay) too.
     */
    private static void awaitProgress(Process child, Path metadata, String before) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (text(metadata).equals(before) && child.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(child.isAlive(), "the follower exited");
    }

    private static String text(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            // Absent, or replaced at this moment (the writer renames a new file over it): no content yet.
            return "";
        }
    }

    /**
     * Reopens the killed store (recovery rolls back the version being applied) and checks the table against both
     * sources up to the positions stored with its watermark; returns {Delta version, offsets}, or null before the
     * table has a watermark.
     */
    private static Object[] check(Path store, List<Event> events) {
        try (FeatureStore s = FeatureStore.open(store)) {
            if (s.currentGeneration("t") < 0) {
                return null;
            }
            FeatureTable t = s.table("t");
            long watermark = t.lineage().version();
            if (watermark < 0) {
                return null;
            }
            Path gen = store.resolve("t");
            Map<Integer, Long> batch = new SourcePositionFile(gen.resolve(BatchAndKafkaSource.BATCH_POSITION))
                    .at(watermark);
            Map<Integer, Long> offsets = new SourcePositionFile(gen.resolve(SourcePositionFile.NAME)).at(watermark);
            assertNotNull(batch, "no Delta version stored for watermark " + watermark);
            assertNotNull(offsets, "no offsets stored for watermark " + watermark);
            Map<Long, Double> expected = newest(events, batch.get(0), offsets);
            assertTrue(equal(t, expected), "after a kill at watermark " + watermark + " (Delta version "
                    + batch.get(0) + ", offsets " + offsets + ") the table has " + t.size() + " rows, the sources "
                    + expected.size());
            return new Object[] {batch.get(0), offsets};
        }
    }

    /** Key to the value of its newest event among Delta versions up to {@code deltaVersion} and records before. */
    private static Map<Long, Double> newest(List<Event> events, long deltaVersion, Map<Integer, Long> offsets) {
        Map<Long, Event> m = new HashMap<>();
        for (Event e : events) {
            boolean in = e.deltaVersion >= 0 ? e.deltaVersion <= deltaVersion
                    : e.offset < offsets.getOrDefault(e.partition, 0L);
            if (in) {
                m.merge(e.key, e, (a, b) -> a.ts >= b.ts ? a : b);
            }
        }
        Map<Long, Double> values = new HashMap<>();
        m.forEach((k, e) -> values.put(k, e.value));
        return values;
    }

    private static boolean equal(FeatureTable t, Map<Long, Double> expected) {
        if (t.size() != expected.size()) {
            return false;
        }
        TableReader r = t.newReader();
        for (Map.Entry<Long, Double> e : expected.entrySet()) {
            if (r.get(e.getKey()) != ReadStatus.FOUND || r.getDouble(1) != e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
