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
        for (int i = 0; i < readers.length; i++) {
            readers[i] = vector.tables[i].newReader();
        }
        this.tableStatus = new ReadStatus[readers.length];
        this.column = vector.featureColumn.clone();
        this.key = new Key(vector.tables[0].schema());
    }

    /** Moves table {@code t}'s reader to its newest generation if it was replaced. */
    private TableReader reader(int t) {
        TableReader r = readers[t];
        FeatureTable current = r.table().current();
        if (current != r.table()) {
            // Columns first, then the reader: a failure half-way must not leave the new reader with the old indices. A
            // generation without a feature's column (a narrower selection) serves its default, with status NULL.
            FeatureSchema schema = current.schema();
            for (int i = 0; i < column.length; i++) {
                if (vector.featureTable[i] == t) {
                    String name = vector.featureColumnName[i];
                    column[i] = schema.hasColumn(name) ? schema.indexOf(name) : MISSING;
                }
            }
            r = current.newReader();
            readers[t] = r;
        }
        return r;
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
        int n = vector.featureColumn.length;
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
