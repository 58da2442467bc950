package dev.larder.ingest;

import static dev.larder.ingest.TestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.store.FeatureStore;
import dev.larder.store.FeatureTable;
import dev.larder.store.ReadStatus;
import dev.larder.store.RowBuffer;
import dev.larder.store.TableOptions;
import dev.larder.store.TableReader;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineTest {
    @TempDir
    Path dir;

    private static void put(LarderEngine larder, TableHandle t, RowBuffer row, long id, double x, long version) {
        FakeSource.fill(row.clear(), id, x, "t" + id);
        larder.upsert(t, row, version, version * 1000);
    }

    @Test
    void manyProducersThenVersionEndAndDurability() throws Exception {
        int producers = 4;
        int perProducer = 5_000;
        try (LarderEngine larder = LarderEngine.open(dir, TestSupport.options())) {
            TableHandle t = larder.createTable("app", FakeSource.SCHEMA, TableOptions.DEFAULT);
            List<Thread> threads = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                int base = p * perProducer;
                Thread th = new Thread(() -> {
                    RowBuffer row = t.table().newRow();
                    for (int i = 0; i < perProducer; i++) {
                        put(larder, t, row, base + i, base + i, 1);
                    }
                });
                threads.add(th);
                th.start();
            }
            for (Thread th : threads) {
                th.join();
            }
            larder.endVersion(t, 1, 1000);
            assertTrue(t.awaitDurable(1, Duration.ofSeconds(30)));
            assertEquals(1, t.lineage().version());
            assertEquals(1000, t.lineage().commitTimestampMillis());
            assertEquals(producers * perProducer, t.table().size());
            IngestMetricsSnapshot m = larder.metrics();
            assertEquals(producers * perProducer, m.upserts());
            assertEquals(1, m.versionsPublished());
            assertTrue(m.syncs() >= 1);
            assertTrue(m.applyLatency().getTotalCount() > 0);
        }
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.table("app");
            assertEquals(1, t.lineage().version());
            TableReader r = t.newReader();
            for (long k = 0; k < producers * perProducer; k++) {
                assertEquals(ReadStatus.FOUND, r.get(k));
                assertEquals(k, r.getDouble(1));
            }
        }
    }

    @Test
    void olderVersionNeverOverwritesNewer() throws Exception {
        try (LarderEngine larder = LarderEngine.open(dir, TestSupport.options())) {
            TableHandle t = larder.createTable("app", FakeSource.SCHEMA, TableOptions.DEFAULT);
            RowBuffer row = t.table().newRow();
            put(larder, t, row, 1, 5.0, 5);
            put(larder, t, row, 1, 3.0, 3);
            put(larder, t, row, 2, 7.0, 7);
            put(larder, t, row, 2, 7.5, 7);
            larder.delete(t, row.clear().setLong(0, 2), 6);
            larder.endVersion(t, 7, 7000);
            assertThrows(IllegalArgumentException.class, () -> larder.endVersion(t, 6, 6000), "6 after 7: refused");
            larder.flush();
            LiveReader r = new LiveReader(t);
            assertEquals(ReadStatus.FOUND, r.get(1));
            assertEquals(5.0, r.row().getDouble(1), "version 3 arrived after 5 and must not overwrite it");
            assertEquals(5, r.row().version());
            assertEquals(ReadStatus.FOUND, r.get(2), "a delete at 6 does not remove a row written at 7");
            assertEquals(7.5, r.row().getDouble(1), "an equal version replaces (idempotent re-apply)");
            assertEquals(7, t.lineage().version(), "the watermark never moves back");
        }
    }

    @Test
    void rejectingBackpressureLosesNothing() throws Exception {
        IngestOptions opts = TestSupport.options().withRingSize(8).withBackpressure(Backpressure.REJECT)
                .withSyncPolicy(SyncPolicy.EVERY_VERSION);
        int rows = 200;
        try (LarderEngine larder = LarderEngine.open(dir, opts)) {
            TableHandle t = larder.createTable("app", FakeSource.SCHEMA, TableOptions.DEFAULT);
            RowBuffer row = t.table().newRow();
            int rejected = 0;
            int next = 0;
            // Holding the slot's monitor stalls the writer inside its first sync: a writer as slow as we like.
            synchronized (t.slot()) {
                put(larder, t, row, next++, 0, 1);
                larder.endVersion(t, 1, 1000);
                while (rejected == 0) {
                    try {
                        put(larder, t, row, next, next, 2);
                        next++;
                    } catch (RingFullException e) {
                        assertTrue(e.getMessage().contains("app"), e.getMessage());
                        rejected++;
                    }
                }
                assertTrue(next <= 10, "a stalled writer leaves at most the ring's 8 slots to fill, got " + next);
            }
            while (next < rows) {
                try {
                    put(larder, t, row, next, next, 2);
                    next++;
                } catch (RingFullException e) {
                    rejected++;
                    Thread.onSpinWait();
                }
            }
            while (true) {
                try {
                    larder.endVersion(t, 2, 2000);
                    break;
                } catch (RingFullException e) {
                    Thread.onSpinWait();
                }
            }
            assertTrue(t.awaitDurable(2, Duration.ofSeconds(30)));
            assertEquals(rows, t.table().size(), "every accepted row is applied");
            assertTrue(larder.metrics().rejected() >= rejected);
            TableReader r = t.table().newReader();
            for (long k = 0; k < rows; k++) {
                assertEquals(ReadStatus.FOUND, r.get(k));
            }
        }
    }

    @Test
    void blockingBackpressureWaitsAndLosesNothing() throws Exception {
        IngestOptions opts = TestSupport.options().withRingSize(8).withSyncPolicy(SyncPolicy.EVERY_VERSION);
        int rows = 500;
        try (LarderEngine larder = LarderEngine.open(dir, opts)) {
            TableHandle t = larder.createTable("app", FakeSource.SCHEMA, TableOptions.DEFAULT);
            AtomicBoolean producerDone = new AtomicBoolean();
            AtomicReference<Throwable> producerError = new AtomicReference<>();
            Thread producer;
            synchronized (t.slot()) {
                RowBuffer first = t.table().newRow();
                put(larder, t, first, 0, 0, 1);
                larder.endVersion(t, 1, 1000);
                producer = new Thread(() -> {
                    try {
                        RowBuffer row = t.table().newRow();
                        for (int i = 1; i < rows; i++) {
                            put(larder, t, row, i, i, 2);
                        }
                        larder.endVersion(t, 2, 2000);
                        producerDone.set(true);
                    } catch (Throwable e) {
                        producerError.set(e);
                    }
                });
                producer.start();
                await("the ring to fill up", () -> larder.metricsBean().getRingOccupancy() >= 8);
                assertFalse(producerDone.get(), "the producer waits while the ring is full");
            }
            producer.join();
            assertEquals(null, producerError.get());
            assertTrue(t.awaitDurable(2, Duration.ofSeconds(30)));
            assertEquals(rows, t.table().size());
        }
    }

    @Test
    void failedChangeStopsTheTableUntilResumed() throws Exception {
        try (LarderEngine larder = LarderEngine.open(dir, TestSupport.options())) {
            TableHandle t = larder.createTable("app", FakeSource.SCHEMA, TableOptions.DEFAULT);
            TableHandle other = larder.createTable("other", FakeSource.SCHEMA, TableOptions.DEFAULT);
            RowBuffer row = t.table().newRow();
            put(larder, t, row, 1, 1, 1);
            TestSupport.enqueueKeylessRow(larder, t, 1);
            put(larder, other, other.table().newRow(), 1, 1, 1);
            larder.endVersion(other, 1, 1000);
            FeedException e = assertThrows(FeedException.class, () -> t.awaitDurable(1, Duration.ofSeconds(30)));
            assertTrue(e.getMessage().contains("null value in key column 'id'"), e.getMessage());
            assertEquals(1, e.version());
            assertEquals(-1, t.lineage().version(), "a version with a failed change is not published");
            assertTrue(other.awaitDurable(1, Duration.ofSeconds(30)), "other tables go on");
            larder.resume(t);
            put(larder, t, row, 3, 3, 1);
            larder.endVersion(t, 1, 1000);
            assertTrue(t.awaitDurable(1, Duration.ofSeconds(30)));
            assertEquals(1, larder.metrics().failedEvents());
        }
    }

    @Test
    void rowOfAnotherSchemaIsRefusedAtOnce() throws Exception {
        try (LarderEngine larder = LarderEngine.open(dir, TestSupport.options())) {
            TableHandle t = larder.createTable("app", FakeSource.SCHEMA, TableOptions.DEFAULT);
            RowBuffer foreign = new RowBuffer(WriterThroughput.schema());
            assertThrows(IllegalArgumentException.class, () -> larder.upsert(t, foreign.setLong(0, 1), 1, 1));
            RowBuffer equal = new RowBuffer(dev.larder.store.FeatureSchema.builder()
                    .keyColumn("id", dev.larder.store.ColumnType.INT64)
                    .column("x", dev.larder.store.ColumnType.FLOAT64)
                    .add(dev.larder.store.Column.variable("tag", dev.larder.store.ColumnType.STRING, true, 16))
                    .build());
            larder.upsert(t, equal.setLong(0, 1).setDouble(1, 1.5), 1, 1);
            larder.flush();
            assertEquals(1, t.table().size());
        }
    }

    @Test
    void metricsAreExposedThroughJmx() throws Exception {
        try (LarderEngine larder = LarderEngine.open(dir, TestSupport.options().withJmx(true))) {
            TableHandle t = larder.createTable("app", FakeSource.SCHEMA, TableOptions.DEFAULT);
            RowBuffer row = t.table().newRow();
            for (int i = 0; i < 100; i++) {
                put(larder, t, row, i, i, 1);
            }
            larder.endVersion(t, 1, 1000);
            larder.flush();
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            ObjectName name = server.queryNames(new ObjectName("dev.larder:type=Ingest,*"), null).stream()
                    .filter(n -> n.getKeyProperty("store").contains(dir.getFileName().toString()))
                    .findFirst().orElseThrow();
            assertEquals(100L, server.getAttribute(name, "Upserts"));
            assertEquals(1024L, server.getAttribute(name, "RingCapacity"));
            assertEquals(0, ((String[]) server.getAttribute(name, "UnhealthyTables")).length);
            IngestMetricsSnapshot m = larder.metrics();
            assertEquals(100, m.upserts());
            assertTrue(m.eventsApplied() >= 101);

            LiveReader reader = new LiveReader(t, 1);
            for (int i = 0; i < 50; i++) {
                reader.get(i);
            }
            ObjectName table = server.queryNames(new ObjectName("dev.larder:type=Table,*"), null).stream()
                    .filter(n -> n.getKeyProperty("store").contains(dir.getFileName().toString()))
                    .findFirst().orElseThrow();
            assertEquals("\"app\"", table.getKeyProperty("table"));
            assertEquals(100L, server.getAttribute(table, "Rows"));
            assertEquals(1L, server.getAttribute(table, "WatermarkVersion"));
            assertEquals(50L, server.getAttribute(table, "Lookups"));
            assertTrue((Long) server.getAttribute(table, "LookupLatencyP99Nanos") > 0);
        }
        assertTrue(ManagementFactory.getPlatformMBeanServer().queryNames(new ObjectName("dev.larder:type=*,*"), null)
                .stream()
                .noneMatch(n -> n.getKeyProperty("store") != null
                        && n.getKeyProperty("store").contains(dir.getFileName().toString())),
                "unregistered on close");
    }
}
