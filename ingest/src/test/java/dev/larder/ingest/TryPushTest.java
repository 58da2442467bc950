package dev.larder.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.store.ReadStatus;
import dev.larder.store.RowBuffer;
import dev.larder.store.TableOptions;
import dev.larder.store.TableReader;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TryPushTest {
    @TempDir
    Path dir;

    private static PushStatus tryPut(LarderEngine larder, TableHandle t, RowBuffer row, long id, long version) {
        FakeSource.fill(row.clear(), id, id * 0.5, "t" + id);
        return larder.tryUpsert(t, row, version, version * 1000);
    }

    /** Blocking backpressure, so a try that waited instead of answering RING_FULL would hang here. */
    @Test
    void fullRingIsAStatusNotAnExceptionAndAcceptedRowsAreApplied() throws Exception {
        IngestOptions opts = TestSupport.options().withRingSize(8).withSyncPolicy(SyncPolicy.EVERY_VERSION);
        int rows = 100;
        try (LarderEngine larder = LarderEngine.open(dir, opts)) {
            TableHandle t = larder.createTable("app", FakeSource.SCHEMA, TableOptions.DEFAULT);
            RowBuffer row = t.table().newRow();
            int accepted = 0;
            // Holding the slot's monitor stalls the writer inside its first sync, so the ring fills and stays full.
            synchronized (t.slot()) {
                assertEquals(PushStatus.ACCEPTED, tryPut(larder, t, row, accepted++, 1));
                assertEquals(PushStatus.ACCEPTED, larder.tryEndVersion(t, 1, 1000));
                // Fill the ring only once the writer has taken version 1's events and waits for the monitor, else
                // it frees their slots after the fill and the pushes below find room.
                awaitWriterBlocked();
                PushStatus status;
                while ((status = tryPut(larder, t, row, accepted, 2)) == PushStatus.ACCEPTED) {
                    accepted++;
                }
                assertEquals(PushStatus.RING_FULL, status);
                assertTrue(accepted <= 8, "a stalled writer leaves at most the ring's 8 slots, got " + accepted);
                assertEquals(PushStatus.RING_FULL, larder.tryDelete(t, row.clear().setLong(0, 0), 2));
                assertEquals(PushStatus.RING_FULL, larder.tryEndVersion(t, 2, 2000));
                // The counter alone: a full snapshot would wait for the stalled writer to finish its batch.
                assertEquals(3, larder.metricsBean().getRejected());
            }
            while (accepted < rows) {
                if (tryPut(larder, t, row, accepted, 2) == PushStatus.ACCEPTED) {
                    accepted++;
                } else {
                    Thread.onSpinWait();
                }
            }
            while (larder.tryDelete(t, row.clear().setLong(0, 0), 2) != PushStatus.ACCEPTED) {
                Thread.onSpinWait();
            }
            while (larder.tryEndVersion(t, 2, 2000) != PushStatus.ACCEPTED) {
                Thread.onSpinWait();
            }
            assertTrue(t.awaitDurable(2, Duration.ofSeconds(30)));
            assertEquals(2, t.lineage().version());
            TableReader r = t.table().newReader();
            assertEquals(ReadStatus.NOT_FOUND, r.get(0), "the accepted delete of version 2 is applied");
            for (long k = 1; k < rows; k++) {
                assertEquals(ReadStatus.FOUND, r.get(k), "key " + k);
                assertEquals(k * 0.5, r.getDouble(1));
                assertEquals("t" + k, r.getString(2));
            }
            assertEquals(rows - 1, t.table().size());
        }
    }

    private static void awaitWriterBlocked() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            for (Thread th : Thread.getAllStackTraces().keySet()) {
                if (th.getName().equals("larder-ingest-writer") && th.getState() == Thread.State.BLOCKED) {
                    return;
                }
            }
            Thread.sleep(1);
        }
        throw new AssertionError("the writer never blocked in version 1's sync");
    }

    @Test
    void stoppedTableRefusesUntilResumed() throws Exception {
        try (LarderEngine larder = LarderEngine.open(dir, TestSupport.options())) {
            TableHandle t = larder.createTable("app", FakeSource.SCHEMA, TableOptions.DEFAULT);
            RowBuffer row = t.table().newRow();
            TestSupport.enqueueKeylessRow(larder, t, 1);
            assertThrows(FeedException.class, () -> t.awaitDurable(1, Duration.ofSeconds(30)));
            assertEquals(PushStatus.STOPPED, tryPut(larder, t, row, 1, 1));
            assertEquals(PushStatus.STOPPED, larder.tryDelete(t, row.clear().setLong(0, 1), 1));
            assertEquals(PushStatus.STOPPED, larder.tryEndVersion(t, 1, 1000));
            larder.resume(t);
            assertEquals(PushStatus.ACCEPTED, tryPut(larder, t, row, 1, 1));
            assertEquals(PushStatus.ACCEPTED, larder.tryEndVersion(t, 1, 1000));
            assertTrue(t.awaitDurable(1, Duration.ofSeconds(30)));
            assertEquals(ReadStatus.FOUND, t.table().newReader().get(1));
        }
    }

    @Test
    void closedLarderIsAStatus() {
        LarderEngine larder = LarderEngine.open(dir, TestSupport.options());
        TableHandle t = larder.createTable("app", FakeSource.SCHEMA, TableOptions.DEFAULT);
        RowBuffer row = t.table().newRow();
        larder.close();
        assertEquals(PushStatus.CLOSED, tryPut(larder, t, row, 1, 1));
        assertEquals(PushStatus.CLOSED, larder.tryDelete(t, row.clear().setLong(0, 1), 1));
        assertEquals(PushStatus.CLOSED, larder.tryEndVersion(t, 1, 1000));
    }

    @Test
    void rowOfAnotherSchemaStillThrows() {
        try (LarderEngine larder = LarderEngine.open(dir, TestSupport.options())) {
            TableHandle t = larder.createTable("app", FakeSource.SCHEMA, TableOptions.DEFAULT);
            RowBuffer foreign = new RowBuffer(WriterThroughput.schema());
            assertThrows(IllegalArgumentException.class, () -> larder.tryUpsert(t, foreign.setLong(0, 1), 1, 1));
        }
    }
}
