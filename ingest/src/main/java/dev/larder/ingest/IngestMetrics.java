package dev.larder.ingest;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.WriterReaderPhaser;

/**
 * Thread-safe: the writer thread records (wait-free, allocation-free), any thread takes snapshots.
 *
 * <p>The writer records into plain "active" histograms inside one {@link WriterReaderPhaser} critical section per batch
 * (two atomic increments per batch instead of two per value, which a {@code Recorder} would cost); a snapshot swaps
 * active and inactive, flips the phase, and folds the inactive pair into cumulative histograms.
 */
public final class IngestMetrics implements IngestMetricsMXBean {
    private static final long MAX_LATENCY_NANOS = TimeUnit.MINUTES.toNanos(10);

    private final WriterReaderPhaser phaser = new WriterReaderPhaser();
    private final long maxOccupancy;
    private volatile Histogram activeLatency;
    private volatile Histogram activeOccupancy;
    private Histogram inactiveLatency;
    private Histogram inactiveOccupancy;
    private final Histogram latency;
    private final Histogram occupancy;
    private final LongSupplier ringOccupancy;
    private final Supplier<String[]> unhealthy;

    private volatile long eventsApplied;
    private volatile long upserts;
    private volatile long deletes;
    private volatile long versionsPublished;
    private volatile long syncs;
    private volatile long failedEvents;
    private final LongAdder rejected = new LongAdder();

    private long rateEvents;
    private long rateNanos = System.nanoTime();
    private double rate;

    // Writer-thread state for the batch in progress.
    private long ticket;
    private Histogram batchLatency;

    IngestMetrics(int ringCapacity, LongSupplier ringOccupancy, Supplier<String[]> unhealthy) {
        this.maxOccupancy = ringCapacity;
        this.ringOccupancy = ringOccupancy;
        this.unhealthy = unhealthy;
        this.activeLatency = latencyHistogram();
        this.inactiveLatency = latencyHistogram();
        this.latency = latencyHistogram();
        this.activeOccupancy = new Histogram(ringCapacity, 2);
        this.inactiveOccupancy = new Histogram(ringCapacity, 2);
        this.occupancy = new Histogram(ringCapacity, 2);
    }

    private static Histogram latencyHistogram() {
        return new Histogram(MAX_LATENCY_NANOS, 2);
    }

    /** Writer thread: a batch starts with {@code queueDepth} events waiting. */
    void batchStart(long queueDepth) {
        ticket = phaser.writerCriticalSectionEnter();
        batchLatency = activeLatency;
        activeOccupancy.recordValue(Math.min(queueDepth, maxOccupancy));
    }

    /** Writer thread: one row event applied, {@code nanos} after its producer published it. */
    void applied(long nanos) {
        batchLatency.recordValue(Math.max(0, Math.min(nanos, MAX_LATENCY_NANOS)));
    }

    /** Writer thread: the batch ended; publishes the writer's counters (plain stores per event, volatile per batch). */
    void batchEnd(long events, long upsertCount, long deleteCount, long versionCount, long syncCount,
            long failedCount) {
        publishCounters(events, upsertCount, deleteCount, versionCount, syncCount, failedCount);
        phaser.writerCriticalSectionExit(ticket);
    }

    /**
     * Writer thread: publishes the writer's counters now, mid-batch, before a waiter (a flush) is released, so what it
     * reads next counts every event applied before it.
     */
    void publishCounters(long events, long upsertCount, long deleteCount, long versionCount, long syncCount,
                         long failedCount) {
        eventsApplied = events;
        upserts = upsertCount;
        deletes = deleteCount;
        versionsPublished = versionCount;
        syncs = syncCount;
        failedEvents = failedCount;
    }

    void rejected() {
        rejected.increment();
    }

    /** A consistent-enough snapshot: counters are each exact, histograms include every completed batch. */
    public synchronized IngestMetricsSnapshot snapshot() {
        phaser.readerLock();
        try {
            Histogram l = activeLatency;
            Histogram o = activeOccupancy;
            activeLatency = inactiveLatency;
            activeOccupancy = inactiveOccupancy;
            inactiveLatency = l;
            inactiveOccupancy = o;
            phaser.flipPhase();
            latency.add(l);
            occupancy.add(o);
            l.reset();
            o.reset();
        } finally {
            phaser.readerUnlock();
        }
        long events = eventsApplied;
        long now = System.nanoTime();
        if (now - rateNanos >= TimeUnit.SECONDS.toNanos(1)) {
            rate = (events - rateEvents) * 1e9 / (now - rateNanos);
            rateEvents = events;
            rateNanos = now;
        }
        return new IngestMetricsSnapshot(events, upserts, deletes, versionsPublished, syncs, rejected.sum(),
                failedEvents, rate, latency.copy(), maxOccupancy, ringOccupancy.getAsLong(), occupancy.copy());
    }

    @Override
    public long getEventsApplied() {
        return eventsApplied;
    }

    @Override
    public double getEventsPerSecond() {
        return snapshot().eventsPerSecond();
    }

    @Override
    public long getUpserts() {
        return upserts;
    }

    @Override
    public long getDeletes() {
        return deletes;
    }

    @Override
    public long getVersionsPublished() {
        return versionsPublished;
    }

    @Override
    public long getSyncs() {
        return syncs;
    }

    @Override
    public long getRejected() {
        return rejected.sum();
    }

    @Override
    public long getFailedEvents() {
        return failedEvents;
    }

    @Override
    public long getApplyLatencyP50Nanos() {
        return snapshot().applyLatencyNanos(50);
    }

    @Override
    public long getApplyLatencyP99Nanos() {
        return snapshot().applyLatencyNanos(99);
    }

    @Override
    public long getApplyLatencyP999Nanos() {
        return snapshot().applyLatencyNanos(99.9);
    }

    @Override
    public long getApplyLatencyMaxNanos() {
        return snapshot().applyLatency().getMaxValue();
    }

    @Override
    public long getRingCapacity() {
        return maxOccupancy;
    }

    @Override
    public long getRingOccupancy() {
        return ringOccupancy.getAsLong();
    }

    @Override
    public long getRingOccupancyP99() {
        return snapshot().ringOccupancyAt(99);
    }

    @Override
    public long getRingOccupancyMax() {
        return snapshot().ringOccupancyHistogram().getMaxValue();
    }

    @Override
    public String[] getUnhealthyTables() {
        return unhealthy.get();
    }
}
