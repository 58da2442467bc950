package dev.larder.snapshot;

import dev.larder.store.ColumnType;
import dev.larder.store.FeatureSchema;
import dev.larder.store.RowImage;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Typed, allocation-free comparison of two row images of one schema, and an order-independent hash of a row's key; for
 * {@link TableParity#verify}, which compares millions of rows and must not render them to compare them. One thread.
 *
 * <p>Values compare as their JSON renderings do ({@link JsonRowFormat}): floats by {@link Double#doubleToLongBits}
 * (every NaN equal, -0.0 not 0.0), strings and binaries by their bytes, decimals by unscaled value (allocating only
 * for decimals wider than 18 digits).
 */
final class RowParity {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final ColumnType[] types;
    private final boolean[] wideDecimal;
    private final int[] dimension;
    private final int[] keyColumns;
    private byte[] a = new byte[64];
    private byte[] b = new byte[64];
    private float[] fa = new float[0];
    private float[] fb = new float[0];

    RowParity(FeatureSchema schema) {
        int n = schema.columnCount();
        types = new ColumnType[n];
        wideDecimal = new boolean[n];
        dimension = new int[n];
        for (int c = 0; c < n; c++) {
            types[c] = schema.type(c);
            wideDecimal[c] = types[c] == ColumnType.DECIMAL && schema.column(c).precision() > 18;
            dimension[c] = types[c] == ColumnType.FLOAT32_ARRAY ? schema.column(c).dimension() : 0;
        }
        keyColumns = schema.keyColumns();
    }

    /** The first column at or after {@code from} whose value differs between the two rows, or -1 if none does. */
    int nextDifference(RowImage want, RowImage got, int from) {
        for (int c = from; c < types.length; c++) {
            if (!same(want, got, c)) {
                return c;
            }
        }
        return -1;
    }

    private boolean same(RowImage want, RowImage got, int c) {
        boolean wantNull = want.isNull(c);
        if (wantNull || got.isNull(c)) {
            return wantNull == got.isNull(c);
        }
        return switch (types[c]) {
            case BOOLEAN -> want.getBoolean(c) == got.getBoolean(c);
            case FLOAT32 -> Float.floatToIntBits(want.getFloat(c)) == Float.floatToIntBits(got.getFloat(c));
            case FLOAT64 -> Double.doubleToLongBits(want.getDouble(c)) == Double.doubleToLongBits(got.getDouble(c));
            case DECIMAL -> wideDecimal[c] ? want.getDecimal(c).equals(got.getDecimal(c))
                    : want.getDecimalUnscaled(c) == got.getDecimalUnscaled(c);
            case STRING, BINARY, OPAQUE -> sameBytes(want, got, c);
            case FLOAT32_ARRAY -> sameFloats(want, got, c);
            default -> want.getLong(c) == got.getLong(c);
        };
    }

    private boolean sameBytes(RowImage want, RowImage got, int c) {
        int len = want.getLength(c);
        if (len != got.getLength(c)) {
            return false;
        }
        if (a.length < len) {
            a = new byte[Math.max(len, a.length * 2)];
            b = new byte[a.length];
        }
        want.getBytes(c, a, 0);
        got.getBytes(c, b, 0);
        return Arrays.equals(a, 0, len, b, 0, len);
    }

    private boolean sameFloats(RowImage want, RowImage got, int c) {
        int dim = dimension[c];
        if (fa.length < dim) {
            fa = new float[dim];
            fb = new float[dim];
        }
        want.getFloatArray(c, fa, 0);
        got.getFloatArray(c, fb, 0);
        for (int i = 0; i < dim; i++) {
            if (Float.floatToIntBits(fa[i]) != Float.floatToIntBits(fb[i])) {
                return false;
            }
        }
        return true;
    }

    /**
     * A 64-bit hash of the row's key values (non-null, as every stored or looked-up key is): equal keys hash equal
     * whichever image holds them, so sums of it over two sides tell whether they hold the same keys.
     */
    long keyHash(RowImage row) {
        long h = 0x9E3779B97F4A7C15L;
        for (int c : keyColumns) {
            switch (types[c]) {
                case BOOLEAN -> h = mix(h, row.getBoolean(c) ? 1 : 0);
                case STRING, BINARY -> {
                    int len = row.getLength(c);
                    if (a.length < len) {
                        a = new byte[Math.max(len, a.length * 2)];
                        b = new byte[a.length];
                    }
                    row.getBytes(c, a, 0);
                    h = mix(h, hashBytes(a, 0, len));
                }
                default -> h = mix(h, row.getLong(c));
            }
        }
        return fmix64(h);
    }

    /** A 64-bit hash of {@code bytes[offset..offset + length)}, the length included. */
    static long hashBytes(byte[] bytes, int offset, int length) {
        long h = mix(0x9E3779B97F4A7C15L, length);
        int i = offset;
        int end = offset + length;
        for (; i + 8 <= end; i += 8) {
            h = mix(h, (long) LONGS.get(bytes, i));
        }
        long tail = 0;
        for (int s = 0; i < end; i++, s += 8) {
            tail |= (bytes[i] & 0xFFL) << s;
        }
        return fmix64(mix(h, tail));
    }

    private static long mix(long h, long word) {
        long w = Long.rotateLeft(word * 0x87C37B91114253D5L, 31) * 0x4CF5AD432745937FL;
        return (h ^ w) * 0xBF58476D1CE4E5B9L;
    }

    private static long fmix64(long k) {
        k ^= k >>> 33;
        k *= 0xFF51AFD7ED558CCDL;
        k ^= k >>> 33;
        k *= 0xC4CEB93FE1A85EC5L;
        k ^= k >>> 33;
        return k;
    }
}
