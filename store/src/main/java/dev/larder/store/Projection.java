package dev.larder.store;

import dev.larder.store.engine.RowLayoutDescriptor;
import java.util.Arrays;

/**
 * Immutable and thread-safe: the numeric columns a caller reads from a table's rows as doubles, each with where it goes
 * in the caller's array and its default; {@link TableReader#get(long, Projection, double[], ReadStatus[])} reads just
 * these words of a row (plus its header) under the row's seqlock instead of copying the whole row.
 *
 * <p>Everything a read needs per column (offset in the row, type, null bit) is resolved here once, so a read does no
 * schema lookups. A position may name no column ({@link #MISSING}): it always gets its default with status NULL, as a
 * feature whose column a table's current generation lacks.
 */
public final class Projection {
    /** A column index for a position that no column of the table fills. */
    public static final int MISSING = -1;

    static final byte KIND_MISSING = 0;
    static final byte KIND_FLOAT64 = 1;
    static final byte KIND_FLOAT32 = 2;
    static final byte KIND_INT64 = 3;
    static final byte KIND_INT32 = 4;
    static final byte KIND_INT16 = 5;
    static final byte KIND_INT8 = 6;
    static final byte KIND_DECIMAL = 7;

    final FeatureSchema schema;
    final int size;
    final int[] columns;
    final int[] target;
    final double[] defaults;
    final byte[] kind;
    final int[] offset;
    final int[] nullByte;
    final byte[] nullMask;
    final double[] scale;
    /** Bytes from a row's start that cover its header, key, null bitmap and every projected value. */
    final int span;

    private Projection(FeatureSchema schema, int[] columns, int[] target, double[] defaults) {
        RowLayoutDescriptor layout = new RowLayoutDescriptor(schema);
        this.schema = schema;
        this.size = columns.length;
        this.columns = columns.clone();
        this.target = target.clone();
        this.defaults = defaults.clone();
        this.kind = new byte[size];
        this.offset = new int[size];
        this.nullByte = new int[size];
        this.nullMask = new byte[size];
        this.scale = new double[size];
        int end = layout.nullsOffset() + (schema.columnCount() + 7) / 8;
        for (int i = 0; i < size; i++) {
            int c = columns[i];
            if (c == MISSING) {
                continue;
            }
            end = Math.max(end, layout.columnOffset(c) + schema.column(c).width());
            Column col = schema.column(c);
            kind[i] = kindOf(col);
            offset[i] = layout.columnOffset(c);
            nullByte[i] = layout.nullsOffset() + (c >>> 3);
            nullMask[i] = (byte) (1 << (c & 7));
            scale[i] = col.type() == ColumnType.DECIMAL ? Math.pow(10, col.scale()) : 1;
        }
        this.span = end;
    }

    private static byte kindOf(Column c) {
        return switch (c.type()) {
            case FLOAT64 -> KIND_FLOAT64;
            case FLOAT32 -> KIND_FLOAT32;
            case INT64, TIMESTAMP, TIMESTAMP_NTZ -> KIND_INT64;
            case INT32, DATE -> KIND_INT32;
            case INT16 -> KIND_INT16;
            case INT8, BOOLEAN -> KIND_INT8;
            case DECIMAL -> {
                if (c.precision() > 18) {
                    throw new IllegalArgumentException("column " + c.name() + " is " + c.typeString()
                            + ": a projection reads decimals of precision at most 18 (read it with getDecimal)");
                }
                yield KIND_DECIMAL;
            }
            default -> throw new IllegalArgumentException("column " + c.name() + " is " + c.typeString()
                    + ", not a numeric type a projection can read as a double");
        };
    }

    /**
     * Columns {@code columns} into positions 0, 1, ... of the caller's array, each with default {@code defaultValue}.
     */
    public static Projection of(FeatureSchema schema, double defaultValue, int... columns) {
        int[] target = new int[columns.length];
        double[] defaults = new double[columns.length];
        for (int i = 0; i < columns.length; i++) {
            target[i] = i;
            defaults[i] = defaultValue;
        }
        return of(schema, columns, target, defaults);
    }

    /**
     * Column {@code columns[i]} (or {@link #MISSING}) into position {@code target[i]} of the caller's array, with
     * default {@code defaults[i]}; the positions of one projection must differ.
     */
    public static Projection of(FeatureSchema schema, int[] columns, int[] target, double[] defaults) {
        if (columns.length != target.length || columns.length != defaults.length) {
            throw new IllegalArgumentException("columns, targets and defaults differ in length: " + columns.length
                    + ", " + target.length + ", " + defaults.length);
        }
        int[] sorted = target.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) {
            if (sorted[i] < 0 || i > 0 && sorted[i] == sorted[i - 1]) {
                throw new IllegalArgumentException("target positions must be distinct and non-negative: "
                        + Arrays.toString(target));
            }
        }
        for (int c : columns) {
            if (c != MISSING && (c < 0 || c >= schema.columnCount())) {
                throw new IllegalArgumentException("no column " + c + " in a schema of " + schema.columnCount());
            }
        }
        return new Projection(schema, columns, target, defaults);
    }

    /** The schema whose rows this projection reads; a reader of another schema refuses it. */
    public FeatureSchema schema() {
        return schema;
    }

    /** How many positions this projection fills. */
    public int size() {
        return size;
    }

    /** The highest target position plus one: the least length of a caller's array. */
    public int width() {
        int w = 0;
        for (int t : target) {
            w = Math.max(w, t + 1);
        }
        return w;
    }
}
