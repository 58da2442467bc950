package dev.larder.jmh.systems;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.larder.jmh.Dataset;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The on-heap peers: {@code ConcurrentHashMap<Long, byte[]>} or a size-bounded Caffeine cache (its eviction policy
 * bookkeeping on reads is what a cache user pays). Values are immutable arrays, so an update publishes a new array.
 */
final class OnHeapMapSystem implements KvSystem {
    private final boolean caffeine;
    private Map<Long, byte[]> map;

    OnHeapMapSystem(boolean caffeine) {
        this.caffeine = caffeine;
    }

    @Override
    public String name() {
        return caffeine ? Systems.CAFFEINE : Systems.CHM;
    }

    @Override
    public void load(int keys) {
        if (caffeine) {
            Cache<Long, byte[]> cache = Caffeine.newBuilder().maximumSize(keys).build();
            map = cache.asMap();
        } else {
            map = new ConcurrentHashMap<>(keys * 2);
        }
        for (int k = 0; k < keys; k++) {
            map.put((long) k, Dataset.value(k, 1, new byte[Dataset.VALUE_BYTES]));
        }
    }

    @Override
    public Reader newReader() {
        Map<Long, byte[]> m = map;
        return key -> {
            byte[] v = m.get(key);
            return v == null ? Double.NaN : Dataset.firstFeature(v);
        };
    }

    @Override
    public Updater newUpdater() {
        Map<Long, byte[]> m = map;
        return (key, version) -> m.put(key, Dataset.value(key, version, new byte[Dataset.VALUE_BYTES]));
    }

    @Override
    public void close() {
        map = null;
    }
}
