package dev.larder.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.larder.ingest.FollowOptions;
import dev.larder.ingest.Follower;
import dev.larder.ingest.LarderEngine;
import dev.larder.snapshot.DeltaChangeSource;
import dev.larder.snapshot.DeltaSource;
import dev.larder.snapshot.ScanProgress;
import dev.larder.store.FeatureTable;
import dev.larder.store.Generations;
import dev.larder.store.ReadStatus;
import dev.larder.store.TableOptions;
import dev.larder.store.TableReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One table bootstrapped from and following a Delta table written with Kernel, with a topic's updates (real broker,
 * KRaft, loopback) on top: event times decide between the two, whichever arrives first.
 */
class BatchAndKafkaSourceTest {
    @TempDir
    static Path brokerDir;
    static KafkaBroker broker;

    @TempDir
    Path dir;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = KafkaBroker.start(brokerDir);
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    /** Creates the Delta table (version 0, no rows). */
    private KernelTable createDelta() {
        return new KernelTable(dir.resolve("delta"));
    }

    private static Follower follow(LarderEngine engine, String delta, String topic) {
        DeltaChangeSource batch = new DeltaChangeSource(DeltaSource.open(delta), List.of("id"), 64, ScanProgress.NONE);
        KafkaFeed feed = new KafkaFeed(broker.bootstrap(), topic, batch.schema());
        return BatchAndKafkaSource.follow(engine, "t", batch, feed, KafkaChangeSourceTest.follow()
                .withTableOptions(TableOptions.DEFAULT.withEventTime("ts")));
    }

