package dev.larder.jmh.e2e;

import dev.larder.jmh.systems.KvSystem;
import dev.larder.jmh.systems.RedisClients;
import java.util.List;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

/**
 * Redis on loopback as a feature store: one binary value per (table, key); a request is one round trip, an
 * {@code MGET} of 3 keys for one entity or of 300 for a ranking request (one connection per fetcher).
 */
final class RedisFeatures implements FeatureSource {
    private RedisClients redis;

    @Override
    public String name() {
        return FeatureSources.REDIS;
    }

    @Override
    public String detail() {
        return redis.detail();
    }

    @Override
    public void load(int keys) {
        redis = new RedisClients();
        redis.load(keys, (p, k) -> {
            for (int t = 0; t < E2eData.TABLES.length; t++) {
                p.set(E2eData.keyBytes(t, k, new byte[9]),
                        E2eData.value(k, t, new byte[E2eData.TABLE_FEATURES[t] * Float.BYTES]));
            }
        });
    }

    @Override
    public Fetcher newFetcher() {
        Jedis j = redis.connect();
        int tables = E2eData.TABLES.length;
        byte[][] one = new byte[tables][9];
        byte[][] many = new byte[E2eData.CANDIDATES * tables][9];
        return new Fetcher() {
            @Override
            public int fetch(long key, float[] out) {
                for (int t = 0; t < tables; t++) {
                    E2eData.keyBytes(t, key, one[t]);
                }
                return decode(j.mget(one), 1, out);
            }

            @Override
            public int fetchBatch(long[] keys, int n, float[] out) {
                byte[][] ks = n * tables == many.length ? many : new byte[n * tables][9];
                for (int i = 0; i < n; i++) {
                    for (int t = 0; t < tables; t++) {
                        E2eData.keyBytes(t, keys[i], ks[i * tables + t]);
                    }
                }
                return decode(j.mget(ks), n, out);
            }

            private int decode(List<byte[]> values, int n, float[] out) {
                int found = 0;
                for (int i = 0; i < n; i++) {
                    for (int t = 0; t < tables; t++) {
                        byte[] v = values.get(i * tables + t);
                        int at = i * E2eData.FEATURES + E2eData.firstFeature(t);
                        if (v == null) {
                            java.util.Arrays.fill(out, at, at + E2eData.TABLE_FEATURES[t], Float.NaN);
                        } else {
                            E2eData.decode(v, t, out, at);
                            found += E2eData.TABLE_FEATURES[t];
                        }
                    }
                }
                return found;
            }
        };
    }

    /** Pipelines its SETs (flushed by the writer every tick), so that it can sustain the update rate at all. */
    @Override
    public KvSystem.Updater newUpdater() {
        Pipeline p = redis.connect().pipelined();
        return new KvSystem.Updater() {
            @Override
            public void update(long key, long version) {
                int t = (int) (version % E2eData.TABLES.length);
                p.set(E2eData.keyBytes(t, key, new byte[9]),
                        E2eData.value(key, t, new byte[E2eData.TABLE_FEATURES[t] * Float.BYTES]));
            }

            @Override
            public void flush() {
                p.sync();
            }
        };
    }

    @Override
    public void close() {
        if (redis != null) {
            redis.close();
        }
    }
}
