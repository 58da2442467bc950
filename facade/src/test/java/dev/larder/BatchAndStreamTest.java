package dev.larder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.kafka.KafkaBroker;
import dev.larder.kafka.KernelTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Delta table (written with Kernel: {@code id bigint, value double, ts timestamp}) with a Kafka topic's updates on
 * top, through the builder ({@link Source#stream}) and a definition file ({@code stream:}, {@code event_time:}): the
 * newer event wins whichever source it came from and whichever arrived first; and the refusals of a stream without a
 * sound event-time column. A real broker (KRaft, child JVM on loopback).
 */
class BatchAndStreamTest {
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

    private static void await(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "waited 60 s for " + what);
            Thread.sleep(50);
        }
    }

    /** Whether table {@code name} holds exactly {@code model} among keys 0..9. */
    private static boolean holds(Larder larder, String name, Map<Long, Double> model) {
        Reader r = larder.table(name).newReader();
        for (long k = 0; k < 10; k++) {
            ReadStatus st = r.get(k);
            if (model.containsKey(k)
                    ? st != ReadStatus.FOUND || r.getDouble("value", Double.NaN) != model.get(k)
                    : st != ReadStatus.NOT_FOUND) {
                return false;
            }
        }
        return larder.table(name).size() == model.size();
    }

    /**
     * Drives one table through both sources in both orders: Delta's snapshot with Kafka records older and newer than
     * its rows, then a Delta commit older and newer than Kafka's values, then Kafka records after that commit.
     */
    private static void newerEventWins(Larder larder, String name, KernelTable delta, String topic)
            throws Exception {
        Map<Long, Double> model = new HashMap<>(Map.of(1L, 11.0, 2L, 20.0, 3L, 30.0, 4L, 4.0));
        await("the snapshot, then the topic", () -> holds(larder, name, model));
        // Delta now: key 2 older than Kafka's (skipped), key 3 newer (applied), key 6 new.
        delta.append(new long[] {2, 21, 200}, new long[] {3, 31, 400}, new long[] {6, 40, 500});
        model.put(3L, 31.0);
        model.put(6L, 40.0);
        await("the Delta commit", () -> holds(larder, name, model));
        // Kafka after Delta: key 6 older (skipped) then newer (applied); key 3 older than Delta's (skipped).
        try (KafkaProducer<String, String> p = broker.producer()) {
            KernelTable.send(p, topic, 6, 41, 450);
            KernelTable.send(p, topic, 6, 42, 550);
            KernelTable.send(p, topic, 3, 32, 350);
        }
        model.put(6L, 42.0);
        await("the later records", () -> holds(larder, name, model));
    }

    /** A Delta table of keys 1, 4 (newer than the tombstone to come) and 5 (older), and a topic of updates. */
    private KernelTable prepare(String topic) throws Exception {
        KernelTable delta = new KernelTable(dir.resolve("delta-" + topic));
        delta.append(new long[] {1, 1, 100}, new long[] {4, 4, 5_000_000}, new long[] {5, 5, 100});
        broker.createTopic(topic, 1);
        try (KafkaProducer<String, String> p = broker.producer()) {
            KernelTable.send(p, topic, 1, 10, 50);      // older than Delta's row: skipped
            KernelTable.send(p, topic, 1, 11, 150);     // newer: applied
            KernelTable.send(p, topic, 2, 20, 300);     // a key Delta adds later with an older event
            KernelTable.send(p, topic, 3, 30, 100);     // a key Delta adds later with a newer event
            KernelTable.tombstone(p, topic, 4);         // older than the row: skipped
            KernelTable.tombstone(p, topic, 5);         // newer: deletes
        }
        return delta;
    }

    @Test
    void theBuilderFollowsDeltaWithAStreamOnTopAndShowsAStoppedPartition() throws Exception {
        KernelTable delta = prepare("built");
        Source source = Source.delta(delta.path()).key("id")
                .stream(Source.kafka(broker.bootstrap(), "built").setting("client.id", "larder-stream-test"))
                .eventTime("ts");
        try (Larder larder = Larder.builder(dir.resolve("store")).pollInterval(Duration.ofMillis(50))
                .follow("trips", source).open()) {
            newerEventWins(larder, "trips", delta, "built");
            TableStatus st = larder.table("trips").status();
            assertEquals(TableStatus.State.FOLLOWING, st.state());
            assertTrue(st.healthy() && st.stoppedParts().isEmpty(), st.toString());
            try (KafkaProducer<String, String> p = broker.producer()) {
                p.send(new ProducerRecord<>("built", 0, "7", "{\"value\": \"many\", \"ts\": 900}")).get();
            }
            Table t = larder.table("trips");
            await("the stopped partition in the status", () -> !t.status().stoppedParts().isEmpty());
            String stopped = t.status().stoppedParts().get(0);
            assertTrue(stopped.startsWith("Kafka topic built partition 0 offset 9: "), stopped);
            // The Delta side goes on past the stopped partition.
            delta.append(new long[] {8, 80, 800});
            await("the Delta commit after the stop", () -> t.newReader().get(8L) == ReadStatus.FOUND);
        }
    }

    @Test
    void aDefinitionFollowsDeltaWithAStreamOnTop() throws Exception {
        KernelTable delta = prepare("defined");
        Path file = dir.resolve("features.yaml");
        Files.writeString(file, String.join("\n",
                "store: " + dir.resolve("store"),
                "poll_interval: 50ms",
                "tables:",
                "  trips:",
                "    delta: " + delta.path(),
                "    key: id",
                "    stream:",
                "      kafka: {bootstrap: '" + broker.bootstrap() + "', topic: defined}",
                "      settings: {client.id: larder-stream-definition-test}",
                "    event_time: ts",
                "vectors:",
                "  ranker: [trips.value]",
                ""));
        try (Larder larder = Definition.read(file).open()) {
            newerEventWins(larder, "trips", delta, "defined");
            double[] out = new double[1];
            ReadStatus[] statuses = new ReadStatus[1];
            larder.vector("ranker").newFiller().fill(6L, out, statuses);
            assertEquals(ReadStatus.FOUND, statuses[0]);
            assertEquals(42.0, out[0]);
        }
    }

    /** Resuming a table with a stream added would leave it without the event time that orders the two sources. */
    @Test
    void aTableHeldFromDeltaAloneIsNotResumedWithAStream() throws Exception {
        KernelTable delta = prepare("added");
        Path store = dir.resolve("store");
        try (Larder larder = Larder.builder(store).pollInterval(Duration.ofMillis(50))
                .follow("trips", Source.delta(delta.path()).key("id")).open()) {
            await("the snapshot", () -> larder.table("trips").newReader().get(4L) == ReadStatus.FOUND);
        }
        Larder.Builder b = Larder.builder(store).follow("trips", Source.delta(delta.path()).key("id")
                .stream(Source.kafka(broker.bootstrap(), "added")).eventTime("ts"));
        IllegalStateException e = assertThrows(IllegalStateException.class, b::open);
        assertTrue(e.getMessage().startsWith("table trips (trips) follows source ")
                && e.getMessage().contains("+kafka-topic:added ("),
                e.getMessage());
        try (Larder larder = Larder.builder(store).follow("trips", Source.delta(delta.path()).key("id")).open()) {
            assertEquals(ReadStatus.FOUND, larder.table("trips").newReader().get(5L), "nothing was changed");
        }
    }

    private List<String> refused(String... lines) throws Exception {
        Path store = dir.resolve("store");
        Path file = dir.resolve("refused.yaml");
        Files.writeString(file, "store: " + store + "\ntables:\n" + String.join("\n", lines) + "\n");
        DefinitionException e = assertThrows(DefinitionException.class, () -> Definition.read(file).open());
        assertTrue(Files.notExists(store), "nothing is created: " + e.problems());
        return e.problems().stream().map(p -> p.substring(file.toString().length() + 1)).toList();
    }

    @Test
    void aStreamNeedsASoundEventTimeColumn() throws Exception {
        KernelTable delta = new KernelTable(dir.resolve("delta"));
        String stream = "    stream: {kafka: {bootstrap: '" + broker.bootstrap() + "', topic: refused}}";
        String from = "table trips from " + delta.path() + ": ";
        assertEquals(List.of("7: " + from + "event-time column value is float64; it must be timestamp, timestamp_ntz"
                + " or int64"), refused("  trips:", "    delta: " + delta.path(), "    key: id", stream,
                "    event_time: value"));
        assertEquals(List.of("7: " + from + "event-time column id is a key column"),
                refused("  trips:", "    delta: " + delta.path(), "    key: id", stream, "    event_time: id"));
        assertEquals(List.of("7: " + from + "event-time column when is not a column of the table (columns: [id,"
                + " value, ts])"), refused("  trips:", "    delta: " + delta.path(), "    key: id", stream,
                "    event_time: when"));
        assertEquals(List.of("6: table trips: a stream on top of a Delta table needs 'event_time: COLUMN', the column"
                + " that orders the two sources"), refused("  trips:", "    delta: " + delta.path(), "    key: id",
                stream));
        assertEquals(List.of("6: table trips: event_time orders a stream applied on top of a Delta table, and none is"
                + " given (stream: {kafka: {bootstrap: HOST:PORT, topic: T}})"),
                refused("  trips:", "    delta: " + delta.path(), "    key: id", "    event_time: ts"));
        assertEquals(List.of("7: table trips: a stream takes no schema: the table's columns are its Delta table's"),
                refused("  trips:", "    delta: " + delta.path(), "    key: id", "    stream:",
                        "      kafka: {bootstrap: x, topic: t, schema: 'id int64, value float64'}",
                        "    event_time: ts"));

        Source kafka = Source.kafka(broker.bootstrap(), "refused");
        Larder.Builder b = Larder.builder(dir.resolve("store"))
                .follow("trips", Source.delta(delta.path()).key("id").stream(kafka).eventTime("value"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::open);
        assertEquals("table trips from " + delta.path() + " with stream kafka://" + broker.bootstrap()
                + "/refused: event-time column value is float64; it must be timestamp, timestamp_ntz or int64",
                e.getMessage());
        b = Larder.builder(dir.resolve("store")).follow("trips", Source.delta(delta.path()).key("id").stream(kafka));
        e = assertThrows(IllegalArgumentException.class, b::open);
        assertTrue(e.getMessage().endsWith(": name the event-time column that orders the two sources"
                + " (eventTime(COLUMN), event_time: COLUMN)"), e.getMessage());
        assertTrue(Files.notExists(dir.resolve("store")));
        e = assertThrows(IllegalArgumentException.class, () -> Source.delta(delta.path()).key("id")
                .stream(kafka.schema("id int64, value float64")));
        assertTrue(e.getMessage().endsWith(" takes no schema: the table's columns are the Delta table's"),
                e.getMessage());
        IllegalStateException onKafka = assertThrows(IllegalStateException.class, () -> kafka.eventTime("ts"));
        assertTrue(onKafka.getMessage().startsWith("source kafka://" + broker.bootstrap() + "/refused: an event-time"
                + " column orders a Kafka stream"), onKafka.getMessage());
    }
}
