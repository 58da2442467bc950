package dev.larder.jmh.harness;

import dev.larder.jmh.KeySequence;
import dev.larder.jmh.systems.KvSystem;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * One open-loop reader: issues lookups on a fixed schedule (request i is due at {@code start + i * interval}) and
 * records each latency from the request's <em>intended</em> start, not from when it was actually sent. A stall
 * therefore counts against every request it delayed, as a real client would experience it, instead of hiding behind
 * a paused sender (coordinated omission). It spins between requests because parking cannot wake within microseconds.
 */
final class LoadGenerator {
    /** Highest latency the histogram tracks; anything slower is recorded as this value. */
    static final long MAX_TRACKED_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final KvSystem.Reader reader;
    private final KeySequence keys;
    private final long intervalNanos;
    private long misses;
    private double sink;

    LoadGenerator(KvSystem.Reader reader, int keyCount, double perSecond, long seed) {
        this.reader = reader;
        this.keys = new KeySequence(keyCount, seed);
        this.intervalNanos = Math.max(1, Math.round(1e9 / perSecond));
    }

    static Histogram newHistogram() {
        return new Histogram(MAX_TRACKED_NANOS, 3);
    }

    /**
     * Runs the schedule from {@code start} (a System.nanoTime value, possibly in the near future) for {@code nanos},
     * recording into {@code h} (null during warm-up). Returns the number of requests issued.
     */
    long run(long start, long nanos, Histogram h) {
        long end = start + nanos;
        long n = 0;
        for (long intended = start; intended < end; intended = start + ++n * intervalNanos) {
            long key = keys.next();
            while (System.nanoTime() < intended) {
                Thread.onSpinWait();
            }
            double v = reader.get(key);
            long latency = System.nanoTime() - intended;
            if (h != null) {
                h.recordValue(Math.min(latency, MAX_TRACKED_NANOS));
            }
            if (Double.isNaN(v)) {
                misses++;
            } else {
                sink += v;
            }
        }
        return n;
    }

    /** Lookups that found no value: every key is loaded, so anything but 0 means a broken system or benchmark. */
    long misses() {
        return misses;
    }

    /** Sum of the values read, kept so the JIT cannot drop the lookups. */
    double sink() {
        return sink;
    }
}
