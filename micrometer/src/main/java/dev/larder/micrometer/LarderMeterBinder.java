package dev.larder.micrometer;

import dev.larder.Larder;
import dev.larder.ingest.ApplyLag;
import dev.larder.ingest.Follower;
import dev.larder.ingest.IngestMetrics;
import dev.larder.ingest.TableHandle;
import dev.larder.ingest.TableListener;
import dev.larder.store.ReadStatus;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Thread-safe: binds a running {@link Larder}'s health, ingest and per-table metrics (tag {@code table}) to Micrometer
 * registries. Per-table meters follow the Larder's set of tables through a {@link TableListener}: tables created or
 * followed after binding get their meters at once, a closed follower's table and a closed Larder lose theirs. Every
 * meter reads its Larder object through a weak reference, and neither this binder nor its meters keep a Larder alive.
 *
 * <p>Lookups are counted by the instrumented readers only ({@code TableHandle.newReader(sampleEvery)}); a new
 * generation of a table counts from zero again, which Prometheus' {@code rate()} reads as a counter reset.
 */
public final class LarderMeterBinder implements MeterBinder {
    /** Percentiles of the sampled lookup latency, as HdrHistogram percentiles and their {@code quantile} tag values. */
    private static final double[] PERCENTILES = {50, 99, 99.9, 100};
    private static final String[] QUANTILES = {"0.5", "0.99", "0.999", "1.0"};

    private final WeakReference<Larder> larder;
    private final Tags tags;

    public LarderMeterBinder(Larder larder) {
        this(larder, Tags.empty());
    }

    /** @param tags added to every meter, e.g. to tell two Larders of one process apart */
    public LarderMeterBinder(Larder larder, Iterable<Tag> tags) {
        this.larder = new WeakReference<>(larder);
        this.tags = Tags.of(tags);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Larder l = larder.get();
        if (l == null) {
            return;
        }
        Binding binding = new Binding(registry, tags);
        binding.bindLarder(l);
        l.addTableListener(binding);
    }

    /** The meters of one registry; the Larder holds it as a listener, and it holds nothing of the Larder's. */
    private static final class Binding implements TableListener {
        private final MeterRegistry registry;
        private final Tags tags;
        private final List<Meter> larderMeters = new ArrayList<>();
        private final Map<String, List<Meter>> tableMeters = new HashMap<>();

        Binding(MeterRegistry registry, Tags tags) {
            this.registry = registry;
            this.tags = tags;
        }

        synchronized void bindLarder(Larder l) {
            larderMeters.add(Gauge.builder("larder.healthy", l, x -> x.healthy() ? 1 : 0).tags(tags)
                    .description("1 when every followed table is within its staleness bound, else 0")
                    .register(registry));
            IngestMetrics m = l.ingestMetrics();
            larderMeters.add(FunctionCounter.builder("larder.ingest.events", m,
                    IngestMetrics::getEventsApplied).tags(tags)
                    .description("Ring events the writer applied").register(registry));
            larderMeters.add(FunctionCounter.builder("larder.ingest.failed", m,
                    IngestMetrics::getFailedEvents).tags(tags)
                    .description("Row events the writer could not apply").register(registry));
            larderMeters.add(FunctionCounter.builder("larder.ingest.rejected", m, IngestMetrics::getRejected).tags(tags)
                    .description("Events refused to producers because the ring was full").register(registry));
            larderMeters.add(Gauge.builder("larder.ingest.ring.occupancy", m,
                    IngestMetrics::getRingOccupancy).tags(tags)
                    .description("Ring slots published but not yet applied").register(registry));
            for (String log : l.logStats().keySet()) {
                Tags t = tags.and("log", log);
                larderMeters.add(FunctionCounter.builder("larder.servelog.logged", l,
                        x -> x.logStats().get(log).logged()).tags(t)
                        .description("Served vectors copied into the log's buffers").register(registry));
                larderMeters.add(FunctionCounter.builder("larder.servelog.dropped", l,
                        x -> x.logStats().get(log).dropped()).tags(t)
                        .description("Served vectors not logged because a serving thread's buffer was full")
                        .register(registry));
                larderMeters.add(FunctionCounter.builder("larder.servelog.committed", l,
                        x -> x.logStats().get(log).committed()).tags(t)
                        .description("Logged vectors committed to the Delta log").register(registry));
                larderMeters.add(FunctionCounter.builder("larder.servelog.failed.commits", l,
                        x -> x.logStats().get(log).failedCommits()).tags(t)
                        .description("Commits of the log that failed (retried)").register(registry));
            }
        }

        @Override
        public synchronized void onOpened(TableHandle table, Follower follower) {
            Tags t = tags.and("table", table.name());
            List<Meter> meters = new ArrayList<>();
            meters.add(Gauge.builder("larder.rows", table, h -> h.table().size()).tags(t)
                    .baseUnit(BaseUnits.ROWS).description("Live rows of the current generation").register(registry));
            meters.add(Gauge.builder("larder.mapped", table, h -> h.table().mappedBytes()).tags(t)
                    .baseUnit(BaseUnits.BYTES).description("Mapped bytes of the row, index and heap files")
                    .register(registry));
            meters.add(Gauge.builder("larder.watermark.version", table, h -> h.lineage().version()).tags(t)
                    .description("Newest complete version readers see (-1 before the first)").register(registry));
            for (ReadStatus s : ReadStatus.values()) {
                meters.add(FunctionCounter.builder("larder.lookups", table, h -> h.table().readMetrics().lookups(s))
                        .tags(t.and("status", s.name())).description("Lookups of the instrumented readers by status")
                        .register(registry));
            }
            for (int i = 0; i < PERCENTILES.length; i++) {
                double p = PERCENTILES[i];
                meters.add(TimeGauge.builder("larder.lookup.latency", table, TimeUnit.NANOSECONDS,
                                h -> h.table().readMetrics().snapshot().latencyNanos(p))
                        .tags(t.and("quantile", QUANTILES[i]))
                        .description("Sampled lookup latency of the current generation since it opened")
                        .register(registry));
            }
            if (follower != null) {
                meters.add(TimeGauge.builder("larder.staleness", follower, TimeUnit.MILLISECONDS,
                                f -> f.status().staleness().toMillis()).tags(t)
                        .description("Time since the table last reflected its source's newest version")
                        .register(registry));
                meters.add(TimeGauge.builder("larder.apply.lag", follower, TimeUnit.MILLISECONDS, f -> {
                            ApplyLag a = f.status().lastApply();
                            return a == null ? Double.NaN : a.lag().toMillis();
                        }).tags(t)
                        .description("From the last applied commit to its rows being visible to readers")
                        .register(registry));
                meters.add(Gauge.builder("larder.lag", follower, f -> f.status().lagVersions()).tags(t)
                        .baseUnit("versions")
                        .description("Versions the source is ahead of the watermark").register(registry));
                meters.add(Gauge.builder("larder.feed.consecutive.failures", follower,
                        f -> f.status().consecutiveFailures())
                        .tags(t).description("Failed feed attempts since the last success").register(registry));
                meters.add(FunctionCounter.builder("larder.feed.failures", follower, Follower::failureCount).tags(t)
                        .description("Failed feed attempts since the follow started").register(registry));
            }
            tableMeters.put(table.name(), meters);
        }

        @Override
        public synchronized void onClosed(TableHandle table) {
            List<Meter> meters = tableMeters.remove(table.name());
            if (meters != null) {
                meters.forEach(registry::remove);
            }
        }

        @Override
        public synchronized void onLarderClosed() {
            larderMeters.forEach(registry::remove);
            larderMeters.clear();
        }
    }
}
