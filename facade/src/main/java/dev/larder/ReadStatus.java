package dev.larder;

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
    /** The key falls in a shard this store does not hold: ask a replica that holds {@code pmod(hash(key), count)}. */
    NOT_OWNED;

    /**
     * The store's statuses by ordinal: lookups map theirs with one array load. Filled by name, so a status the store
     * gains and this enum lacks fails the class's initialisation (and {@code FacadeTypesTest}), not a lookup.
     */
    private static final ReadStatus[] BY_STORE_ORDINAL =
            EnumsByName.byOrdinal(dev.larder.store.ReadStatus.values(), ReadStatus.class);

    /** The facade's status for the store's {@code s}; allocation-free. */
    static ReadStatus of(dev.larder.store.ReadStatus s) {
        return BY_STORE_ORDINAL[s.ordinal()];
    }

    /**
     * Maps the first {@code n} statuses the store wrote into {@code from} over to {@code to}; nothing when {@code to}
     * is null (the caller asked for no statuses).
     */
    static void copy(dev.larder.store.ReadStatus[] from, ReadStatus[] to, int n) {
        if (to == null) {
            return;
        }
        for (int i = 0; i < n; i++) {
            to[i] = BY_STORE_ORDINAL[from[i].ordinal()];
        }
    }
}
