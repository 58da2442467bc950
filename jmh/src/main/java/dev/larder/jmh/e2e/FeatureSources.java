package dev.larder.jmh.e2e;

import java.nio.file.Path;
import java.util.List;

/** The end-to-end scenario's feature sources, by the names reports and {@code summary.json} use. */
public final class FeatureSources {
    /** Larder: three tables, one {@code FeatureVector}. */
    public static final String LARDER = "larder";
    /** Redis on loopback: one {@code MGET} round trip per request. */
    public static final String REDIS = "redis";
    /** Chronicle Map: one map per table. */
    public static final String CHRONICLE = "chronicle";
    /** Baseline: a plain Java array, i.e. the model's own cost. */
    public static final String ARRAY = "array";
    /** Every source, in report order. */
    public static final List<String> ALL = List.of(LARDER, REDIS, CHRONICLE, ARRAY);

    private FeatureSources() {
    }

    /** Human-readable description for reports. */
    public static String describe(String name) {
        return switch (name) {
            case LARDER -> "Larder: 3 tables (13 + 13 + 14 float32 features), one FeatureVectorReader.fill per entity;"
                    + " updates pushed through the ingest ring, no fsync while measuring (as the peers)";
            case REDIS -> "Redis on loopback via Jedis: one value per (table, entity), one MGET round trip per request";
            case CHRONICLE -> "Chronicle Map: one map per table, getUsing into reused byte[] (3 gets per entity)";
            case ARRAY -> "baseline: every entity's 40 features in one on-heap float[] (the model's own cost)";
            default -> throw unknown(name);
        };
    }

    /** Creates (not yet loaded) source {@code name} with its files under {@code dir}. */
    public static FeatureSource create(String name, Path dir) {
        return switch (name) {
            case LARDER -> new LarderFeatures(dir);
            case REDIS -> new RedisFeatures();
            case CHRONICLE -> new ChronicleFeatures(dir);
            case ARRAY -> new ArrayFeatures();
            default -> throw unknown(name);
        };
    }

    private static IllegalArgumentException unknown(String name) {
        return new IllegalArgumentException("unknown feature source '" + name + "'; known: " + String.join(", ", ALL));
    }
}
