package dev.larder.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.ingest.Follower;
import dev.larder.ingest.LarderEngine;
import dev.larder.store.FeatureStore;
import dev.larder.store.FeatureTable;
import dev.larder.store.ReadStatus;
import dev.larder.store.TableReader;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * kill -9 of a following process, again and again, at random points: after each kill the table equals the topic's
 * records up to the offsets stored with its watermark (nothing lost, nothing applied twice), the stored offsets never
 * go back, and a last follower catches up with the whole topic.
 */
class KafkaKillLoopTest {
    private static final int KILLS = 24;
    private static final int PARTITIONS = 3;
    private static final int RECORDS = 100_000;
    private static final int KEYS = 3_000;

    @TempDir
    Path brokerDir;
    @TempDir
    Path store;

    /** One produced record: its key, clicks (-1: a tombstone), partition and offset. */
    private record Sent(String key, long clicks, int partition, long offset) {
    }

    @Test
    void killedFollowersNeitherLoseNorRepeatRecords() throws Exception {
        try (KafkaBroker broker = KafkaBroker.start(brokerDir)) {
            broker.createTopic("kills", PARTITIONS);
            List<Sent> sent = produce(broker);
            Random random = new Random(7);
            StringBuilder log = new StringBuilder();
            Path positions = store.resolve("kills").resolve(SourcePositionFile.NAME);
            Map<Integer, Long> last = new HashMap<>();
            int progressed = 0;
            for (int kill = 0; kill < KILLS; kill++) {
                Process child = child(broker);
                try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = out.readLine()) != null && !line.equals("following")) {
                        log.append(line).append('\n');
                    }
                }
                if (consumed(last) < RECORDS) {
                    awaitProgress(child, positions, size(positions));
                }
                Thread.sleep(random.nextInt(800));
                child.destroyForcibly();
                assertTrue(child.waitFor(60, TimeUnit.SECONDS));
                Map<Integer, Long> at = check(sent);
                System.out.println("kill " + kill + ": offsets " + at);
                if (at == null) {
                    continue;
                }
                for (Map.Entry<Integer, Long> e : at.entrySet()) {
                    long before = last.getOrDefault(e.getKey(), 0L);
                    assertTrue(e.getValue() >= before, "partition " + e.getKey() + " went back from " + before
                            + " to " + e.getValue() + " after kill " + kill);
                }
                if (!at.equals(last) || consumed(at) == RECORDS) {
                    progressed++;
                }
                last = at;
            }
            assertTrue(progressed >= KILLS / 2, "only " + progressed + " of " + KILLS + " runs made progress: " + log);
            Map<String, Long> all = fold(sent, Map.of(0, Long.MAX_VALUE, 1, Long.MAX_VALUE, 2, Long.MAX_VALUE));
            try (LarderEngine engine = LarderEngine.open(store, KafkaChangeSourceTest.ingest())) {
                Follower f = KafkaChangeSource.follow(engine, "kills", new KafkaFeed(broker.bootstrap(), "kills",
                        KafkaChangeSourceTest.SCHEMA), KafkaChangeSourceTest.follow());
                KafkaChangeSourceTest.await("the whole topic", () -> equal(f.handle().table(), all));
            }
        }
    }

    /** Waits until the child has stored the offsets of a version more (the file grew or was compacted). */
    private static void awaitProgress(Process child, Path positions, long size) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (size(positions) == size && child.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(child.isAlive(), "the follower exited");
    }

    private static long consumed(Map<Integer, Long> offsets) {
        return offsets.values().stream().mapToLong(Long::longValue).sum();
    }

    private static long size(Path file) throws Exception {
        return Files.exists(file) ? Files.size(file) : -1;
    }

    private static List<Sent> produce(KafkaBroker broker) throws Exception {
        Random random = new Random(11);
        List<String> keys = new ArrayList<>();
        List<Long> clicks = new ArrayList<>();
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        try (KafkaProducer<String, String> p = broker.producer()) {
            for (int i = 0; i < RECORDS; i++) {
                String key = "k" + random.nextInt(KEYS);
                boolean tombstone = random.nextInt(10) == 0;
                keys.add(key);
                clicks.add(tombstone ? -1L : i);
                acks.add(p.send(new ProducerRecord<>("kills", key,
                        tombstone ? null : KafkaChangeSourceTest.row(i, i / 2.0, "n" + i))));
            }
            p.flush();
        }
        List<Sent> sent = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            RecordMetadata m = acks.get(i).get();
            sent.add(new Sent(keys.get(i), clicks.get(i), m.partition(), m.offset()));
        }
        return sent;
    }

    private Process child(KafkaBroker broker) throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), KafkaFollowMain.class.getName(), store.toString(),
                broker.bootstrap(), "kills", "200");
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    /**
     * Reopens the killed store (recovery rolls back the version being applied) and checks the table against the
     * records before the offsets stored with its watermark; returns those offsets, or null before the table exists.
     */
    private Map<Integer, Long> check(List<Sent> sent) {
        try (FeatureStore s = FeatureStore.open(store)) {
            if (s.currentGeneration("kills") < 0) {
                return null;
            }
            FeatureTable t = s.table("kills");
            long watermark = t.lineage().version();
            Map<Integer, Long> at = new SourcePositionFile(store.resolve("kills").resolve(SourcePositionFile.NAME))
                    .at(watermark);
            assertNotNull(at, "no stored offsets for watermark " + watermark);
            Map<String, Long> expected = fold(sent, at);
            assertTrue(equal(t, expected), "after a kill at watermark " + watermark + " (offsets " + at
                    + ") the table has " + t.size() + " rows, the topic up to those offsets " + expected.size());
            return at;
        }
    }

    /** Key to clicks after applying, in order, every record before {@code offsets} of its partition. */
    private static Map<String, Long> fold(List<Sent> sent, Map<Integer, Long> offsets) {
        Map<String, Long> m = new HashMap<>();
        for (Sent s : sent) {
            if (s.offset < offsets.getOrDefault(s.partition, 0L)) {
                if (s.clicks < 0) {
                    m.remove(s.key);
                } else {
                    m.put(s.key, s.clicks);
                }
            }
        }
        return m;
    }

    private static boolean equal(FeatureTable t, Map<String, Long> expected) {
        if (t.size() != expected.size()) {
            return false;
        }
        TableReader r = t.newReader();
        for (Map.Entry<String, Long> e : expected.entrySet()) {
            if (r.get(e.getKey()) != ReadStatus.FOUND || r.getLong(1) != e.getValue()) {
                return false;
            }
        }
        assertEquals(expected.size(), t.size());
        return true;
    }
}
