package dev.larder.ingest;

import dev.larder.store.ReadMetrics;

/** {@link TableMetricsMXBean} over a table handle; thread-safe (each call reads the current generation). */
final class TableMetrics implements TableMetricsMXBean {
    private final TableHandle handle;

    TableMetrics(TableHandle handle) {
        this.handle = handle;
    }

    private ReadMetrics.Snapshot reads() {
        return handle.table().readMetrics().snapshot();
    }

    @Override
    public String getGeneration() {
        return handle.table().name();
    }

    @Override
    public long getRows() {
        return handle.table().size();
    }

    @Override
    public long getWatermarkVersion() {
        return handle.lineage().version();
    }

    @Override
    public long getWatermarkCommitTimestampMillis() {
        return handle.lineage().commitTimestampMillis();
    }

    @Override
    public long getOlderEventsSkipped() {
        return handle.table().olderEventsSkipped();
    }

    @Override
    public long getLookups() {
        return reads().lookups();
    }

    @Override
    public long getLookupLatencyP50Nanos() {
        return reads().latencyNanos(50);
    }

    @Override
    public long getLookupLatencyP99Nanos() {
        return reads().latencyNanos(99);
    }

    @Override
    public long getLookupLatencyP999Nanos() {
        return reads().latencyNanos(99.9);
    }

    @Override
    public long getLookupLatencyMaxNanos() {
        return reads().latency().getMaxValue();
    }
}
