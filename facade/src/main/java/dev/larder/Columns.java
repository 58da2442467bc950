package dev.larder;

import dev.larder.store.FeatureSchema;
import dev.larder.store.Projection;

/**
 * Not thread-safe: belongs to the {@link Reader} that made it ({@link Reader#columns}). Numeric columns of a table
 * named once and read together, each into a fixed position of the caller's array; resolved against the table's
 * schema, and again when a re-bootstrap brings a new one.
 */
public final class Columns {
    private final String[] names;
    private final double defaultValue;
    private Projection projection;
    /** The ring its reads are logged into, set once by {@link Reader#loggedColumns}; null when not logged. */
    LogBuffer log;

    Columns(String[] names, double defaultValue, FeatureSchema schema) {
        this.names = names.clone();
        this.defaultValue = defaultValue;
        for (String name : this.names) {
            if (!schema.hasColumn(name)) {
                throw new IllegalArgumentException("no column " + name + " (columns: " + schema.names() + ")");
            }
        }
        this.projection = resolve(schema);
    }

    /** A column a new generation of the table lacks reads as its default, with status NULL, as in a vector. */
    private Projection resolve(FeatureSchema schema) {
        int[] columns = new int[names.length];
        for (int i = 0; i < names.length; i++) {
            columns[i] = schema.hasColumn(names[i]) ? schema.indexOf(names[i]) : Projection.MISSING;
        }
        return Projection.of(schema, defaultValue, columns);
    }

    /**
     * The request id the next read of these columns is logged with (to join the log with labels); without one, a
     * random id is generated. Nothing when the reads are not logged.
     */
    public Columns requestId(long id) {
        if (log != null) {
            log.requestId(id);
        }
        return this;
    }

    /** Whether reads of these columns are logged ({@link Reader#loggedColumns}). */
    public boolean logged() {
        return log != null;
    }

    /** How many columns: the stride of a batch's output. */
    public int size() {
        return names.length;
    }

    Projection projection(FeatureSchema schema) {
        if (projection.schema() != schema) {
            projection = resolve(schema);
        }
        return projection;
    }
}
