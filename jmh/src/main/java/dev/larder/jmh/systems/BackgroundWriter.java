package dev.larder.jmh.systems;

import dev.larder.jmh.KeySequence;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The concurrent writer of the read benchmarks: rewrites random entities at a fixed average rate. It wakes every
 * {@link #TICK_NANOS} and applies the updates due since the start (so the rate holds even when a wake-up is late),
 * parking in between rather than spinning, because on a small machine a spinning writer would steal the readers' core.
 */
public final class BackgroundWriter implements AutoCloseable {
    private static final long TICK_NANOS = TimeUnit.MICROSECONDS.toNanos(200);

    private final KvSystem.Updater updater;
    private final KeySequence keys;
    private final long perSecond;
    private final Thread thread;
    private volatile boolean stop;
    private volatile Throwable failure;
    private long applied;
    private long elapsedNanos;

    private BackgroundWriter(KvSystem.Updater updater, int keyCount, long perSecond) {
        this.updater = updater;
        this.keys = new KeySequence(keyCount, 0x5DEECE66DL);
        this.perSecond = perSecond;
        this.thread = new Thread(this::run, "bench-writer");
        thread.setDaemon(true);
    }

    /** Starts a writer applying {@code perSecond} updates per second to keys {@code [0, keyCount)}. */
    public static BackgroundWriter start(KvSystem.Updater updater, int keyCount, long perSecond) {
        BackgroundWriter w = new BackgroundWriter(updater, keyCount, perSecond);
        w.thread.start();
        return w;
    }

    private void run() {
        long start = System.nanoTime();
        long done = 0;
        long version = 2;
        try {
            while (!stop) {
                long due = (System.nanoTime() - start) * perSecond / 1_000_000_000L;
                while (done < due) {
                    updater.update(keys.next(), version++);
                    done++;
                }
                updater.flush();
                LockSupport.parkNanos(TICK_NANOS);
            }
        } catch (Throwable t) {
            failure = t;
        }
        applied = done;
        elapsedNanos = System.nanoTime() - start;
    }

    /** Stops the writer; afterwards {@link #achievedPerSecond()} is meaningful. Rethrows what made the writer fail. */
    @Override
    public void close() {
        stop = true;
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) {
            throw new IllegalStateException("the background writer failed", failure);
        }
    }

    /** Updates per second actually applied, over the writer's lifetime. */
    public double achievedPerSecond() {
        return elapsedNanos == 0 ? 0 : applied * 1e9 / elapsedNanos;
    }
}
