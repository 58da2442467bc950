package dev.larder.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.store.FeatureStore;
import dev.larder.store.FeatureTable;
import dev.larder.store.Lineage;
import dev.larder.store.ReadStatus;
import dev.larder.store.RowBuffer;
import dev.larder.store.TableOptions;
import dev.larder.store.TableReader;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One feeder per table, and pushes the table could only lose (a key never set, a version already ended, a table
 * stopped by a failed change) refused at their own call with nothing enqueued.
 */
class PushRefusalTest {
    @TempDir
    Path dir;

    private static RowBuffer row(RowBuffer row, long id, double x) {
        FakeSource.fill(row.clear(), id, x, "t" + id);
        return row;
    }

    @Test
    void followRefusesAnApplicationFedTableBeforeAndAfterItsFirstVersion() {
        FakeSource src = new FakeSource("delta-1");
        src.commit(FakeSource.Change.put(1, 9.0));
        try (LarderEngine larder = LarderEngine.open(dir, TestSupport.options())) {
            TableHandle fresh = larder.createTable("fresh", FakeSource.SCHEMA, TableOptions.DEFAULT);
            TableHandle clicks = larder.createTable("clicks", FakeSource.SCHEMA, TableOptions.DEFAULT);
            larder.upsert(clicks, row(clicks.table().newRow(), 7, 0.5), 1, 1000);
            larder.endVersion(clicks, 1, 1000);
            larder.flush();
            assertEquals(Lineage.APPLICATION_ID, fresh.lineage().sourceId(), "recorded from creation on");
        }
        try (LarderEngine larder = LarderEngine.open(dir, TestSupport.options())) {
            for (String table : new String[] {"clicks", "fresh"}) {
                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> larder.follow(table, src, TestSupport.fastFollow()));
                assertTrue(e.getMessage().contains("table " + table + " in " + dir
                        + " is fed by the application (pushed rows)")
                        && e.getMessage().contains("Delta table mem://delta-1 cannot feed it too"), e.getMessage());
            }
            TableHandle clicks = larder.table("clicks");
            assertEquals(1, clicks.lineage().version());
            assertEquals(Lineage.APPLICATION_ID, clicks.lineage().sourceId());
            TableReader r = clicks.table().newReader();
            assertEquals(ReadStatus.FOUND, r.get(7));
            assertEquals(ReadStatus.NOT_FOUND, r.get(1), "the source's row did not reach the pushed table");
            assertTrue(larder.store().exists("fresh"), "a pushed table without a version is not dropped as unfinished");
        }
    }

    @Test
    void aFollowedTableRefusesPushes() throws Exception {
        FakeSource src = new FakeSource("delta-1");
        src.commit(FakeSource.Change.put(1, 9.0));
        try (LarderEngine larder = LarderEngine.open(dir, TestSupport.options())) {
            Follower f = larder.follow("users", src, TestSupport.fastFollow());
            TestSupport.await("bootstrap", () -> f.handle().lineage().version() == 0);
            IllegalStateException live = assertThrows(IllegalStateException.class,
                    () -> larder.upsert(f.handle(), row(f.handle().table().newRow(), 2, 1.0), 5, 5000));
            assertTrue(live.getMessage().contains("table users is fed by Delta table mem://delta-1"),
                    live.getMessage());
        }
        try (LarderEngine larder = LarderEngine.open(dir, TestSupport.options())) {
            IllegalStateException declared = assertThrows(IllegalStateException.class,
                    () -> larder.pushTable("users", FakeSource.SCHEMA, TableOptions.DEFAULT));
            assertTrue(declared.getMessage().contains("table users in " + dir + " is fed by Delta table mem://delta-1;"
                    + " a table has one feeder, so the application (pushed rows) cannot feed it too"),
                    declared.getMessage());
            TableHandle served = larder.table("users");
            RowBuffer r = row(served.table().newRow(), 2, 1.0);
            assertThrows(IllegalStateException.class, () -> larder.upsert(served, r, 9, 9000));
            assertThrows(IllegalStateException.class, () -> larder.tryUpsert(served, r, 9, 9000));
            assertThrows(IllegalStateException.class, () -> larder.endVersion(served, 9, 9000));
            assertEquals(0, served.lineage().version(), "the watermark stays the source's");
        }
    }

    /**
     * A follow stopped in its bootstrap (its source fails part way, as a kill would cut it) leaves a table without a
     * version: the application must not adopt it and serve the half-loaded rows as its own.
     */
    @Test
    void anUnfinishedBootstrapIsNotAdoptedByTheApplication() throws Exception {
        FakeSource src = new FakeSource("delta-1");
        src.commit(FakeSource.Change.put(1, 9.0), FakeSource.Change.put(2, 8.0));
        ChangeSource cutShort = new ChangeSource() {
            @Override
            public String id() {
                return src.id();
            }

            @Override
            public String path() {
                return src.path();
            }

            @Override
            public dev.larder.store.FeatureSchema schema() {
                return src.schema();
            }

            @Override
            public long latestVersion() {
                return src.latestVersion();
            }

            @Override
            public void bootstrap(long version, ChangeSink sink) {
                sink.begin(version, 1000);
                sink.upsert(row(sink.row(), 1, 9.0));
                throw new IllegalStateException("bootstrap cut short");
            }

            @Override
            public void changes(long afterVersion, long upToVersion, ChangeSink sink) {
                throw new UnsupportedOperationException();
            }
        };
        try (LarderEngine larder = LarderEngine.open(dir, TestSupport.options())) {
            Follower f = larder.follow("users", cutShort, TestSupport.fastFollow());
            TestSupport.await("a failed bootstrap", () -> f.failureCount() > 0);
        }
        try (LarderEngine larder = LarderEngine.open(dir, TestSupport.options())) {
            assertEquals(-1, larder.store().metadata("users").lineage().version(), "the bootstrap did not finish");
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> larder.pushTable("users", FakeSource.SCHEMA, TableOptions.DEFAULT));
            assertTrue(e.getMessage().contains("table users in " + dir + " is fed by Delta table mem://delta-1;"
                    + " a table has one feeder"), e.getMessage());
            Follower f = larder.follow("users", src, TestSupport.fastFollow());
            TestSupport.await("the bootstrap finished", () -> f.handle().lineage().version() == 0);
            TestSupport.assertMatches(f.handle().table(), src.state(0));
        }
    }

    /** A table created with no feeder (before loads recorded theirs) and never given a version is no pushed table. */
    @Test
    void aTableWithNeitherFeederNorVersionIsNotAdoptedByTheApplication() {
        try (FeatureStore store = FeatureStore.open(dir)) {
            store.create("old", FakeSource.SCHEMA, TableOptions.DEFAULT);
        }
        try (LarderEngine larder = LarderEngine.open(dir, TestSupport.options())) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> larder.pushTable("old", FakeSource.SCHEMA, TableOptions.DEFAULT));
            assertEquals("table old in " + dir + " records no feeder and no version: an unfinished load or bootstrap;"
                    + " finish it with the same command, or drop it", e.getMessage());
        }
    }

    @Test
    void versionsAtOrBelowTheNewestEndedAreRefusedEvenBeforeTheWriterAppliesThem() throws Exception {
        IngestOptions opts = TestSupport.options().withSyncPolicy(SyncPolicy.EVERY_VERSION);
        try (LarderEngine larder = LarderEngine.open(dir, opts)) {
            TableHandle t = larder.createTable("app", FakeSource.SCHEMA, TableOptions.DEFAULT);
            RowBuffer row = t.table().newRow();
            larder.upsert(t, row(row, 1, 1.0), 1, 1000);
            larder.endVersion(t, 1, 1000);
            assertTrue(t.awaitDurable(1, Duration.ofSeconds(30)));
            IllegalArgumentException atWatermark = assertThrows(IllegalArgumentException.class,
                    () -> larder.upsert(t, row(row, 2, 2.0), 1, 1000));
            assertTrue(atWatermark.getMessage().contains("table app: cannot push version 1, not above version 1,"
                    + " which is already ended (watermark 1)"), atWatermark.getMessage());
            IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                    () -> larder.delete(t, row(row, 1, 0), -4));
            assertTrue(negative.getMessage().contains("cannot push version -4, versions are not negative"),
                    negative.getMessage());
            assertEquals(PushStatus.STALE_VERSION, larder.tryUpsert(t, row(row, 2, 2.0), 0, 0));
            assertEquals(PushStatus.STALE_VERSION, larder.tryDelete(t, row(row, 1, 0), 1));
            assertEquals(PushStatus.STALE_VERSION, larder.tryEndVersion(t, 0, 0));
            assertEquals(PushStatus.STALE_VERSION, larder.tryEndVersion(t, -1, 0));
            assertThrows(IllegalArgumentException.class, () -> larder.endVersion(t, -2, 0));

            // Holding the slot's monitor stalls the writer in its sync of version 2: versions 2 and 3 are ended by the
            // producer but not applied, and a late row of either is still refused.
            synchronized (t.slot()) {
                larder.upsert(t, row(row, 2, 2.0), 2, 2000);
                larder.endVersion(t, 2, 2000);
                larder.upsert(t, row(row, 3, 3.0), 3, 3000);
                assertEquals(PushStatus.ACCEPTED, larder.tryEndVersion(t, 3, 3000));
                assertThrows(IllegalArgumentException.class, () -> larder.upsert(t, row(row, 4, 4.0), 2, 2000));
                assertEquals(PushStatus.STALE_VERSION, larder.tryUpsert(t, row(row, 4, 4.0), 3, 3000));
                assertThrows(IllegalArgumentException.class, () -> larder.endVersion(t, 2, 2000));
                larder.endVersion(t, 3, 3000);
                larder.upsert(t, row(row, 4, 4.0), 4, 4000);
                larder.endVersion(t, 4, 4000);
            }
            larder.flush();
            assertEquals(4, t.lineage().version());
        }
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.table("app");
            assertEquals(4, t.lineage().version());
            TableReader r = t.newReader();
            for (long k = 1; k <= 4; k++) {
                assertEquals(ReadStatus.FOUND, r.get(k), "every accepted row survives the reopen, key " + k);
                assertEquals(k, r.version());
            }
            assertEquals(4, t.size(), "no refused row was applied");
        }
    }

    @Test
    void aRowOfAnEndedVersionThatReachesTheWriterStopsTheTable() throws Exception {
        try (LarderEngine larder = LarderEngine.open(dir, TestSupport.options())) {
            TableHandle t = larder.createTable("app", FakeSource.SCHEMA, TableOptions.DEFAULT);
            RowBuffer row = t.table().newRow();
            larder.upsert(t, row(row, 1, 1.0), 1, 1000);
            larder.endVersion(t, 1, 1000);
            larder.flush();
            // As a producer that checked before another ended version 1 would enqueue it.
            RowBuffer late = row(t.table().newRow(), 2, 2.0);
            byte[] record = new byte[ChangeRecordDescriptor.size(late)];
            ChangeRecordDescriptor.write(record, 0, ChangeRecordDescriptor.UPSERT, 1, 1000, late);
            larder.pipeline().publishBatch(t.slot(), record, record.length, null);
            FeedException e = assertThrows(FeedException.class, larder::flush);
            assertTrue(e.getMessage().contains("a row of version 1 arrived after version 1 had ended"), e.getMessage());
            assertEquals(ReadStatus.NOT_FOUND, t.table().newReader().get(2), "the late row is rolled back");
        }
    }

    /**
     * Producer A checks its row of version 5 (above the ended 4), producer B ends version 5 and pushes rows of version
     * 6, then A's row arrives: the writer fails the table and rolls back the applied rows of version 6, so the failure
     * names what was dropped (everything after the published 5), not version 5.
     */
    @Test
    void aRowThatRacedTheEndOfItsVersionFailsTheVersionsAfterTheWatermark() throws Exception {
        try (LarderEngine larder = LarderEngine.open(dir, TestSupport.options())) {
            TableHandle t = larder.createTable("app", FakeSource.SCHEMA, TableOptions.DEFAULT);
            RowBuffer row = t.table().newRow();
            larder.upsert(t, row(row, 1, 1.0), 4, 4000);
            larder.endVersion(t, 4, 4000);
            RowBuffer late = row(t.table().newRow(), 9, 9.0);
            byte[] record = new byte[ChangeRecordDescriptor.size(late)];
            ChangeRecordDescriptor.write(record, 0, ChangeRecordDescriptor.UPSERT, 5, 5000, late);
            larder.upsert(t, row(row, 2, 2.0), 5, 5000);
            larder.endVersion(t, 5, 5000);
            larder.upsert(t, row(row, 3, 3.0), 6, 6000);
            larder.pipeline().publishBatch(t.slot(), record, record.length, null);

            FeedException e = assertThrows(FeedException.class, larder::flush);
            assertEquals(6, e.version(), "version 5 was published; version 6 is the first one lost");
            assertTrue(e.getMessage().contains("table app is stopped: a change failed (")
                    && e.getMessage().contains("a row of version 5 arrived after version 5 had ended")
                    && e.getMessage().contains("reads stay on version 5, the changes pushed after version 5 were"
                    + " dropped, and every push is refused until resume(): push them again after it"), e.getMessage());
            assertEquals(5, t.lineage().version());
            TableReader r = t.table().newReader();
            assertEquals(ReadStatus.FOUND, r.get(2), "version 5 stays published");
            assertEquals(ReadStatus.NOT_FOUND, r.get(3), "the row of version 6 was dropped");
            assertEquals(ReadStatus.NOT_FOUND, r.get(9), "the late row was dropped");
            FeedException waited = assertThrows(FeedException.class, () -> t.awaitDurable(6, Duration.ofSeconds(30)));
            assertEquals(6, waited.version());

            larder.resume(t);
            larder.upsert(t, row(row, 3, 3.0), 6, 6000);
            larder.endVersion(t, 6, 6000);
            larder.flush();
            assertEquals(6, t.lineage().version());
            assertEquals(ReadStatus.FOUND, t.table().newReader().get(3));
        }
    }

    @Test
    void aRowWithoutItsKeyIsRefusedAtItsOwnCallAndTheTableGoesOn() throws Exception {
        try (LarderEngine larder = LarderEngine.open(dir, TestSupport.options())) {
            TableHandle t = larder.createTable("app", FakeSource.SCHEMA, TableOptions.DEFAULT);
            RowBuffer row = t.table().newRow();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> larder.upsert(t, row.clear().setDouble(1, 2.0), 1, 1000));
            assertTrue(e.getMessage().contains("table app: row refused, null value in key column 'id'"),
                    e.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> larder.tryUpsert(t, row.clear().setDouble(1, 2.0), 1, 1000));
            assertThrows(IllegalArgumentException.class, () -> larder.delete(t, row.clear(), 1));
            assertThrows(IllegalArgumentException.class, () -> larder.tryDelete(t, row.clear(), 1));
            larder.upsert(t, row(row, 1, 1.0), 1, 1000);
            larder.endVersion(t, 1, 1000);
            larder.flush();
            assertEquals(1, t.lineage().version());
            assertEquals(1, t.table().size());
            assertEquals(0, larder.metrics().failedEvents(), "nothing bad reached the writer");
        }
    }

    @Test
    void aStoppedTableFailsEveryCallUntilResumed() throws Exception {
        try (LarderEngine larder = LarderEngine.open(dir, TestSupport.options())) {
            TableHandle t = larder.createTable("app", FakeSource.SCHEMA, TableOptions.DEFAULT);
            TableHandle other = larder.createTable("other", FakeSource.SCHEMA, TableOptions.DEFAULT);
            RowBuffer row = t.table().newRow();
            larder.upsert(t, row(row, 1, 1.0), 1, 1000);
            TestSupport.enqueueKeylessRow(larder, t, 1);
            FeedException flushed = assertThrows(FeedException.class, larder::flush);
            assertTrue(flushed.getMessage().contains("table app is stopped: a change of version 1 failed")
                    && flushed.getMessage().contains("null value in key column 'id'")
                    && flushed.getMessage().contains("every push is refused until resume()"), flushed.getMessage());
            assertEquals(1, flushed.version());
            assertThrows(FeedException.class, () -> larder.upsert(t, row(row, 2, 2.0), 1, 1000));
            assertThrows(FeedException.class, () -> larder.delete(t, row(row, 1, 0), 1));
            assertThrows(FeedException.class, () -> larder.endVersion(t, 1, 1000));
            assertThrows(FeedException.class, larder::flush);
            assertEquals(PushStatus.STOPPED, larder.tryUpsert(t, row(row, 2, 2.0), 1, 1000));
            assertEquals(PushStatus.STOPPED, larder.tryEndVersion(t, 1, 1000));
            larder.upsert(other, row(other.table().newRow(), 1, 1.0), 1, 1000);
            larder.endVersion(other, 1, 1000);
            assertTrue(other.awaitDurable(1, Duration.ofSeconds(30)), "other tables go on");
            assertEquals(-1, t.lineage().version());
            assertEquals(ReadStatus.NOT_FOUND, t.table().newReader().get(1), "the failed version is rolled back");

            larder.resume(t);
            larder.upsert(t, row(row, 1, 1.0), 1, 1000);
            larder.endVersion(t, 1, 1000);
            larder.flush();
            assertEquals(1, t.lineage().version());
            assertEquals(ReadStatus.FOUND, t.table().newReader().get(1));
        }
    }
}
