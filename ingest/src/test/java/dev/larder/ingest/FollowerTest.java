package dev.larder.ingest;

import dev.larder.store.FeatureStore;
import dev.larder.store.FeatureTable;
import dev.larder.store.Lineage;
import dev.larder.store.ReadStatus;
import dev.larder.store.TableOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.larder.ingest.FakeSource.Change.del;
import static dev.larder.ingest.FakeSource.Change.put;
import static dev.larder.ingest.TestSupport.assertMatches;
import static dev.larder.ingest.TestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FollowerTest {
    @TempDir
    Path dir;

    private static FakeSource sourceWithHistory(String id) {
        FakeSource s = new FakeSource(id);
        s.commit(put(1, 1.0), put(2, 2.0), put(3, 3.0));
        s.commit(put(2, 2.5), del(3), put(4, 4.0));
        s.commit(put(5, 5.0), put(6, 6.0));
        return s;
    }

    @Test
    void bootstrapsThenTailsInOrder() throws Exception {
        FakeSource src = sourceWithHistory("a");
        try (LarderEngine larder = LarderEngine.open(dir, TestSupport.options())) {
            Follower f = larder.follow("t", src, TestSupport.fastFollow());
            TableHandle h = f.handle();
            await("bootstrap", () -> h.lineage().version() == 2);
            assertMatches(h.table(), src.state(2));
            assertEquals(1, src.bootstraps.get());
            src.commit(put(1, 10.0), del(2));
            src.commit(put(7, 7.0), put(1, 11.0));
            await("tail", () -> h.lineage().version() == 4);
            assertMatches(h.table(), src.state(4));
            assertEquals("a", h.lineage().sourceId());
            assertEquals("mem://a", h.lineage().sourcePath());
            assertEquals(src.timestamp(4), h.lineage().commitTimestampMillis());
            LiveReader r = new LiveReader(h);
            assertEquals(ReadStatus.FOUND, r.get(1));
            assertEquals(4, r.row().version(), "a row carries the version that wrote it");
            assertTrue(h.awaitDurable(4, Duration.ofSeconds(30)));
        }
    }

    @Test
    void statusReportsWhereTheLastAppliedCommitsTimeWent() throws Exception {
        FakeSource src = sourceWithHistory("a");
        try (LarderEngine larder = LarderEngine.open(dir, TestSupport.options())) {
            Follower f = larder.follow("t", src, TestSupport.fastFollow());
            await("bootstrap", () -> f.handle().lineage().version() == 2);
            assertNull(f.status().lastApply(), "a bootstrap is no applied commit");
            src.commit(put(1, 10.0), del(2));
            await("tail", () -> f.status().lastApply() != null && f.status().lastApply().version() == 3);
            ApplyLag a = f.status().lastApply();
            assertEquals(1, a.versions());
            assertEquals(src.timestamp(3), a.commitTimestampMillis());
            for (Duration d : List.of(a.lag(), a.pollDelay(), a.check(), a.log(), a.read(), a.apply())) {
                assertFalse(d.isNegative(), a.toString());
            }
            assertTrue(a.toString().startsWith("v3 visible "), a.toString());
        }
    }

    @Test
    void keyChangingUpdateIsDeleteOfOldKeyPlusInsertOfNew() throws Exception {
        FakeSource src = sourceWithHistory("a");
        try (LarderEngine larder = LarderEngine.open(dir, TestSupport.options())) {
            TableHandle h = larder.follow("t", src, TestSupport.fastFollow()).handle();
            await("bootstrap", () -> h.lineage().version() == 2);
            src.commit(del(1), new FakeSource.Change(101, 1.0, "t1", false));
            await("key change", () -> h.lineage().version() == 3);
            LiveReader r = new LiveReader(h);
            assertEquals(ReadStatus.NOT_FOUND, r.get(1));
            assertEquals(ReadStatus.FOUND, r.get(101));
            assertEquals(1.0, r.row().getDouble(1));
            assertMatches(h.table(), src.state(3));
        }
    }

    @Test
    void exactlyOnceAcrossRestartsBetweenAndInsideCommits() throws Exception {
        FakeSource src = sourceWithHistory("a");
        // First run: stop between commits.
        try (LarderEngine larder = LarderEngine.open(dir, TestSupport.options())) {
            TableHandle h = larder.follow("t", src, TestSupport.fastFollow()).handle();
            await("bootstrap", () -> h.lineage().version() == 2);
            src.commit(put(1, 10.0), put(8, 8.0));
            await("v3", () -> h.lineage().version() == 3);
        }
        try (FeatureStore store = FeatureStore.open(dir)) {
            assertEquals(3, store.table("t").lineage().version(), "watermark durable at close");
            assertMatches(store.table("t"), src.state(3));
        }
        src.commit(put(9, 9.0), del(8));
        src.commit(put(2, 20.0), put(3, 30.0), del(9), put(10, 10.0));
        CountDownLatch paused = src.pauseAt(5, 2);
        // Second run: resumes at 4, stops inside version 5 after two of its changes were applied (no commit staging).
        try (LarderEngine larder = LarderEngine.open(dir, TestSupport.options())) {
            TableHandle h = larder.follow("t", src, TestSupport.fastFollow().withCommitStageBytes(0)).handle();
            assertTrue(paused.await(30, TimeUnit.SECONDS));
            await("v4", () -> h.lineage().version() == 4);
        }
        try (FeatureStore store = FeatureStore.open(dir)) {
            FeatureTable t = store.table("t");
            assertEquals(4, t.lineage().version(), "a version stopped half way is not covered by the watermark");
            // Two changes of version 5 had been applied when the follower stopped: closing took them back.
            assertMatches(t, src.state(4));
        }
        src.release();
        // Third run: a source failing in the middle of version 6 once; the follower retries and recovers.
        src.commit(put(11, 11.0), del(10), put(12, 12.0));
        src.failAt(6, 1, 1);
        try (LarderEngine larder = LarderEngine.open(dir, TestSupport.options())) {
            TableHandle h = larder.follow("t", src, TestSupport.fastFollow()).handle();
            await("v6", () -> h.lineage().version() == 6);
            assertMatches(h.table(), src.state(6));
        }
        assertEquals(1, src.bootstraps.get(), "restarts resume from the watermark instead of bootstrapping");
        assertEquals(List.of(2L, 3L, 4L, 5L), src.changeCallsAfter,
                "every read of changes starts right after the watermark (after the failure at 6: again after 5)");
        try (FeatureStore store = FeatureStore.open(dir)) {
            assertEquals(6, store.table("t").lineage().version());
            assertMatches(store.table("t"), src.state(6));
        }
    }

    /** A commit that fails after part of it reached the table (no staging) leaves nothing of it for readers. */
    @Test
    void aCommitFailingMidwayIsRolledBackBeforeTheFailureIsReported() throws Exception {
        FakeSource src = sourceWithHistory("a");
        List<TableStatus> failed = new CopyOnWriteArrayList<>();
        try (LarderEngine larder = LarderEngine.open(dir, TestSupport.options())) {
            larder.addListener(new FreshnessListener() {
                @Override
                public void onFeedFailed(TableStatus status, FeedException error) {
                    failed.add(status);
                }
            });
            FollowOptions slowRetry = TestSupport.fastFollow().withCommitStageBytes(0)
                    .withRetry(Duration.ofSeconds(2), Duration.ofSeconds(2));
            Follower f = larder.follow("t", src, slowRetry);
            await("bootstrap", () -> f.handle().lineage().version() == 2);
            src.failAt(3, 2, 1);
            src.commit(put(1, 100.0), put(2, 200.0), put(77, 7.0));
            await("failure reported", () -> !failed.isEmpty());
            assertEquals(-1, failed.get(0).applyingVersion(), "nothing of version 3 is being applied any more");
            assertMatches(f.handle().table(), src.state(2));
            await("retry applies the whole commit", () -> f.handle().lineage().version() == 3);
            assertMatches(f.handle().table(), src.state(3));
        }
    }

    @Test
    void failingCommitStopsOnlyItsTableAndRecovers() throws Exception {
        FakeSource bad = sourceWithHistory("bad");
        FakeSource good = sourceWithHistory("good");
        List<FeedException> failures = new CopyOnWriteArrayList<>();
        AtomicLong resumed = new AtomicLong();
        try (LarderEngine larder = LarderEngine.open(dir, TestSupport.options())) {
            larder.addListener(new FreshnessListener() {
                @Override
                public void onFeedFailed(TableStatus status, FeedException error) {
                    failures.add(error);
                }

                @Override
                public void onFeedResumed(TableStatus status) {
                    resumed.incrementAndGet();
                }
            });
            Follower fb = larder.follow("bad", bad, TestSupport.fastFollow());
            Follower fg = larder.follow("good", good, TestSupport.fastFollow());
            await("bootstraps", () -> fb.handle().lineage().version() == 2 && fg.handle().lineage().version() == 2);
            bad.failAt(3, 1, Integer.MAX_VALUE);
            bad.commit(put(1, 100.0), put(2, 200.0));
            await("failure reported", () -> failures.size() >= 2);
            for (int v = 3; v <= 6; v++) {
                good.commit(put(v, v * 10.0));
            }
            await("good table goes on", () -> fg.handle().lineage().version() == 6);
            TableStatus st = fb.status();
            assertEquals(TableStatus.State.FAILING, st.state());
            assertEquals(2, st.watermarkVersion(), "reads stay on the last good version");
            assertEquals(1, st.lagVersions());
            assertTrue(st.lastError().contains("table bad") && st.lastError().contains("version 3"), st.lastError());
            assertEquals("bad", failures.get(0).table());
            assertEquals(3, failures.get(0).version());
            assertMatches(fb.handle().table(), bad.state(2));
            assertMatches(fg.handle().table(), good.state(6));

            bad.clearFailure();
            await("bad table recovers", () -> fb.handle().lineage().version() == 3);
            assertMatches(fb.handle().table(), bad.state(3));
            await("resume reported", () -> resumed.get() == 1);
            TableStatus after = fb.status();
            assertEquals(TableStatus.State.FOLLOWING, after.state());
            assertNull(after.lastError());
            assertEquals(0, after.consecutiveFailures());
        }
    }

    @Test
    void stalenessTurnsUnhealthyThenHealthyAgain() throws Exception {
        ManualClock clock = new ManualClock();
        FakeSource src = sourceWithHistory("a");
        List<String> events = new CopyOnWriteArrayList<>();
        try (LarderEngine larder = LarderEngine.open(dir, TestSupport.options().withClock(clock))) {
            larder.addListener(new FreshnessListener() {
                @Override
                public void onStale(TableStatus status) {
                    events.add("stale:" + status.table());
                }

                @Override
                public void onRecovered(TableStatus status) {
                    events.add("recovered:" + status.table());
                }
            });
            Follower f = larder.follow("t", src, TestSupport.fastFollow().withMaxStaleness(Duration.ofSeconds(10)));
            await("bootstrap", () -> f.handle().lineage().version() == 2);
            assertTrue(larder.healthy());
            src.failAt(3, 0, Integer.MAX_VALUE);
            src.commit(put(1, 2.0));
            await("failing", () -> f.status().state() == TableStatus.State.FAILING);
            clock.advance(Duration.ofSeconds(11));
            TableStatus stale = larder.status().get(0);
            assertFalse(stale.healthy());
            assertFalse(larder.healthy());
            assertTrue(stale.staleness().compareTo(Duration.ofSeconds(10)) > 0);
            assertEquals(1, stale.lagVersions());
            assertEquals(List.of("stale:t"), events);

            src.clearFailure();
            await("caught up", () -> f.handle().lineage().version() == 3);
            await("recovered", () -> events.size() == 2);
            assertEquals(List.of("stale:t", "recovered:t"), events);
            assertTrue(larder.healthy());
            assertEquals(0, larder.status().get(0).lagVersions());
        }
    }

    @Test
    void historyGoneRebootstrapsIntoNewGenerationWhileReadersRead() throws Exception {
        FakeSource src = new FakeSource("a");
        for (int v = 0; v < 3; v++) {
            FakeSource.Change[] changes = new FakeSource.Change[200];
            for (int k = 0; k < 200; k++) {
                changes[k] = put(k, k + v * 1000.0);
            }
            src.commit(changes);
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> readerError = new AtomicReference<>();
        AtomicLong lookups = new AtomicLong();
        try (LarderEngine larder = LarderEngine.open(dir, TestSupport.options())) {
            TableHandle h = larder.follow("t", src, TestSupport.fastFollow()).handle();
            await("bootstrap", () -> h.lineage().version() == 2);
            Thread reader = new Thread(() -> {
                LiveReader r = new LiveReader(h);
                try {
                    while (!stop.get()) {
                        for (long k = 0; k < 200; k++) {
                            ReadStatus s = r.get(k);
                            if (s != ReadStatus.FOUND) {
                                throw new AssertionError("key " + k + " missing in " + r.row().table().name() + ": "
                                        + s);
                            }
                            double x = r.row().getDouble(1);
                            if (x % 1000.0 != k) {
                                throw new AssertionError("key " + k + " has foreign value " + x);
                            }
                            lookups.incrementAndGet();
                        }
                    }
                } catch (Throwable t) {
                    readerError.set(t);
                }
            });
            reader.start();
            synchronized (src) {
                for (int v = 3; v < 6; v++) {
                    FakeSource.Change[] changes = new FakeSource.Change[200];
                    for (int k = 0; k < 200; k++) {
                        changes[k] = put(k, k + v * 1000.0);
                    }
                    src.commit(changes);
                }
                src.vacuum(5);
            }
            await("re-bootstrap", () -> h.lineage().version() == 5);
            long seen = lookups.get();
            await("reader reads the new generation", () -> lookups.get() > seen + 400);
            stop.set(true);
            reader.join();
            assertNull(readerError.get());
            assertEquals("t.g1", h.table().name());
            assertEquals(2, src.bootstraps.get());
            assertMatches(h.table(), src.state(5));
            await("the replaced generation to be dropped", () -> !Files.exists(dir.resolve("t")));
        }
        try (LarderEngine larder = LarderEngine.open(dir, TestSupport.options())) {
            src.commit(put(0, 6000.0));
            src.vacuum(-1);
            TableHandle h = larder.follow("t", src, TestSupport.fastFollow()).handle();
            assertEquals("t.g1", h.table().name(), "a restart opens the current generation");
            await("tail after restart", () -> h.lineage().version() == 6);
            assertMatches(h.table(), src.state(6));
            assertEquals(2, src.bootstraps.get());
        }
    }

    @Test
    void unfinishedGenerationIsDroppedOnStart() throws Exception {
        FakeSource src = sourceWithHistory("a");
        try (LarderEngine larder = LarderEngine.open(dir, TestSupport.options())) {
            TableHandle h = larder.follow("t", src, TestSupport.fastFollow()).handle();
            await("bootstrap", () -> h.lineage().version() == 2);
        }
        try (FeatureStore store = FeatureStore.open(dir)) {
            store.createGeneration("t", 3, FakeSource.SCHEMA, TableOptions.DEFAULT);
        }
        try (LarderEngine larder = LarderEngine.open(dir, TestSupport.options())) {
            TableHandle h = larder.follow("t", src, TestSupport.fastFollow()).handle();
            assertEquals("t", h.table().name());
            assertFalse(Files.exists(dir.resolve("t.g3")));
            assertMatches(h.table(), src.state(2));
        }
    }

    /**
     * A table of another source sitting where the next generation of {@code t} would be: following {@code t} must
     * refuse before it drops anything (it used to drop {@code t} as replaced, then notice the source differs).
     */
    @Test
    void aNewerGenerationOfAnotherSourceIsRefusedBeforeAnythingIsDropped() throws Exception {
        FakeSource src = sourceWithHistory("a");
        try (LarderEngine larder = LarderEngine.open(dir, TestSupport.options())) {
            TableHandle h = larder.follow("t", src, TestSupport.fastFollow()).handle();
            await("bootstrap", () -> h.lineage().version() == 2);
        }
        try (FeatureStore store = FeatureStore.open(dir);
             LarderEngine larder = LarderEngine.open(store, TestSupport.options())) {
            FeatureTable other = store.createGeneration("t", 1, FakeSource.SCHEMA, TableOptions.DEFAULT);
            larder.load(other, new Lineage("b", "mem://b", -1, 0), sink -> {
                sink.begin(0, 0);
                sink.upsert(sink.row().setLong(0, 99).setDouble(1, 9.9).setString(2, "b"));
                sink.end();
                return 1;
            });
        }
        try (LarderEngine larder = LarderEngine.open(dir, TestSupport.options())) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> larder.follow("t", src, TestSupport.fastFollow()));
            assertTrue(e.getMessage().contains("follows source b"), e.getMessage());
        }
        try (FeatureStore store = FeatureStore.open(dir)) {
            assertEquals(List.of("t", "t.g1"), store.tableNames(), "nothing dropped");
            assertMatches(store.generation("t", 0), src.state(2));
            assertEquals("b", store.generation("t", 1).lineage().sourceId());
        }
    }

    /** A table left without a watermark (a bootstrap killed part way) is bootstrapped again under its own name. */
    @Test
    void anUnfinishedBootstrapIsRedoneInPlace() throws Exception {
        FakeSource src = sourceWithHistory("a");
        try (FeatureStore store = FeatureStore.open(dir);
             LarderEngine larder = LarderEngine.open(store, TestSupport.options())) {
            FeatureTable t = store.create("t", FakeSource.SCHEMA, TableOptions.DEFAULT);
            assertThrows(IllegalStateException.class, () -> larder.load(t, new Lineage("a", "mem://a", -1, 0), sink -> {
                sink.begin(2, 0);
                sink.upsert(sink.row().setLong(0, 99).setDouble(1, 9.9).setString(2, "partial"));
                throw new IllegalStateException("bootstrap stopped part way");
            }));
        }
        try (LarderEngine larder = LarderEngine.open(dir, TestSupport.options())) {
            TableHandle h = larder.follow("t", src, TestSupport.fastFollow()).handle();
            await("bootstrap", () -> h.lineage().version() == 2);
            assertEquals("t", h.table().name(), "bootstrapped in place, not as a new generation");
            assertMatches(h.table(), src.state(2));
        }
        try (FeatureStore store = FeatureStore.open(dir)) {
            assertEquals(List.of("t"), store.tableNames());
        }
    }
}
