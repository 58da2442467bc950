package dev.larder.store;

import java.util.concurrent.CopyOnWriteArrayList;
import org.HdrHistogram.Histogram;

/**
 * Lookup metrics of one table, gathered from its instrumented readers ({@link FeatureTable#newReader(int)}): total
 * lookups, lookups by status and a latency histogram of sampled lookups. Thread-safe; {@link #snapshot()} may be called
 * from any thread while the readers run (each reader records into its own single-writer recorder, so readers never
 * contend).
 */
public final class ReadMetrics {
    ReadMetrics() {
    }

    /** Lookups and sampled lookup latencies (nanoseconds) since the table was opened. */
    public record Snapshot(long lookups, Histogram latency) {
        public long latencyNanos(double percentile) {
            return latency.getValueAtPercentile(percentile);
        }
    }

    private final CopyOnWriteArrayList<TableReader> readers = new CopyOnWriteArrayList<>();
    private final Histogram accumulated = new Histogram(60_000_000_000L, 2);

    void register(TableReader reader) {
        readers.add(reader);
    }

    /**
     * Lookups of the instrumented readers that returned {@code status}; lock-free and allocation-free (sums each
     * reader's own counter), so a metrics registry may poll it as often as it likes.
     */
    public long lookups(ReadStatus status) {
        long n = 0;
        for (TableReader r : readers) {
            n += r.lookups(status);
        }
        return n;
    }

    /** Current totals; the latency histogram is a private copy. */
    public synchronized Snapshot snapshot() {
        long lookups = 0;
        for (TableReader r : readers) {
            lookups += r.lookupsOpaque();
            r.drainSamplesInto(accumulated);
        }
        return new Snapshot(lookups, accumulated.copy());
    }
}
