package dev.larder.store;

/**
 * Assembles one {@link FeatureVector} per call for ONE thread: one lookup per table, then each feature's value or its
 * default into the caller's array. Allocation-free, except when a table has been replaced by a new generation
 * ({@link FeatureTable#replaceWith}): the reader then moves to it, re-resolving its columns by name.
 */
public final class FeatureVectorReader {
    /** A feature whose column the table's current generation lacks. */
    private static final int MISSING = -1;

    private final FeatureVector vector;
    private final TableReader[] readers;
    private final ReadStatus[] tableStatus;
    private final int[] column;
    private final Key key;

    FeatureVectorReader(FeatureVector vector) {
        this.vector = vector;
        this.readers = new TableReader[vector.tables.length];
        this.column = new int[vector.featureColumnName.length];
        // The vector's tables may have been replaced since it was built (a re-bootstrap): read their newest generations.
        for (int t = 0; t < readers.length; t++) {
            moveTo(t, vector.tables[t].current());
        }
        this.tableStatus = new ReadStatus[readers.length];
        this.key = new Key(readers[0].table().schema());
    }

    /** Moves table {@code t}'s reader to its newest generation if it was replaced. */
    private TableReader reader(int t) {
        TableReader r = readers[t];
        FeatureTable current = r.table().current();
        if (current != r.table()) {
            moveTo(t, current);
            r = readers[t];
        }
        return r;
    }

    /**
     * Points table {@code t}'s features at generation {@code table}. The reader is made first (it throws for a closed
     * table), so a failure changes nothing. A generation without a feature's column (a narrower selection) serves the
     * feature's default, with status NULL.
     */
    private void moveTo(int t, FeatureTable table) {
        TableReader r = table.newReader();
        FeatureSchema schema = table.schema();
        for (int i = 0; i < column.length; i++) {
            if (vector.featureTable[i] == t) {
                String name = vector.featureColumnName[i];
                column[i] = schema.hasColumn(name) ? schema.indexOf(name) : MISSING;
            }
        }
        readers[t] = r;
    }

    /** A reusable key to fill for {@link #fill(Key, float[], ReadStatus[])} (composite entity keys). */
    public Key key() {
        return key;
    }

    /**
     * Fills {@code out[0..size)} for an entity with a single integral key; {@code status} (may be null) receives each
     * feature's status. Returns the number of features that came from data rather than defaults.
     */
    public int fill(long entityKey, float[] out, ReadStatus[] status) {
        for (int t = 0; t < readers.length; t++) {
            tableStatus[t] = reader(t).get(entityKey);
        }
        return assemble(out, null, status);
    }

    public int fill(long entityKey, double[] out, ReadStatus[] status) {
        for (int t = 0; t < readers.length; t++) {
            tableStatus[t] = reader(t).get(entityKey);
        }
        return assemble(null, out, status);
    }

    public int fill(Key entityKey, float[] out, ReadStatus[] status) {
        for (int t = 0; t < readers.length; t++) {
            tableStatus[t] = reader(t).get(entityKey);
        }
        return assemble(out, null, status);
    }

    public int fill(Key entityKey, double[] out, ReadStatus[] status) {
        for (int t = 0; t < readers.length; t++) {
            tableStatus[t] = reader(t).get(entityKey);
        }
        return assemble(null, out, status);
    }

    /** Expired rows fall back to defaults: a model should not silently consume features older than the table's TTL. */
    private int assemble(float[] outF, double[] outD, ReadStatus[] status) {
        int fromData = 0;
        int n = column.length;
        for (int i = 0; i < n; i++) {
            int t = vector.featureTable[i];
            int col = column[i];
            ReadStatus s = tableStatus[t];
            if (s == ReadStatus.FOUND && (col == MISSING || readers[t].isNull(col))) {
                s = ReadStatus.NULL;
            }
            double v = s == ReadStatus.FOUND ? readers[t].getDouble(col) : vector.defaults[i];
            if (s == ReadStatus.FOUND) {
                fromData++;
            }
            if (outF != null) {
                outF[i] = (float) v;
            } else {
                outD[i] = v;
            }
            if (status != null) {
                status[i] = s;
            }
        }
        return fromData;
    }
}
