package dev.larder.jmh.systems;

import dev.larder.jmh.Dataset;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

/**
 * Redis on loopback: one connection per reader (a synchronous GET, the way a model server calls it), the writer
 * pipelining its SETs so that it can sustain the update rate at all.
 */
final class RedisSystem implements KvSystem {
    private RedisClients redis;

    @Override
    public String name() {
        return Systems.REDIS;
    }

    @Override
    public String detail() {
        return redis.detail();
    }

    @Override
    public void load(int keys) {
        redis = new RedisClients();
        redis.load(keys, (p, k) -> p.set(Dataset.keyBytes(k, new byte[8]),
                Dataset.value(k, 1, new byte[Dataset.VALUE_BYTES])));
    }

    @Override
    public Reader newReader() {
        Jedis j = redis.connect();
        byte[] key = new byte[8];
        return k -> {
            byte[] v = j.get(Dataset.keyBytes(k, key));
            return v == null ? Double.NaN : Dataset.firstFeature(v);
        };
    }

    @Override
    public Updater newUpdater() {
        Pipeline p = redis.connect().pipelined();
        return new Updater() {
            @Override
            public void update(long key, long version) {
                p.set(Dataset.keyBytes(key, new byte[8]), Dataset.value(key, version, new byte[Dataset.VALUE_BYTES]));
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
