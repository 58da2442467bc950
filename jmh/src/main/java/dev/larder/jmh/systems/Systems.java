package dev.larder.jmh.systems;

import java.nio.file.Path;
import java.util.List;

/** The systems the benchmarks know, by the names the harness and {@code larder bench --peers} use. */
public final class Systems {
    public static final String LARDER = "larder";
    public static final String CHM = "chm";
    public static final String CAFFEINE = "caffeine";
    public static final String CHRONICLE = "chronicle";
    public static final String REDIS = "redis";
    /** Baseline, not a peer: the cost of one random memory access over data of Larder's size. */
    public static final String FLOOR = "floor";
    /** Larder first, then the peers and the baseline in the order reports list them. */
    public static final List<String> ALL = List.of(LARDER, CHM, CAFFEINE, CHRONICLE, REDIS, FLOOR);

    private Systems() {
    }

    /** Human-readable description for reports. */
    public static String describe(String name) {
        return switch (name) {
            case LARDER -> "Larder (memory-mapped table, seqlock-validated lock-free reads)";
            case CHM -> "ConcurrentHashMap<Long, byte[]> (on-heap, no copy on read)";
            case CAFFEINE -> "Caffeine Cache<Long, byte[]>, maximumSize = keys";
            case CHRONICLE -> "Chronicle Map<Long, byte[]> persisted to a file, getUsing into a reused byte[]";
            case REDIS -> "Redis on loopback via Jedis (GET of an 8-byte key)";
            case FLOOR -> "baseline: one random 8-byte read from a mapped file of Larder's size "
                    + "(one cache/TLB miss, no index)";
            default -> throw unknown(name);
        };
    }

    /** Creates (not yet loaded) system {@code name} with its files under {@code dir}. */
    public static KvSystem create(String name, Path dir) {
        return switch (name) {
            case LARDER -> new LarderSystem(dir);
            case CHM -> new OnHeapMapSystem(false);
            case CAFFEINE -> new OnHeapMapSystem(true);
            case CHRONICLE -> new ChronicleMapSystem(dir);
            case REDIS -> new RedisSystem();
            case FLOOR -> new MemoryFloorSystem(dir);
            default -> throw unknown(name);
        };
    }

    private static IllegalArgumentException unknown(String name) {
        return new IllegalArgumentException("unknown system '" + name + "'; known: " + String.join(", ", ALL));
    }
}
