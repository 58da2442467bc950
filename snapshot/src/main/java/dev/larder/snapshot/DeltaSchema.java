package dev.larder.snapshot;

import java.util.ArrayList;
import java.util.List;

/**
 * The logical schema of a Delta table version: top-level columns in table order, partition columns
 * included where the table declares them; immutable.
 */
public record DeltaSchema(List<DeltaColumn> columns) {

    public DeltaSchema {
        columns = List.copyOf(columns);
    }

    public int size() {
        return columns.size();
    }

    public DeltaColumn column(int index) {
        return columns.get(index);
    }

    /** Index of the column with this exact logical name, or -1. */
    public int indexOf(String name) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** Names of the partition columns, in table order. */
    public List<String> partitionColumns() {
        List<String> names = new ArrayList<>();
        for (DeltaColumn c : columns) {
            if (c.partition()) {
                names.add(c.name());
            }
        }
        return names;
    }

    /**
     * True if this schema keeps every column of {@code older} unchanged (name, type, partitioning, and
     * nullability not tightened) at the same position and only appends nullable columns: the change
     * DESIGN.md accepts while following a table. Anything else should stop the feed.
     */
    public boolean isAdditiveEvolutionOf(DeltaSchema older) {
        if (columns.size() < older.size()) {
            return false;
        }
        for (int i = 0; i < older.size(); i++) {
            DeltaColumn was = older.column(i);
            DeltaColumn now = columns.get(i);
            if (!was.name().equals(now.name()) || !was.type().equals(now.type())
                    || was.partition() != now.partition() || (was.nullable() && !now.nullable())) {
                return false;
            }
        }
        for (int i = older.size(); i < columns.size(); i++) {
            if (!columns.get(i).nullable() || columns.get(i).partition()) {
                return false;
            }
        }
        return true;
    }
}
