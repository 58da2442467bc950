package dev.larder;

import dev.larder.store.ReadMetrics;
import java.util.EnumMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Immutable: the lookups of a table's readers since its current generation opened ({@link Table#readStats()}): how
 * many, how many by status, and the latency of the sampled ones (one lookup in {@code Reader.SAMPLE_EVERY} is timed).
 * Checked readers are not counted.
 */
public final class ReadStats {
    private final long lookups;
    private final Map<ReadStatus, Long> byStatus;
    private final Histogram latency;

    private ReadStats(long lookups, Map<ReadStatus, Long> byStatus, Histogram latency) {
        this.lookups = lookups;
        this.byStatus = byStatus;
        this.latency = latency;
    }

    static ReadStats of(ReadMetrics metrics) {
        ReadMetrics.Snapshot s = metrics.snapshot();
        Map<ReadStatus, Long> byStatus = new EnumMap<>(ReadStatus.class);
        for (dev.larder.store.ReadStatus status : dev.larder.store.ReadStatus.values()) {
            byStatus.merge(ReadStatus.of(status), metrics.lookups(status), Long::sum);
        }
        return new ReadStats(s.lookups(), byStatus, s.latency());
    }

    /** Lookups of the table's readers. */
    public long lookups() {
        return lookups;
    }

    /** Lookups that returned {@code status} (counted a moment after {@link #lookups()}, so their sum may exceed it). */
    public long lookups(ReadStatus status) {
        return byStatus.getOrDefault(status, 0L);
    }

    /** Lookups timed. */
    public long sampled() {
        return latency.getTotalCount();
    }

    /** The latency of the sampled lookups at {@code percentile} (0 to 100), in nanoseconds; 0 when none was timed. */
    public long latencyNanos(double percentile) {
        if (percentile < 0 || percentile > 100) {
            throw new IllegalArgumentException("percentile must be in 0..100, got " + percentile);
        }
        return latency.getValueAtPercentile(percentile);
    }

    /** The slowest sampled lookup, in nanoseconds; 0 when none was timed. */
    public long maxLatencyNanos() {
        return latency.getMaxValue();
    }

    @Override
    public String toString() {
        return String.format("%,d lookups; sampled latency p50 %d ns, p99 %d ns, p99.9 %d ns, max %d ns", lookups,
                latencyNanos(50), latencyNanos(99), latencyNanos(99.9), maxLatencyNanos());
    }
}
