package dev.larder.jmh.e2e;

import dev.larder.jmh.systems.KvSystem;

/**
 * Where a model server fetches {@link E2eData}'s features from (Larder or a peer): loaded once, then read through one
 * {@link Fetcher} per thread. Fetchers write features in the model's column order, so the same {@link ScoringModel}
 * call follows every source.
 */
public interface FeatureSource extends AutoCloseable {
    /** The source's name in reports and {@code summary.json}. */
    String name();

    /** Loads entities {@code 0..keys-1}. */
    void load(int keys);

    /** A fetcher for the calling thread. */
    Fetcher newFetcher();

    /**
     * The single writer of the concurrent updates: {@code update(key, version)} rewrites entity {@code key}'s row in
     * table {@code version % 3} with the same values (so every read still checks), as a feature pipeline would.
     */
    KvSystem.Updater newUpdater();

    /** Version or set-up detail worth printing in a report; empty if none. */
    default String detail() {
        return "";
    }

    @Override
    void close();

    /** A single-thread fetch cursor with its own buffers. */
    interface Fetcher {
        /**
         * Entity {@code key}'s {@link E2eData#FEATURES} features into {@code out[0..FEATURES)}; returns how many were
         * found (a missing one is NaN, XGBoost's "missing").
         */
        int fetch(long key, float[] out);

        /**
         * The features of {@code keys[0..n)} into {@code out} row-major ({@code FEATURES} per key) in as few round
         * trips as the source allows; returns how many were found.
         */
        int fetchBatch(long[] keys, int n, float[] out);
    }
}
