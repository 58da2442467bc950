package dev.larder.store;

import dev.larder.store.engine.KeyCodec;
import dev.larder.store.engine.Utf8;

/**
 * A reusable lookup key for tables sharing one key schema (composite keys included); set every key position, then pass
 * it to {@link TableReader#get(Key)}. Not thread-safe: one per reader thread. Setting and encoding allocate nothing.
 */
public final class Key {
    private final FeatureSchema schema;
    private final Column[] columns;
    private final long[] longs;
    private final byte[][] variable;
    private final int[] variableLength;
    private final boolean[] set;
    final byte[] encoded;
    int encodedLength;
    long hash;
    private boolean dirty = true;

    public Key(FeatureSchema schema) {
        this.schema = schema;
        int n = schema.keyColumnCount();
        this.columns = new Column[n];
        this.longs = new long[n];
        this.variable = new byte[n][];
        this.variableLength = new int[n];
        this.set = new boolean[n];
        for (int k = 0; k < n; k++) {
            columns[k] = schema.column(schema.keyColumn(k));
            if (columns[k].type().isVariableWidth()) {
                variable[k] = new byte[columns[k].capacity()];
            }
        }
        this.encoded = new byte[KeyCodec.capacity(schema)];
    }

    public FeatureSchema schema() {
        return schema;
    }

    /** Spark SQL's {@code hash(key columns)} of this key ({@link SparkHash}): its shard is {@code pmod} of this. */
    public int sparkHash() {
        encode();
        return SparkHash.hashKey(schema, encoded);
    }

    /** Sets an integral (or date/timestamp) key position. */
    public Key setLong(int keyPosition, long value) {
        Column c = columns[keyPosition];
        if (!c.type().isIntegral()) {
            throw new IllegalArgumentException("key column " + c.name() + " is " + c.typeString() + ", not integral");
        }
        longs[keyPosition] = value;
        return mark(keyPosition);
    }

    public Key setBoolean(int keyPosition, boolean value) {
        Column c = columns[keyPosition];
        if (c.type() != ColumnType.BOOLEAN) {
            throw new IllegalArgumentException("key column " + c.name() + " is " + c.typeString() + ", not boolean");
        }
        longs[keyPosition] = value ? 1 : 0;
        return mark(keyPosition);
    }

    public Key setString(int keyPosition, CharSequence value) {
        Column c = columns[keyPosition];
        if (c.type() != ColumnType.STRING) {
            throw new IllegalArgumentException("key column " + c.name() + " is " + c.typeString() + ", not string");
        }
        int len = Utf8.encode(value, variable[keyPosition], 0, c.capacity());
        if (len < 0) {
            throw new IllegalArgumentException("key value of " + Utf8.encodedLength(value)
                    + " bytes exceeds the capacity of key column " + c.name() + " (" + c.typeString() + ")");
        }
        variableLength[keyPosition] = len;
        return mark(keyPosition);
    }

    public Key setBytes(int keyPosition, byte[] value, int offset, int length) {
        Column c = columns[keyPosition];
        if (!c.type().isVariableWidth()) {
            throw new IllegalArgumentException("key column " + c.name() + " is " + c.typeString()
                    + ", not string/binary");
        }
        if (length > c.capacity()) {
            throw new IllegalArgumentException("key value of " + length + " bytes exceeds the capacity of key column "
                    + c.name());
        }
        System.arraycopy(value, offset, variable[keyPosition], 0, length);
        variableLength[keyPosition] = length;
        return mark(keyPosition);
    }

    private Key mark(int keyPosition) {
        set[keyPosition] = true;
        dirty = true;
        return this;
    }

    /**
     * Copies this key's canonical encoding ({@link KeyCodec}: integral columns as 8 little-endian bytes, a boolean as
     * one byte, a string as a little-endian int32 length and its UTF-8 bytes) into {@code dst} at {@code offset},
     * which must have room for {@link #encodedCapacity()} bytes; allocates nothing.
     *
     * @return the encoded length
     * @throws IllegalStateException naming a key column that was not set
     */
    public int copyEncoded(byte[] dst, int offset) {
        int len = encode();
        System.arraycopy(encoded, 0, dst, offset, len);
        return len;
    }

    /** The longest encoding of a key of this schema, for {@link #copyEncoded}. */
    public int encodedCapacity() {
        return encoded.length;
    }

    /** Encodes (once per change) and returns the encoded length; every position must have been set. */
    int encode() {
        if (!dirty) {
            return encodedLength;
        }
        int at = 0;
        for (int k = 0; k < columns.length; k++) {
            if (!set[k]) {
                throw new IllegalStateException("key column " + columns[k].name() + " was not set");
            }
            switch (columns[k].type()) {
                case BOOLEAN -> encoded[at++] = (byte) longs[k];
                case STRING, BINARY -> {
                    KeyCodec.INTS.set(encoded, at, variableLength[k]);
                    System.arraycopy(variable[k], 0, encoded, at + 4, variableLength[k]);
                    at += 4 + variableLength[k];
                }
                default -> {
                    KeyCodec.LONGS.set(encoded, at, longs[k]);
                    at += 8;
                }
            }
        }
        encodedLength = at;
        hash = KeyCodec.hash(encoded, at);
        dirty = false;
        return at;
    }

    /**
     * Whether this key's schema encodes the same way as {@code other}'s key columns (so one Key serves both tables).
     */
    public boolean compatibleWith(FeatureSchema other) {
        if (other.keyColumnCount() != columns.length) {
            return false;
        }
        for (int k = 0; k < columns.length; k++) {
            Column o = other.column(other.keyColumn(k));
            Column c = columns[k];
            boolean same = c.type().isIntegral() ? o.type().isIntegral()
                    : o.type() == c.type() && (!c.type().isVariableWidth() || o.capacity() >= c.capacity());
            if (!same) {
                return false;
            }
        }
        return true;
    }
}
