package dev.larder.jmh.e2e;

import dev.larder.jmh.systems.KvSystem;

/**
 * The baseline, not a store: every entity's features in one on-heap {@code float[]} indexed by key, so a fetch is a
 * copy of 160 contiguous bytes and a request costs little more than the model itself.
 */
final class ArrayFeatures implements FeatureSource {
    private float[] features;

    @Override
    public String name() {
        return FeatureSources.ARRAY;
    }

    @Override
    public void load(int keys) {
        if ((long) keys * E2eData.FEATURES > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(keys + " entities do not fit one Java array of " + E2eData.FEATURES
                    + " floats each");
        }
        features = new float[keys * E2eData.FEATURES];
        for (int k = 0; k < keys; k++) {
            E2eData.entity(k, features, k * E2eData.FEATURES);
        }
    }

    @Override
    public Fetcher newFetcher() {
        float[] all = features;
        int keys = all.length / E2eData.FEATURES;
        return new Fetcher() {
            @Override
            public int fetch(long key, float[] out) {
                return copy(key, out, 0);
            }

            @Override
            public int fetchBatch(long[] ids, int n, float[] out) {
                int found = 0;
                for (int i = 0; i < n; i++) {
                    found += copy(ids[i], out, i * E2eData.FEATURES);
                }
                return found;
            }

            private int copy(long key, float[] out, int off) {
                if (key < 0 || key >= keys) {
                    java.util.Arrays.fill(out, off, off + E2eData.FEATURES, Float.NaN);
                    return 0;
                }
                System.arraycopy(all, (int) key * E2eData.FEATURES, out, off, E2eData.FEATURES);
                return E2eData.FEATURES;
            }
        };
    }

    /** Rewrites the entity's slice of the table's features in place: plain stores, as an on-heap cache would. */
    @Override
    public KvSystem.Updater newUpdater() {
        float[] all = features;
        return (key, version) -> {
            int t = (int) (version % E2eData.TABLES.length);
            int at = (int) key * E2eData.FEATURES + E2eData.firstFeature(t);
            for (int i = 0; i < E2eData.TABLE_FEATURES[t]; i++) {
                all[at + i] = E2eData.feature(key, t, i);
            }
        };
    }

    @Override
    public void close() {
        features = null;
    }
}
