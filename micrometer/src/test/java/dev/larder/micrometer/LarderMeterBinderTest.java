package dev.larder.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.larder.Larder;
import dev.larder.ingest.ChangeSink;
import dev.larder.ingest.ChangeSource;
import dev.larder.ingest.FollowOptions;
import dev.larder.ingest.Follower;
import dev.larder.ingest.IngestOptions;
import dev.larder.ingest.LarderEngine;
import dev.larder.ingest.TableHandle;
import dev.larder.store.ColumnType;
import dev.larder.store.FeatureSchema;
import dev.larder.store.ReadStatus;
import dev.larder.store.RowBuffer;
import dev.larder.store.TableOptions;
import dev.larder.store.TableReader;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LarderMeterBinderTest {
    private static final FeatureSchema SCHEMA = FeatureSchema.builder()
            .keyColumn("id", ColumnType.INT64)
            .column("x", ColumnType.FLOAT64)
            .build();
    private static final Duration TTL = Duration.ofHours(1);

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock();

    @Test
    void tablesOpenedAfterBindingGetMetersThatTrackTheLarder() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        LarderEngine engine = LarderEngine.open(dir, IngestOptions.DEFAULT.withClock(clock).withJmx(false));
        try (Larder larder = Larder.over(engine)) {
            LarderMeterBinder binder = new LarderMeterBinder(larder);
            binder.bindTo(registry);
            assertEquals(1.0, registry.get("larder.healthy").gauge().value(), "no followed table: healthy");

            TableHandle scores = applicationTable(engine);
            TableReader reader = scores.table().newReader(1);
            assertEquals(ReadStatus.FOUND, reader.get(1));
            assertEquals(ReadStatus.EXPIRED, reader.get(3));
            assertEquals(ReadStatus.NOT_FOUND, reader.get(99));
            assertEquals(ReadStatus.NOT_FOUND, reader.get(98));
            ReadStatus[] status = new ReadStatus[2];
            reader.getBatch(new long[] {2, 1}, 2, 1, new double[2], 0, status);
            assertEquals(ReadStatus.NULL, status[0]);
            assertEquals(ReadStatus.FOUND, status[1]);

            assertEquals(2.0, lookups(registry, "scores", ReadStatus.FOUND));
            assertEquals(2.0, lookups(registry, "scores", ReadStatus.NOT_FOUND));
            assertEquals(1.0, lookups(registry, "scores", ReadStatus.EXPIRED));
            assertEquals(1.0, lookups(registry, "scores", ReadStatus.NULL));
            assertEquals(3.0, registry.get("larder.rows").tag("table", "scores").gauge().value());
            assertEquals(1.0, registry.get("larder.watermark.version").tag("table", "scores").gauge().value());
            assertEquals(scores.table().mappedBytes(),
                    registry.get("larder.mapped").tag("table", "scores").gauge().value());
            assertTrue(scores.table().mappedBytes() > 0);
            double p50 = registry.get("larder.lookup.latency").tags("table", "scores", "quantile", "0.5").timeGauge()
                    .value(TimeUnit.NANOSECONDS);
            double max = registry.get("larder.lookup.latency").tags("table", "scores", "quantile", "1.0").timeGauge()
                    .value(TimeUnit.NANOSECONDS);
            assertTrue(p50 > 0 && max >= p50, "four single-key lookups were timed: p50 " + p50 + " ns, max "
                    + max + " ns");
            double events = registry.get("larder.ingest.events").functionCounter().count();
            assertEquals(engine.metrics().eventsApplied(), events);
            assertTrue(events >= 4, "three upserts and a version end, besides control events: " + events);
            assertNull(registry.find("larder.staleness").tag("table", "scores").timeGauge(),
                    "an application table has no feed");

            Source users = new Source(0);
            Follower fu = engine.follow("users", users, FollowOptions.DEFAULT.withPollInterval(Duration.ofHours(1))
                    .withMaxStaleness(Duration.ofMinutes(1)));
            Source broken = new Source(0);
            Follower fb = engine.follow("broken", broken, FollowOptions.DEFAULT.withPollInterval(Duration.ofMillis(5))
                    .withRetry(Duration.ofMillis(5), Duration.ofMillis(5)).withMaxStaleness(Duration.ofMinutes(1)));
            await("bootstraps", () -> fu.handle().lineage().version() == 0 && fb.handle().lineage().version() == 0);
            broken.latest.set(2);
            assertTrue(broken.blocked.await(30, TimeUnit.SECONDS), "the retry after the failed commit");

            assertEquals(1.0, registry.get("larder.feed.failures").tag("table", "broken").functionCounter().count());
            assertEquals(1.0, registry.get("larder.feed.consecutive.failures").tag("table", "broken").gauge().value());
            assertEquals(2.0, registry.get("larder.lag").tag("table", "broken").gauge().value());
            assertEquals(0.0, registry.get("larder.feed.failures").tag("table", "users").functionCounter().count());
            assertEquals(0.0, registry.get("larder.lag").tag("table", "users").gauge().value());
            assertEquals(2.0, registry.get("larder.rows").tag("table", "users").gauge().value());
            assertTrue(Double.isNaN(registry.get("larder.apply.lag").tag("table", "users").timeGauge()
                    .value(TimeUnit.MILLISECONDS)), "a bootstrap is no applied commit");
            assertEquals(1.0, registry.get("larder.healthy").gauge().value());

            clock.advance(Duration.ofSeconds(90));
            assertEquals(90.0, registry.get("larder.staleness").tag("table", "users").timeGauge()
                    .value(TimeUnit.SECONDS));
            assertEquals(0.0, registry.get("larder.healthy").gauge().value(), "90 s stale, 1 min allowed");

            binder.bindTo(prometheus);
            String text = prometheus.scrape();
            for (String line : new String[] {
                    "larder_healthy 0.0",
                    "larder_lookups_total{status=\"FOUND\",table=\"scores\"} 2.0",
                    "larder_lookups_total{status=\"NOT_FOUND\",table=\"scores\"} 2.0",
                    "larder_lookups_total{status=\"EXPIRED\",table=\"scores\"} 1.0",
                    "larder_lookups_total{status=\"NULL\",table=\"scores\"} 1.0",
                    "larder_rows{table=\"scores\"} 3.0",
                    "larder_watermark_version{table=\"scores\"} 1.0",
                    "larder_mapped_bytes{table=\"scores\"} " + (double) scores.table().mappedBytes(),
                    "larder_staleness_seconds{table=\"users\"} 90.0",
                    "larder_lag_versions{table=\"broken\"} 2.0",
                    "larder_feed_failures_total{table=\"broken\"} 1.0",
                    "larder_feed_consecutive_failures{table=\"broken\"} 1.0",
                    "# TYPE larder_lookups_total counter",
                    "# TYPE larder_lookup_latency_seconds gauge"}) {
                assertTrue(text.lines().anyMatch(line::equals), "missing line: " + line + "\n" + text);
            }
            assertTrue(text.contains("larder_lookup_latency_seconds{quantile=\"0.99\",table=\"scores\"} "), text);

            fu.close();
            assertNull(registry.find("larder.rows").tag("table", "users").gauge(), "a closed follow's meters go");
            assertNull(registry.find("larder.staleness").tag("table", "users").timeGauge());
            assertNotNull(registry.find("larder.rows").tag("table", "broken").gauge());
        }
        assertEquals(0, registry.getMeters().size(), "a closed Larder leaves no meters: "
                + registry.getMetersAsString());
        assertEquals(0, prometheus.getMeters().size());
    }

    @Test
    void aServedFeatureLogCountsWhatItLoggedAndCommitted() throws Exception {
        dev.larder.Schema schema = dev.larder.Schema.builder().keyColumn("id", dev.larder.ColumnType.INT64)
                .column("x", dev.larder.ColumnType.FLOAT64).build();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (Larder larder = Larder.builder(dir.resolve("store")).push("t", schema, Duration.ZERO)
                .vector("v", dev.larder.Feature.of("t.x", -1))
                .log("v", dev.larder.ServeLog.to(dir.resolve("log").toString())).open()) {
            new LarderMeterBinder(larder).bindTo(registry);
            dev.larder.Pusher p = larder.table("t").newPusher();
            p.row().setLong(0, 1).setDouble(1, 0.5);
            p.upsert(1, 1_000);
            p.endVersion(1, 1_000);
            larder.flush();
            dev.larder.Vector.Filler filler = larder.vector("v").newFiller();
            double[] out = new double[1];
            for (long k = 0; k < 7; k++) {
                filler.fill(k, out, null);
            }
            larder.vector("v").flushLog();
            assertEquals(7.0, registry.get("larder.servelog.logged").tag("log", "v").functionCounter().count());
            assertEquals(7.0, registry.get("larder.servelog.committed").tag("log", "v").functionCounter().count());
            assertEquals(0.0, registry.get("larder.servelog.dropped").tag("log", "v").functionCounter().count());
            assertEquals(0.0, registry.get("larder.servelog.failed.commits").tag("log", "v").functionCounter()
                    .count());
        }
    }

    @Test
    void bindingAClosedLarderRegistersNothing() {
        Larder larder = Larder.over(LarderEngine.open(dir, IngestOptions.DEFAULT.withClock(clock).withJmx(false)));
        LarderMeterBinder binder = new LarderMeterBinder(larder);
        larder.close();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        binder.bindTo(registry);
        assertEquals(0, registry.getMeters().size());
    }

    /** Rows 1 (fresh), 2 (x null) and 3 (committed two TTLs ago) at version 1. */
    private TableHandle applicationTable(LarderEngine engine) throws InterruptedException {
        TableHandle h = engine.createTable("scores", SCHEMA, TableOptions.DEFAULT.withTtl(TTL).withClock(clock));
        RowBuffer row = h.table().newRow();
        long now = clock.millis();
        engine.upsert(h, row.setLong(0, 1).setDouble(1, 1.5), 1, now);
        engine.upsert(h, row.setLong(0, 2).setNull(1), 1, now);
        engine.upsert(h, row.setLong(0, 3).setDouble(1, 3.5), 1, now - 2 * TTL.toMillis());
        engine.endVersion(h, 1, now);
        assertTrue(h.awaitDurable(1, Duration.ofSeconds(30)));
        return h;
    }

    private static double lookups(MeterRegistry registry, String table, ReadStatus status) {
        return registry.get("larder.lookups").tags("table", table, "status", status.name()).functionCounter().count();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            Thread.sleep(2);
        }
    }

    /** Thread-safe settable clock: staleness and TTL move only when the test says. */
    private static final class ManualClock implements InstantSource {
        private final AtomicLong millis = new AtomicLong(1_700_000_000_000L);

        void advance(Duration d) {
            millis.addAndGet(d.toMillis());
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis.get());
        }
    }

    /**
     * Two rows at every version up to {@link #latest}. Reading changes fails once, then blocks (counting down
     * {@link #blocked}) until the follower is interrupted, so the feed's failure counters stay still for the asserts.
     */
    private static final class Source implements ChangeSource {
        final AtomicLong latest;
        final CountDownLatch blocked = new CountDownLatch(1);
        private final AtomicInteger changeCalls = new AtomicInteger();

        Source(long latest) {
            this.latest = new AtomicLong(latest);
        }

        @Override
        public String id() {
            return "mem-" + System.identityHashCode(this);
        }

        @Override
        public String path() {
            return "mem://" + id();
        }

        @Override
        public FeatureSchema schema() {
            return SCHEMA;
        }

        @Override
        public long latestVersion() {
            return latest.get();
        }

        @Override
        public void bootstrap(long version, ChangeSink sink) {
            sink.begin(version, 1000);
            for (long id = 1; id <= 2; id++) {
                sink.upsert(sink.row().setLong(0, id).setDouble(1, id));
            }
            sink.end();
        }

        @Override
        public void changes(long afterVersion, long upToVersion, ChangeSink sink) {
            if (changeCalls.getAndIncrement() == 0) {
                throw new IllegalStateException("commit " + (afterVersion + 1) + " is unreadable");
            }
            blocked.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("stopped", e);
            }
        }
    }
}
