package dev.larder;

import com.lmax.disruptor.BlockingWaitStrategy;
import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.YieldingWaitStrategy;
import dev.larder.ingest.IngestOptions;
import java.util.function.Supplier;

/**
 * How the store's one writer thread waits for changes while its ring is empty ({@link Larder.Builder#waitStrategy}):
 * the delay before a change arriving after a quiet spell is applied, traded against the CPU an idle writer takes from
 * the readers. A named choice rather than the Disruptor's own type, so an application needs no Disruptor API and the
 * ring stays Larder's to change.
 */
public enum WaitStrategy {
    /**
     * The default: spin 1 µs, yield until 20 µs, then block; the writer takes a core only while changes arrive faster
     * than it blocks.
     */
    PHASED_BACKOFF(IngestOptions::phasedBackoff),
    /** Block at once: the least CPU; each change after a quiet spell waits for the writer to be woken. */
    BLOCKING(BlockingWaitStrategy::new),
    /** Spin, then yield without ever blocking: quick to apply, but the writer keeps a core busy while idle. */
    YIELDING(YieldingWaitStrategy::new),
    /** Spin without yielding: the quickest to apply; the writer takes a whole core, so only with a core to spare. */
    BUSY_SPIN(BusySpinWaitStrategy::new);

    /** One new strategy per ring: the Disruptor's strategies hold state. */
    private final Supplier<com.lmax.disruptor.WaitStrategy> factory;

    WaitStrategy(Supplier<com.lmax.disruptor.WaitStrategy> factory) {
        this.factory = factory;
    }

    Supplier<com.lmax.disruptor.WaitStrategy> factory() {
        return factory;
    }
}
