package dev.larder.jmh;

import dev.larder.store.ColumnType;
import dev.larder.store.FeatureSchema;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The data every system is loaded with, so that all of them serve the same keys and the same value bytes: entity ids
 * {@code 0..keys-1}, each with {@link #FEATURES} float64 features. Larder stores them as typed columns (a ~216-byte
 * row with its header); the key-value peers store the same 20 doubles as a {@link #VALUE_BYTES}-byte little-endian
 * value.
 */
public final class Dataset {
    public static final int FEATURES = 20;
    public static final int VALUE_BYTES = FEATURES * Double.BYTES;
    /** Larder column of feature 0 (column 0 is the key). */
    public static final int FIRST_FEATURE_COLUMN = 1;

    private static final VarHandle DOUBLES = MethodHandles.byteArrayViewVarHandle(double[].class,
            ByteOrder.LITTLE_ENDIAN);

    private Dataset() {
    }

    public static FeatureSchema schema() {
        FeatureSchema.Builder b = FeatureSchema.builder().keyColumn("id", ColumnType.INT64);
        for (int i = 0; i < FEATURES; i++) {
            b.column("f" + i, ColumnType.FLOAT64);
        }
        return b.build();
    }

    /** Feature {@code i} of entity {@code key} as written by {@code version}; readers can check what they got. */
    public static double feature(long key, long version, int i) {
        return key * 0.25 + version + i;
    }

    /** Encodes the features of {@code key} at {@code version} into {@code out[0..VALUE_BYTES)}. */
    public static byte[] value(long key, long version, byte[] out) {
        for (int i = 0; i < FEATURES; i++) {
            DOUBLES.set(out, i * Double.BYTES, feature(key, version, i));
        }
        return out;
    }

    /** Feature 0 of a value encoded by {@link #value}. */
    public static double firstFeature(byte[] value) {
        return (double) DOUBLES.get(value, 0);
    }

    /** Writes a key as 8 little-endian bytes (the peers' binary key). */
    public static byte[] keyBytes(long key, byte[] out) {
        for (int i = 0; i < 8; i++) {
            out[i] = (byte) (key >>> (8 * i));
        }
        return out;
    }
}
