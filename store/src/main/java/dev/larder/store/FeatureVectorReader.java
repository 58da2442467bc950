package dev.larder.store;

import dev.larder.store.engine.KeyCodec;

/**
 * Assembles one {@link FeatureVector} per call for ONE thread: one projected lookup per table, reading only that
 * table's features (each its value or its default) straight into the caller's array. Allocation-free, except when a
 * table's holder supplies a new generation ({@link FeatureVector.Builder#add(FeatureTable,
 * java.util.function.Supplier, String, double)}): the reader then moves to it, re-resolving its columns by name.
 */
public final class FeatureVectorReader {
    private final FeatureVector vector;
    private final TableReader[] readers;
    private final Projection[] projections;
    /** Scratch for {@link #touchAll}: each table's home index slot of the key being read. */
    private final long[] homeSlots;
    private final Key key;
    /** Scratch for a single integral key's encoding (eight bytes, {@link KeyCodec}). */
    private final byte[] longKey = new byte[8];

    FeatureVectorReader(FeatureVector vector) {
        this.vector = vector;
        this.readers = new TableReader[vector.tables.length];
        this.projections = new Projection[vector.tables.length];
        this.homeSlots = new long[vector.tables.length];
        // The vector's tables may have new generations since it was built (a re-bootstrap): read the current ones.
        for (int t = 0; t < readers.length; t++) {
            moveTo(t, vector.tables[t].get());
        }
        this.key = new Key(readers[0].table().schema());
    }

    /** Moves table {@code t}'s reader to the generation its holder serves now, if that changed. */
    private TableReader reader(int t) {
        TableReader r = readers[t];
        FeatureTable current = vector.tables[t].get();
        if (current != r.table()) {
            moveTo(t, current);
            r = readers[t];
        }
        return r;
    }

    /**
     * Points table {@code t}'s features at generation {@code table}. The reader and projection are made first (the
     * reader throws for a closed table), so a failure changes nothing. A generation without a feature's column (a
     * narrower selection) serves the feature's default, with status NULL.
     */
    private void moveTo(int t, FeatureTable table) {
        TableReader r = table.newReader();
        FeatureSchema schema = table.schema();
        int n = 0;
        for (int i = 0; i < vector.featureTable.length; i++) {
            n += vector.featureTable[i] == t ? 1 : 0;
        }
        int[] columns = new int[n];
        int[] target = new int[n];
        double[] defaults = new double[n];
        int j = 0;
        for (int i = 0; i < vector.featureTable.length; i++) {
            if (vector.featureTable[i] == t) {
                String name = vector.featureColumnName[i];
                columns[j] = schema.hasColumn(name) ? schema.indexOf(name) : Projection.MISSING;
                target[j] = i;
                defaults[j] = vector.defaults[i];
                j++;
            }
        }
        projections[t] = Projection.of(schema, columns, target, defaults);
        readers[t] = r;
    }

    /** A reusable key to fill for {@link #fill(Key, float[], ReadStatus[])} (composite entity keys). */
    public Key key() {
        return key;
    }

    /**
     * Fills {@code out[0..size)} for an entity with a single integral key; {@code status} (may be null) receives each
     * feature's status: FOUND, NULL (null value, or a column the table lacks), or its table's NOT_FOUND or EXPIRED
     * (expired rows fall back to defaults: a model should not silently consume features older than the table's TTL).
     * Returns the number of features that came from data rather than defaults.
     */
    public int fill(long entityKey, float[] out, ReadStatus[] status) {
        KeyCodec.LONGS.set(longKey, 0, entityKey);
        return fill(longKey, 8, KeyCodec.hashLong(entityKey), null, out, status);
    }

    /** As {@link #fill(long, float[], ReadStatus[])} into a double[]. */
    public int fill(long entityKey, double[] out, ReadStatus[] status) {
        KeyCodec.LONGS.set(longKey, 0, entityKey);
        return fill(longKey, 8, KeyCodec.hashLong(entityKey), out, null, status);
    }

    /** As {@link #fill(long, float[], ReadStatus[])} for a composite key filled through {@link #key()}. */
    public int fill(Key entityKey, float[] out, ReadStatus[] status) {
        int len = entityKey.encode();
        return fill(entityKey.encoded, len, entityKey.hash, null, out, status);
    }

    /** As {@link #fill(Key, float[], ReadStatus[])} into a double[]. */
    public int fill(Key entityKey, double[] out, ReadStatus[] status) {
        int len = entityKey.encode();
        return fill(entityKey.encoded, len, entityKey.hash, out, null, status);
    }

    /** One vector from the key encoded once ({@code k[0..len)}) and hashed once, for every table. */
    private int fill(byte[] k, int len, long hash, double[] outD, float[] outF, ReadStatus[] status) {
        touchAll(hash);
        int fromData = 0;
        for (int t = 0; t < readers.length; t++) {
            TableReader r = readers[t];
            r.projected(k, len, hash, projections[t], outD, outF, status);
            fromData += r.projectedValues();
        }
        return fromData;
    }

    /**
     * Fills the vectors of {@code n} entities with single integral keys (a ranking request's candidates): entity
     * {@code i}'s features go to {@code out[i * size ..]}, each its value or its default. Each table is read as one
     * batch ({@link TableReader#getBatch(long[], int, Projection, float[], ReadStatus[])}), whose misses overlap.
     * Returns how many (entity, table) rows were found.
     */
    public int fillBatch(long[] entityKeys, int n, float[] out) {
        int found = 0;
        for (int t = 0; t < readers.length; t++) {
            found += reader(t).batch(entityKeys, null, n, projections[t], null, out, null, false, vector.size());
        }
        return found;
    }

    /** As {@link #fillBatch(long[], int, float[])} into a double[]. */
    public int fillBatch(long[] entityKeys, int n, double[] out) {
        int found = 0;
        for (int t = 0; t < readers.length; t++) {
            found += reader(t).batch(entityKeys, null, n, projections[t], out, null, null, false, vector.size());
        }
        return found;
    }

    /** Sink for {@link #touchAll}'s loads, so the JIT cannot drop them as dead. */
    private long touched;

    /**
     * Starts every table's misses for the key before any lookup waits on one: first all home index slots, then all
     * rows, so a vector over three tables waits about two misses, not six.
     */
    private void touchAll(long hash) {
        for (int t = 0; t < readers.length; t++) {
            homeSlots[t] = reader(t).homeSlot(hash);
        }
        long sink = 0;
        for (int t = 0; t < readers.length; t++) {
            sink += readers[t].touchRow(homeSlots[t], hash, projections[t].span);
        }
        touched = sink;
    }

    /** Delta version of the row table {@code t} of the vector served in the last fill (-1 when it had none). */
    public long version(int t) {
        return readers[t].projectedVersion();
    }
}
