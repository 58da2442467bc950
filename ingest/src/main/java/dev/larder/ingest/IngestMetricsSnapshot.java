package dev.larder.ingest;

import org.HdrHistogram.Histogram;

/**
 * Immutable view of the pipeline's metrics at one instant (the histograms are private copies).
 *
 * @param eventsApplied          ring events the writer has processed (rows, version ends, control events)
 * @param upserts                rows upserted (an upsert ignored as older than the stored row included)
 * @param deletes                deletes applied (absent keys included)
 * @param versionsPublished      watermarks published
 * @param syncs                  table syncs (durability points) done
 * @param rejected               events refused to producers because the ring was full ({@link Backpressure#REJECT})
 * @param failedEvents           row events the writer could not apply (their table's feed stops)
 * @param eventsPerSecond        writer rate over the last interval between snapshots (at least one second long)
 * @param applyLatency           nanoseconds from a row's publication by its producer to its application to the table
 *                               (sampled: one ring sequence in 16)
 * @param ringCapacity           ring slots
 * @param ringOccupancy          slots published but not yet applied, now
 * @param ringOccupancyHistogram backlog the writer found at the start of each batch
 */
public record IngestMetricsSnapshot(long eventsApplied, long upserts, long deletes, long versionsPublished, long syncs,
                                    long rejected, long failedEvents, double eventsPerSecond, Histogram applyLatency,
                                    long ringCapacity, long ringOccupancy, Histogram ringOccupancyHistogram) {

    public long applyLatencyNanos(double percentile) {
        return applyLatency.getValueAtPercentile(percentile);
    }

    public long ringOccupancyAt(double percentile) {
        return ringOccupancyHistogram.getValueAtPercentile(percentile);
    }

    @Override
    public String toString() {
        return String.format("events=%d (%.0f/s) upserts=%d deletes=%d versions=%d syncs=%d rejected=%d failed=%d "
                        + "applyLatency p50=%dns p99=%dns p99.9=%dns max=%dns ring=%d/%d (p99 %d, max %d)",
                eventsApplied, eventsPerSecond, upserts, deletes, versionsPublished, syncs, rejected, failedEvents,
                applyLatencyNanos(50), applyLatencyNanos(99), applyLatencyNanos(99.9), applyLatency.getMaxValue(),
                ringOccupancy, ringCapacity, ringOccupancyAt(99), ringOccupancyHistogram.getMaxValue());
    }
}
