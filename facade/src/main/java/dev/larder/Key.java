package dev.larder;

/**
 * Not thread-safe: one per reader thread. A reusable lookup key for a composite (or any) entity key, from
 * {@link Reader#key()} or {@link Vector.Filler#key()}: set every key position, then pass it to the lookup. Setting
 * allocates nothing.
 *
 * <pre>{@code
 * Reader r = larder.table("sessions").newReader();
 * r.get(r.key().setLong(0, userId).setString(1, country));
 * }</pre>
 */
public final class Key {
    final dev.larder.store.Key key;

    Key(dev.larder.store.Key key) {
        this.key = key;
    }

    /**
     * The shard of this key among {@code count}: Spark SQL's {@code pmod(hash(key columns), count)}, the expression a
     * Databricks job partitions or filters a sharded table by ({@link Source#shards}); every key position must be set.
     *
     * @throws IllegalArgumentException when {@code count} is not positive
     */
    public int shard(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("shard count must be positive, not " + count);
        }
        return dev.larder.store.SparkHash.shardOf(key.sparkHash(), count);
    }

    /**
     * Sets an integral (or date/timestamp) key position.
     *
     * @throws IllegalArgumentException naming the key column if it is not integral
     */
    public Key setLong(int keyPosition, long value) {
        key.setLong(keyPosition, value);
        return this;
    }

    /**
     * Sets a boolean key position.
     *
     * @throws IllegalArgumentException naming the key column if it is not boolean
     */
    public Key setBoolean(int keyPosition, boolean value) {
        key.setBoolean(keyPosition, value);
        return this;
    }

    /**
     * Sets a string key position (UTF-8 encoded, without allocating).
     *
     * @throws IllegalArgumentException naming the key column if it is not a string or the value exceeds its capacity
     */
    public Key setString(int keyPosition, CharSequence value) {
        key.setString(keyPosition, value);
        return this;
    }

    /**
     * Sets a string or binary key position from raw bytes (for strings: UTF-8).
     *
     * @throws IllegalArgumentException naming the key column if it is neither or the value exceeds its capacity
     */
    public Key setBytes(int keyPosition, byte[] value, int offset, int length) {
        key.setBytes(keyPosition, value, offset, length);
        return this;
    }
}
