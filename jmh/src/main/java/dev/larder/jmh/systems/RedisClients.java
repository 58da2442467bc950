package dev.larder.jmh.systems;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ObjIntConsumer;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

/**
 * A Redis server on loopback and the connections a benchmark opened to it; thread-safe. Closing it closes every
 * connection, then stops the server.
 */
public final class RedisClients implements AutoCloseable {
    private static final int LOAD_BATCH = 1000;

    private final RedisServer server = RedisServer.start();
    private final List<Jedis> connections = new ArrayList<>();

    /** The server's version and address, for reports. */
    public String detail() {
        return "redis-server " + server.version() + " on " + RedisServer.HOST + ":" + server.port();
    }

    /** A new connection of the caller's own (Jedis connections are not thread-safe). */
    public synchronized Jedis connect() {
        Jedis j = new Jedis(RedisServer.HOST, server.port());
        connections.add(j);
        return j;
    }

    /** Writes entities {@code 0..keys-1} with {@code set(pipeline, key)}, pipelined in round trips of 1,000 keys. */
    public void load(int keys, ObjIntConsumer<Pipeline> set) {
        try (Jedis j = connect(); Pipeline p = j.pipelined()) {
            for (int k = 0; k < keys; k++) {
                set.accept(p, k);
                if (k % LOAD_BATCH == LOAD_BATCH - 1) {
                    p.sync();
                }
            }
            p.sync();
        }
    }

    @Override
    public synchronized void close() {
        for (Jedis j : connections) {
            j.close();
        }
        connections.clear();
        server.close();
    }
}
