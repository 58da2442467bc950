package dev.larder.jmh.systems;

import dev.larder.jmh.Dataset;
import java.io.IOException;
import java.nio.file.Path;
import net.openhft.chronicle.map.ChronicleMap;

/**
 * Chronicle Map persisted to a file (memory-mapped like Larder), fixed-size byte[] values read with {@code getUsing}
 * into a per-reader array. Needs the JVM flags of {@link dev.larder.jmh.ChronicleGetBenchmark}'s fork, which the
 * harness also gives its Chronicle child JVM; without them it fails and is reported as not available.
 */
final class ChronicleMapSystem implements KvSystem {
    private final Path dir;
    private ChronicleMap<Long, byte[]> map;

    ChronicleMapSystem(Path dir) {
        this.dir = dir;
    }

    @Override
    public String name() {
        return Systems.CHRONICLE;
    }

    @Override
    public void load(int keys) {
        try {
            map = ChronicleMap.of(Long.class, byte[].class)
                    .name("larder-peer")
                    .entries(keys)
                    .constantValueSizeBySample(new byte[Dataset.VALUE_BYTES])
                    .createPersistedTo(dir.resolve("chronicle.dat").toFile());
        } catch (IOException | RuntimeException | LinkageError e) {
            throw new SystemUnavailableException("Chronicle Map failed to start: " + rootCause(e), e);
        }
        byte[] value = new byte[Dataset.VALUE_BYTES];
        for (long k = 0; k < keys; k++) {
            map.put(k, Dataset.value(k, 1, value));
        }
    }

    private static String rootCause(Throwable e) {
        Throwable c = e;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getClass().getSimpleName() + ": " + c.getMessage();
    }

    @Override
    public Reader newReader() {
        ChronicleMap<Long, byte[]> m = map;
        byte[] using = new byte[Dataset.VALUE_BYTES];
        return key -> {
            byte[] v = m.getUsing(key, using);
            return v == null ? Double.NaN : Dataset.firstFeature(v);
        };
    }

    @Override
    public Updater newUpdater() {
        ChronicleMap<Long, byte[]> m = map;
        byte[] value = new byte[Dataset.VALUE_BYTES];
        return (key, version) -> m.put(key, Dataset.value(key, version, value));
    }

    @Override
    public void close() {
        if (map != null) {
            map.close();
        }
    }
}
