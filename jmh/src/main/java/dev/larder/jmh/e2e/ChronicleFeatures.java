package dev.larder.jmh.e2e;

import dev.larder.jmh.systems.KvSystem;
import dev.larder.jmh.systems.SystemUnavailableException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.openhft.chronicle.map.ChronicleMap;

/**
 * Chronicle Map as a feature store: one map per table persisted to a file, fixed-size float32 values read with
 * {@code getUsing} into per-fetcher arrays; a ranking request is 300 gets (Chronicle Map has no batch read). Needs the
 * JVM flags of {@link dev.larder.jmh.ChronicleGetBenchmark}'s fork, as the key-value harness's Chronicle does.
 */
final class ChronicleFeatures implements FeatureSource {
    private final Path dir;
    private final List<ChronicleMap<Long, byte[]>> maps = new ArrayList<>();

    ChronicleFeatures(Path dir) {
        this.dir = dir;
    }

    @Override
    public String name() {
        return FeatureSources.CHRONICLE;
    }

    @Override
    public void load(int keys) {
        for (int t = 0; t < E2eData.TABLES.length; t++) {
            ChronicleMap<Long, byte[]> map;
            try {
                map = ChronicleMap.of(Long.class, byte[].class)
                        .name("larder-e2e-" + E2eData.TABLES[t])
                        .entries(keys)
                        .constantValueSizeBySample(new byte[E2eData.TABLE_FEATURES[t] * Float.BYTES])
                        .createPersistedTo(dir.resolve("e2e-" + E2eData.TABLES[t] + ".dat").toFile());
            } catch (IOException | RuntimeException | LinkageError e) {
                throw new SystemUnavailableException("Chronicle Map failed to start: " + e, e);
            }
            maps.add(map);
            byte[] value = new byte[E2eData.TABLE_FEATURES[t] * Float.BYTES];
            for (long k = 0; k < keys; k++) {
                map.put(k, E2eData.value(k, t, value));
            }
        }
    }

    @Override
    public Fetcher newFetcher() {
        int tables = maps.size();
        List<ChronicleMap<Long, byte[]>> ms = List.copyOf(maps);
        byte[][] using = new byte[tables][];
        for (int t = 0; t < tables; t++) {
            using[t] = new byte[E2eData.TABLE_FEATURES[t] * Float.BYTES];
        }
        return new Fetcher() {
            @Override
            public int fetch(long key, float[] out) {
                return get(key, out, 0);
            }

            @Override
            public int fetchBatch(long[] keys, int n, float[] out) {
                int found = 0;
                for (int i = 0; i < n; i++) {
                    found += get(keys[i], out, i * E2eData.FEATURES);
                }
                return found;
            }

            private int get(long key, float[] out, int off) {
                int found = 0;
                for (int t = 0; t < tables; t++) {
                    int at = off + E2eData.firstFeature(t);
                    byte[] v = ms.get(t).getUsing(key, using[t]);
                    if (v == null) {
                        java.util.Arrays.fill(out, at, at + E2eData.TABLE_FEATURES[t], Float.NaN);
                    } else {
                        E2eData.decode(v, t, out, at);
                        found += E2eData.TABLE_FEATURES[t];
                    }
                }
                return found;
            }
        };
    }

    @Override
    public KvSystem.Updater newUpdater() {
        List<ChronicleMap<Long, byte[]>> ms = List.copyOf(maps);
        byte[][] values = new byte[ms.size()][];
        for (int t = 0; t < values.length; t++) {
            values[t] = new byte[E2eData.TABLE_FEATURES[t] * Float.BYTES];
        }
        return (key, version) -> {
            int t = (int) (version % values.length);
            ms.get(t).put(key, E2eData.value(key, t, values[t]));
        };
    }

    @Override
    public void close() {
        for (ChronicleMap<Long, byte[]> m : maps) {
            m.close();
        }
    }
}
