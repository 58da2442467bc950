package dev.larder.jmh.e2e;

import dev.larder.store.ColumnType;
import dev.larder.store.FeatureSchema;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The end-to-end scenario's generated features: entity ids {@code 0..keys-1} with {@link #FEATURES} float features
 * split over three tables ({@link #TABLE_FEATURES}: user, item and context style), the value of each a pure function of
 * (key, table, feature) so that every source serves the same numbers and a test can check what it got. Larder stores
 * them as float32 columns {@code t<t>_f<i>} under an int64 key {@code id}; the key-value peers store one
 * little-endian float32 value per (table, key).
 */
public final class E2eData {
    /** Features per table, in the model's column order. */
    static final int[] TABLE_FEATURES = {13, 13, 14};
    /** Features per entity: the model's input width. */
    public static final int FEATURES = 40;
    /** Candidates scored by one ranking request. */
    public static final int CANDIDATES = 100;
    /** The tables' names, in {@link #TABLE_FEATURES} order. */
    static final String[] TABLES = {"user", "item", "context"};

    private static final VarHandle FLOATS =
            MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);

    private E2eData() {
    }

    /** Model column of table {@code t}'s feature 0. */
    static int firstFeature(int t) {
        int f = 0;
        for (int i = 0; i < t; i++) {
            f += TABLE_FEATURES[i];
        }
        return f;
    }

    static FeatureSchema schema(int t) {
        FeatureSchema.Builder b = FeatureSchema.builder().keyColumn("id", ColumnType.INT64);
        for (int i = 0; i < TABLE_FEATURES[t]; i++) {
            b.column(column(t, i), ColumnType.FLOAT32);
        }
        return b.build();
    }

    static String column(int t, int i) {
        return "t" + t + "_f" + i;
    }

    /** Feature {@code i} of table {@code t} for entity {@code key}: a hash of the three, uniform in [0, 1). */
    static float feature(long key, int t, int i) {
        long z = key * 0x9E3779B97F4A7C15L + (t * 16L + i + 1) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return (z >>> 40) * 0x1.0p-24f;
    }

    /** Entity {@code key}'s {@link #FEATURES} features into {@code out[off..off+FEATURES)}, in model column order. */
    static void entity(long key, float[] out, int off) {
        int f = off;
        for (int t = 0; t < TABLE_FEATURES.length; t++) {
            for (int i = 0; i < TABLE_FEATURES[t]; i++) {
                out[f++] = feature(key, t, i);
            }
        }
    }

    /** Table {@code t}'s value bytes for {@code key}: its features as little-endian float32. */
    static byte[] value(long key, int t, byte[] out) {
        for (int i = 0; i < TABLE_FEATURES[t]; i++) {
            FLOATS.set(out, i * Float.BYTES, feature(key, t, i));
        }
        return out;
    }

    /** Decodes a {@link #value} of table {@code t} into {@code out[off..)}. */
    static void decode(byte[] value, int t, float[] out, int off) {
        for (int i = 0; i < TABLE_FEATURES[t]; i++) {
            out[off + i] = (float) FLOATS.get(value, i * Float.BYTES);
        }
    }

    /** The 9-byte key of (table {@code t}, {@code key}) in a key-value peer: the table's index, then the key LE. */
    static byte[] keyBytes(int t, long key, byte[] out) {
        out[0] = (byte) t;
        for (int i = 0; i < 8; i++) {
            out[1 + i] = (byte) (key >>> (8 * i));
        }
        return out;
    }
}
