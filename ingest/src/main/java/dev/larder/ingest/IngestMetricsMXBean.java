package dev.larder.ingest;

/**
 * JMX view of {@link IngestMetrics}, registered as {@code dev.larder:type=Ingest,store=<dir>}. Thread-safe; each
 * attribute read takes a fresh snapshot.
 */
public interface IngestMetricsMXBean {
    long getEventsApplied();

    double getEventsPerSecond();

    long getUpserts();

    long getDeletes();

    long getVersionsPublished();

    long getSyncs();

    long getRejected();

    long getFailedEvents();

    long getApplyLatencyP50Nanos();

    long getApplyLatencyP99Nanos();

    long getApplyLatencyP999Nanos();

    long getApplyLatencyMaxNanos();

    long getRingCapacity();

    long getRingOccupancy();

    long getRingOccupancyP99();

    long getRingOccupancyMax();

    /** Names of followed tables whose health check fails. */
    String[] getUnhealthyTables();
}