    /** Whether the table holds exactly {@code model} (id to value). */
    private static boolean holds(FeatureTable t, Map<Long, Double> model) {
        if (t.size() != model.size()) {
            return false;
        }
        TableReader r = t.newReader();
        for (Map.Entry<Long, Double> e : model.entrySet()) {
            if (r.get(e.getKey()) != ReadStatus.FOUND || r.getDouble(1) != e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void theNewerEventWinsWhicheverSourceItCameFromAndWhicheverCameFirst() throws Exception {
        KernelTable delta = createDelta();
        // Keys 1 (a), 4 (d, newer than the tombstone), 5 (e, older than it).
        delta.append(new long[] {1, 1, 100}, new long[] {4, 4, 5_000_000}, new long[] {5, 5, 100});
        String topic = "updates";
        broker.createTopic(topic, 1);
        try (KafkaProducer<String, String> p = broker.producer()) {
            KernelTable.send(p, topic, 1, 10, 50);      // older than Delta's row: skipped
            KernelTable.send(p, topic, 1, 11, 150);     // newer: applied
            KernelTable.send(p, topic, 2, 20, 300);     // a key Delta adds later with an older event
            KernelTable.send(p, topic, 3, 30, 100);     // a key Delta adds later with a newer event
            KernelTable.tombstone(p, topic, 4);         // older than the row: skipped
            KernelTable.tombstone(p, topic, 5);         // newer: deletes
        }
        Map<Long, Double> model = new HashMap<>(Map.of(1L, 11.0, 2L, 20.0, 3L, 30.0, 4L, 4.0));
        try (LarderEngine engine = LarderEngine.open(dir.resolve("store"), KafkaChangeSourceTest.ingest())) {
            Follower f = follow(engine, delta.path(), topic);
            await("the snapshot, then the topic", () -> holds(f.handle().table(), model)
                    && f.handle().table().olderEventsSkipped() == 2);
            // Delta now: b older than Kafka's (skipped), c newer (applied), f new.
            delta.append(new long[] {2, 21, 200}, new long[] {3, 31, 400}, new long[] {6, 40, 500});
            model.put(3L, 31.0);
            model.put(6L, 40.0);
            await("the Delta commit", () -> holds(f.handle().table(), model)
                    && f.handle().table().olderEventsSkipped() == 3);
            // Kafka after Delta: f older (skipped) then newer (applied); c older than Delta's (skipped).
            try (KafkaProducer<String, String> p = broker.producer()) {
                KernelTable.send(p, topic, 6, 41, 450);
                KernelTable.send(p, topic, 6, 42, 550);
                KernelTable.send(p, topic, 3, 32, 350);
            }
            model.put(6L, 42.0);
            await("the later records", () -> holds(f.handle().table(), model)
                    && f.handle().table().olderEventsSkipped() == 5);
            assertTrue(BatchAndKafkaSource.kafkaOf(f).stoppedPartitions().isEmpty());
            Path tableDir = engine.store().directory().resolve(Generations.name("t",
                    engine.store().currentGeneration("t")));
            assertTrue(Files.exists(tableDir.resolve(SourcePositionFile.NAME)));
            assertTrue(Files.exists(tableDir.resolve(BatchAndKafkaSource.BATCH_POSITION)));
        }
        // A restart resumes both sources where the table is: nothing applied again (a replayed older record would
        // be counted as skipped), nothing lost.
        delta.append(new long[] {7, 70, 700});
        try (KafkaProducer<String, String> p = broker.producer()) {
            KernelTable.send(p, topic, 8, 80, 800);
        }
        model.put(7L, 70.0);
        model.put(8L, 80.0);
        try (LarderEngine engine = LarderEngine.open(dir.resolve("store"), KafkaChangeSourceTest.ingest())) {
            Follower f = follow(engine, delta.path(), topic);
            await("what both sources got while stopped", () -> holds(f.handle().table(), model));
            assertEquals(0, f.handle().table().olderEventsSkipped());
            assertEquals("t", f.handle().table().name(), "resumed, not bootstrapped again");
        }
    }

    /**
     * A batch source whose history is gone is bootstrapped again into a new generation; the topic is then applied
     * again from its earliest offsets, so a stream value newer than the new snapshot's comes back.
     */
    @Test
    void aReBootstrapReplaysTheTopicOnTopOfTheNewSnapshot() throws Exception {
        VanishingBatchSource batch = new VanishingBatchSource();
        batch.commit(new double[] {1, 1, 100}, new double[] {2, 2, 100});
        String topic = "replayed";
        broker.createTopic(topic, 1);
        try (KafkaProducer<String, String> p = broker.producer()) {
            KernelTable.send(p, topic, 1, 11, 200);
            KernelTable.send(p, topic, 3, 30, 300);
        }
        Map<Long, Double> model = new HashMap<>(Map.of(1L, 11.0, 2L, 2.0, 3L, 30.0));
        try (LarderEngine engine = LarderEngine.open(dir.resolve("store"), KafkaChangeSourceTest.ingest())) {
            Follower f = BatchAndKafkaSource.follow(engine, "t", batch,
                    new KafkaFeed(broker.bootstrap(), topic, VanishingBatchSource.SCHEMA),
                    KafkaChangeSourceTest.follow().withTableOptions(TableOptions.DEFAULT.withEventTime("ts")));
            await("the snapshot and the topic", () -> holds(f.handle().table(), model));
            batch.commit(new double[] {4, 4, 100});
            model.put(4L, 4.0);
            await("a batch version", () -> holds(f.handle().table(), model));
            // Key 1 older than the stream's value, key 3 newer; the follower cannot read this version's changes.
            synchronized (batch) {
                batch.commit(new double[] {1, 12, 150}, new double[] {3, 31, 400});
                batch.dropHistory();
            }
            model.put(3L, 31.0);
            await("a new generation from the snapshot, the topic replayed on it", () ->
                    !f.handle().table().name().equals("t") && holds(f.handle().table(), model)
                    && f.handle().table().olderEventsSkipped() == 1);
            // Both sources go on from there.
            batch.commit(new double[] {5, 5, 100});
            try (KafkaProducer<String, String> p = broker.producer()) {
                KernelTable.send(p, topic, 2, 22, 500);
            }
            model.put(5L, 5.0);
            model.put(2L, 22.0);
            await("later versions of both", () -> holds(f.handle().table(), model));
            // A batch delete happens at its commit time (about 10^6 µs): older than key 6's stream value, newer
            // than key 5's.
            try (KafkaProducer<String, String> p = broker.producer()) {
                KernelTable.send(p, topic, 6, 60, 1_000_000_000_000L);
            }
            model.put(6L, 60.0);
            await("key 6", () -> holds(f.handle().table(), model));
            batch.commit(new double[] {5, Double.NaN, 0}, new double[] {6, Double.NaN, 0});
            model.remove(5L);
            await("the delete of key 5, not of key 6", () -> holds(f.handle().table(), model)
                    && f.handle().table().olderEventsSkipped() == 2);
        }
    }

    @Test
    void aTableFedByBothNeedsAnEventTimeColumn() throws Exception {
        KernelTable delta = createDelta();
        delta.append(new long[] {1, 1, 100});
        try (LarderEngine engine = LarderEngine.open(dir.resolve("store"), KafkaChangeSourceTest.ingest())) {
            DeltaChangeSource batch = new DeltaChangeSource(DeltaSource.open(delta.path()), List.of("id"),
                    64, ScanProgress.NONE);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BatchAndKafkaSource
                    .follow(engine, "t", batch, new KafkaFeed(broker.bootstrap(), "none", batch.schema()),
                            KafkaChangeSourceTest.follow()));
            assertTrue(e.getMessage().contains("must name an event-time column"), e.getMessage());
        }
    }
}
