package dev.larder.store;

/** Outcome of a lookup, per key (and, for single-column reads, per value). */
public enum ReadStatus {
    /** The key exists and the row is within the table's TTL. */
    FOUND,
    /** No row for the key. */
    NOT_FOUND,
    /** The row exists but the requested column holds null (single-column and vector reads only). */
    NULL,
    /** The row exists but its commit timestamp is older than the table's TTL; values are still readable. */
    EXPIRED,
    /**
     * The key falls in a shard this store does not hold ({@link ShardSpec}): ask a replica that holds
     * {@code pmod(hash(key), count)}.
     */
    NOT_OWNED
}
