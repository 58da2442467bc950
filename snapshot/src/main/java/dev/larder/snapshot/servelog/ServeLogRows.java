package dev.larder.snapshot.servelog;

/**
 * Not thread-safe: the drain thread's columnar buffer of served vectors awaiting their commit, preallocated for
 * {@link #capacity()} rows and reused after each commit. Rows are added with {@link #add}, then their values written
 * into the public arrays at the returned index.
 */
public final class ServeLogRows {
    /** {@link #reasons} code: the value came from data. */
    public static final byte FROM_DATA = 0;
    /** {@link #reasons} code: no row for the key. */
    public static final byte NOT_FOUND = 1;
    /** {@link #reasons} code: the row's value is null, or the table lacks the column. */
    public static final byte NULL = 2;
    /** {@link #reasons} code: the row is older than the table's TTL. */
    public static final byte EXPIRED = 3;
    /** {@link #reasons} code: the key falls in a shard this store does not hold. */
    public static final byte NOT_OWNED = 4;
    /** {@link #commitTs} for a version whose commit timestamp is not known. */
    public static final long UNKNOWN = Long.MIN_VALUE;
    static final String[] REASON_NAMES = {null, "NOT_FOUND", "NULL", "EXPIRED", "NOT_OWNED"};

    private final ServeLogLayout layout;
    private final int capacity;
    private int size;
    /** The caller's request id, or a generated one. */
    public final long[] requestId;
    /** Serving time, epoch millis. */
    public final long[] servedAtMillis;
    /** The entity key when it is one integral column (else null): {@link #longKey longKey(0)}. */
    public final long[] key;
    /** Per key column, by its kind: a long[], boolean[] or String[] of the column's value per row. */
    private final Object[] keys;
    /** {@code values[f][row]}: feature {@code f} as served. */
    public final double[][] values;
    /** {@code reasons[f][row]}: why feature {@code f} was a default ({@link #FROM_DATA} if it was not). */
    public final byte[][] reasons;
    /** {@code versions[t][row]}: the Delta version of the row read from table {@code t}, -1 when none was. */
    public final long[][] versions;
    /** {@code commitTs[t][row]}: the commit timestamp (epoch millis) of that version, {@link #UNKNOWN} if unknown. */
    public final long[][] commitTs;
    /** Per table, its source's path or URI, the same for every row of a commit (null: unknown). */
    public final String[] sources;
    /** Per table, its Delta table id (null: unknown). */
    public final String[] tableIds;
    /** The caller's tags, the same for every row (null: none). */
    private String model;
    private String modelVersion;

    /** A buffer of {@code capacity} rows of {@code layout}. */
    public ServeLogRows(ServeLogLayout layout, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.layout = layout;
        this.capacity = capacity;
        int features = layout.features().size();
        int tables = layout.tables().size();
        requestId = new long[capacity];
        servedAtMillis = new long[capacity];
        keys = new Object[layout.keys().size()];
        for (int k = 0; k < keys.length; k++) {
            keys[k] = switch (layout.keyKinds().get(k)) {
                case LONG -> new long[capacity];
                case BOOLEAN -> new boolean[capacity];
                case STRING -> new String[capacity];
            };
        }
        key = keys.length == 1 && keys[0] instanceof long[] l ? l : null;
        values = new double[features][capacity];
        reasons = new byte[features][capacity];
        versions = new long[tables][capacity];
        commitTs = new long[tables][capacity];
        sources = new String[tables];
        tableIds = new String[tables];
    }

    /** Key column {@code k}'s values, a {@link ServeLogLayout.KeyKind#LONG} column. */
    public long[] longKey(int k) {
        return (long[]) keys[k];
    }

    /** Key column {@code k}'s values, a {@link ServeLogLayout.KeyKind#BOOLEAN} column. */
    public boolean[] booleanKey(int k) {
        return (boolean[]) keys[k];
    }

    /** Key column {@code k}'s values, a {@link ServeLogLayout.KeyKind#STRING} column. */
    public String[] stringKey(int k) {
        return (String[]) keys[k];
    }

    /** What the log says for reason {@code code}: null for {@link #FROM_DATA}, else the reason's name. */
    public static String reasonName(byte code) {
        return REASON_NAMES[code];
    }

    public ServeLogLayout layout() {
        return layout;
    }

    public int capacity() {
        return capacity;
    }

    public int size() {
        return size;
    }

    public boolean full() {
        return size == capacity;
    }

    /** Sets the model name and version every row is tagged with (either may be null). */
    public void tags(String modelName, String version) {
        this.model = modelName;
        this.modelVersion = version;
    }

    String model() {
        return model;
    }

    String modelVersion() {
        return modelVersion;
    }

    /**
     * Claims the next row.
     *
     * @return its index, where the caller writes every field
     * @throws IllegalStateException if the buffer is full
     */
    public int add() {
        if (size == capacity) {
            throw new IllegalStateException("the buffer holds its " + capacity + " rows");
        }
        return size++;
    }

    /** Empties the buffer for reuse. */
    public void clear() {
        size = 0;
    }
}
