package dev.larder.store.engine;

import dev.larder.store.Column;
import dev.larder.store.FeatureSchema;
import dev.larder.store.RowBuffer;
import dev.larder.store.RowImage;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Stateless, thread-safe: canonical entity-key encoding: the same bytes whether the key comes from a data row or from a
 * caller's lookup.
 *
 * <p>Key columns are concatenated in key order: integral types (int8..int64, date, timestamps) as their value widened
 * to int64 (8 bytes, little-endian), so a caller may look up an int32 key with a long; booleans as one byte; strings
 * (UTF-8) and binaries as an int32 length followed by the bytes. Stateless and thread-safe.
 */
public final class KeyCodec {
    public static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    public static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private KeyCodec() {
    }

    /** Maximum encoded key length for the schema. */
    public static int capacity(FeatureSchema schema) {
        int cap = 0;
        for (int i = 0; i < schema.keyColumnCount(); i++) {
            cap += slotWidth(schema.column(schema.keyColumn(i)));
        }
        return cap;
    }

    static int slotWidth(Column c) {
        return switch (c.type()) {
            case BOOLEAN -> 1;
            case STRING, BINARY -> 4 + c.capacity();
            default -> 8;
        };
    }

    /**
     * 64-bit hash of {@code key[0..len)}: 8-byte words mixed with a multiply-xorshift and finalised with MurmurHash3's
     * fmix64, so that sequential integer keys spread over the whole index.
     */
    public static long hash(byte[] key, int len) {
        long h = 0x9E3779B97F4A7C15L ^ len;
        int i = 0;
        for (; i + 8 <= len; i += 8) {
            h = (h ^ mixWord((long) LONGS.get(key, i))) * 0xBF58476D1CE4E5B9L;
        }
        long tail = 0;
        for (int s = 0; i < len; i++, s += 8) {
            tail |= (key[i] & 0xFFL) << s;
        }
        h ^= mixWord(tail);
        return fmix64(h);
    }

    /** {@link #hash} of a single integral key's 8-byte encoding, without the byte array. */
    public static long hashLong(long v) {
        return fmix64(((0x9E3779B97F4A7C15L ^ 8) ^ mixWord(v)) * 0xBF58476D1CE4E5B9L);
    }

    private static long mixWord(long w) {
        w *= 0x87C37B91114253D5L;
        return Long.rotateLeft(w, 31) * 0x4CF5AD432745937FL;
    }

    public static long fmix64(long k) {
        k ^= k >>> 33;
        k *= 0xFF51AFD7ED558CCDL;
        k ^= k >>> 33;
        k *= 0xC4CEB93FE1A85EC5L;
        k ^= k >>> 33;
        return k;
    }

    /** Sets the key columns of {@code dst} from {@link #encodeFromRow}'s encoding at {@code offset} in {@code src}. */
    public static void decodeIntoRow(byte[] src, int offset, RowBuffer dst) {
        FeatureSchema schema = dst.schema();
        int at = offset;
        for (int k = 0; k < schema.keyColumnCount(); k++) {
            int col = schema.keyColumn(k);
            switch (schema.type(col)) {
                case BOOLEAN -> dst.setBoolean(col, src[at++] != 0);
                case STRING, BINARY -> {
                    int len = (int) INTS.get(src, at);
                    dst.setBytes(col, src, at + 4, len);
                    at += 4 + len;
                }
                default -> {
                    dst.setLong(col, (long) LONGS.get(src, at));
                    at += 8;
                }
            }
        }
    }

    /**
     * Encodes the key columns of a row image into {@code dst} (capacity {@link #capacity}); returns the length.
     *
     * @throws IllegalArgumentException naming the column when a key column is null
     */
    public static int encodeFromRow(RowLayoutDescriptor layout, byte[] row, byte[] dst) {
        int len = encodeFromImage(layout, row, 0, dst);
        if (len < 0) {
            throw new IllegalArgumentException("null value in key column '"
                    + layout.schema().column(layout.schema().keyColumn(-len - 1)).name() + "'");
        }
        return len;
    }

    /**
     * Encodes the key held in a row image whose offset 0 is at {@code row[base]} (0 for a whole row; for an image
     * exported by {@link RowBuffer#exportTo}, its offset minus the layout's nulls offset); returns the length, or
     * {@code -(k + 1)} when key column {@code k} is null.
     */
    public static int encodeFromImage(RowLayoutDescriptor layout, byte[] row, int base, byte[] dst) {
        FeatureSchema schema = layout.schema();
        int at = 0;
        for (int k = 0; k < schema.keyColumnCount(); k++) {
            int col = schema.keyColumn(k);
            Column c = schema.column(col);
            if ((row[base + layout.nullsOffset() + (col >>> 3)] & (1 << (col & 7))) != 0) {
                return -(k + 1);
            }
            int off = base + layout.columnOffset(col);
            switch (c.type()) {
                case BOOLEAN -> dst[at++] = row[off];
                case STRING, BINARY -> {
                    int len = (int) INTS.get(row, off);
                    INTS.set(dst, at, len);
                    System.arraycopy(row, off + 4, dst, at + 4, len);
                    at += 4 + len;
                }
                default -> {
                    LONGS.set(dst, at, RowLayoutDescriptor.readIntegral(c.type(), row, off));
                    at += 8;
                }
            }
        }
        return at;
    }
}
