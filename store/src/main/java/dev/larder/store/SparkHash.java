package dev.larder.store;

import dev.larder.store.engine.KeyCodec;

/**
 * Stateless and thread-safe: Spark SQL's {@code hash(...)} (Murmur3Hash, Murmur3_x86_32 with seed 42) and
 * {@code pmod(hash(key columns), n)}, so that a key's shard here is the one a Databricks job computes with
 * {@code pmod(hash(k1, k2, ...), n)}.
 *
 * <p>Spark chains the columns: each column's hash is seeded with the previous one's, and a null leaves the seed as it
 * is. Booleans, bytes, shorts, ints and dates hash as an int; longs and timestamps as a long; strings and binaries by
 * Spark's own byte hash, which mixes the tail bytes one at a time (sign-extended) where standard Murmur3 packs them in
 * one word, so Guava's and other libraries' Murmur3 give other values for lengths not a multiple of 4.
 */
public final class SparkHash {
    /** The seed of Spark's {@code hash} function. */
    public static final int SEED = 42;
    private static final int C1 = 0xcc9e2d51;
    private static final int C2 = 0x1b873593;

    private SparkHash() {
    }

    /** Spark's hash of an int (also byte, short, boolean as 1/0, date as days) with {@code seed}. */
    public static int hashInt(int value, int seed) {
        return fmix(mixH1(seed, mixK1(value)), 4);
    }

    /** Spark's hash of a long (also timestamps, as microseconds) with {@code seed}. */
    public static int hashLong(long value, int seed) {
        int h1 = mixH1(seed, mixK1((int) value));
        h1 = mixH1(h1, mixK1((int) (value >>> 32)));
        return fmix(h1, 8);
    }

    /** Spark's hash of {@code length} bytes from {@code offset} (UTF-8 of a string, or a binary) with {@code seed}. */
    public static int hashBytes(byte[] bytes, int offset, int length, int seed) {
        int aligned = length - length % 4;
        int h1 = seed;
        for (int i = 0; i < aligned; i += 4) {
            int word = (bytes[offset + i] & 0xFF) | (bytes[offset + i + 1] & 0xFF) << 8
                    | (bytes[offset + i + 2] & 0xFF) << 16 | bytes[offset + i + 3] << 24;
            h1 = mixH1(h1, mixK1(word));
        }
        for (int i = aligned; i < length; i++) {
            h1 = mixH1(h1, mixK1(bytes[offset + i]));
        }
        return fmix(h1, length);
    }

    /** Spark's {@code pmod(hash, shards)}: the shard, in {@code [0, shards)}. */
    public static int shardOf(int hash, int shards) {
        return Math.floorMod(hash, shards);
    }

    /**
     * Spark's {@code hash(key columns)} of a key in Larder's canonical encoding ({@link KeyCodec}: integral columns as
     * int64, booleans as one byte, strings and binaries as an int32 length and their bytes), each column hashed as
     * Spark hashes its declared type. Key columns are never null.
     */
    static int hashKey(FeatureSchema schema, byte[] key) {
        int h = SEED;
        int at = 0;
        for (int k = 0; k < schema.keyColumnCount(); k++) {
            ColumnType type = schema.type(schema.keyColumn(k));
            switch (type) {
                case BOOLEAN -> h = hashInt(key[at++] != 0 ? 1 : 0, h);
                case STRING, BINARY -> {
                    int len = (int) KeyCodec.INTS.get(key, at);
                    h = hashBytes(key, at + 4, len, h);
                    at += 4 + len;
                }
                case INT64, TIMESTAMP, TIMESTAMP_NTZ -> {
                    h = hashLong((long) KeyCodec.LONGS.get(key, at), h);
                    at += 8;
                }
                default -> {
                    h = hashInt((int) (long) KeyCodec.LONGS.get(key, at), h);
                    at += 8;
                }
            }
        }
        return h;
    }

    private static int mixK1(int k1) {
        return Integer.rotateLeft(k1 * C1, 15) * C2;
    }

    private static int mixH1(int h1, int k1) {
        return Integer.rotateLeft(h1 ^ k1, 13) * 5 + 0xe6546b64;
    }

    private static int fmix(int h1, int length) {
        int h = h1 ^ length;
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }
}
