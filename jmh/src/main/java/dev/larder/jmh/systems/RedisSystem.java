package dev.larder.jmh.systems;

import dev.larder.jmh.Dataset;
import java.util.ArrayList;
import java.util.List;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

/**
 * Redis on loopback: one connection per reader (a synchronous GET, the way a model server calls it), the writer
 * pipelining its SETs so that it can sustain the update rate at all.
 */
final class RedisSystem implements KvSystem {
    private static final int LOAD_BATCH = 1000;

    private RedisServer server;
    private final List<Jedis> connections = new ArrayList<>();

    @Override
    public String name() {
        return Systems.REDIS;
    }

    @Override
    public String detail() {
        return "redis-server " + server.version() + " on " + RedisServer.HOST + ":" + server.port();
    }

    @Override
    public void load(int keys) {
        server = RedisServer.start();
        try (Jedis j = connect(); Pipeline p = j.pipelined()) {
            for (int k = 0; k < keys; k++) {
                p.set(Dataset.keyBytes(k, new byte[8]), Dataset.value(k, 1, new byte[Dataset.VALUE_BYTES]));
                if (k % LOAD_BATCH == LOAD_BATCH - 1) {
                    p.sync();
                }
            }
            p.sync();
        }
    }

    private synchronized Jedis connect() {
        Jedis j = new Jedis(RedisServer.HOST, server.port());
        connections.add(j);
        return j;
    }

    @Override
    public Reader newReader() {
        Jedis j = connect();
        byte[] key = new byte[8];
        return k -> {
            byte[] v = j.get(Dataset.keyBytes(k, key));
            return v == null ? Double.NaN : Dataset.firstFeature(v);
        };
    }

    @Override
    public Updater newUpdater() {
        Pipeline p = connect().pipelined();
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
    public synchronized void close() {
        for (Jedis j : connections) {
            j.close();
        }
        connections.clear();
        if (server != null) {
            server.close();
        }
    }
}
