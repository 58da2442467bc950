package dev.larder.ingest;

/**
 * JMX view of one table, registered as {@code dev.larder:type=Table,store=<dir>,table=<name>}: size, watermark and the
 * lookup metrics of its instrumented readers ({@code TableHandle.newReader(sampleEvery)}). Thread-safe; every attribute
 * read looks at the table's current generation.
 */
public interface TableMetricsMXBean {
    String getGeneration();

    long getRows();

    long getWatermarkVersion();

    long getWatermarkCommitTimestampMillis();

    /**
     * Changes the writer skipped because the key's stored row has a newer event time (a table with an event-time
     * column, {@code TableOptions.eventTime}), since the current generation opened.
     */
    long getOlderEventsSkipped();

    long getLookups();

    long getLookupLatencyP50Nanos();

    long getLookupLatencyP99Nanos();

    long getLookupLatencyP999Nanos();

    long getLookupLatencyMaxNanos();
}
