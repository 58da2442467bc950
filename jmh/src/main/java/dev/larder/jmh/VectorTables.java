package dev.larder.jmh;

import dev.larder.ColumnType;
import dev.larder.Feature;
import dev.larder.Larder;
import dev.larder.Pusher;
import dev.larder.Row;
import dev.larder.Schema;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Stateless: the served-feature log's benchmarks' tables: three application-fed tables of 7 float64 columns, and the
 * 20 features of a vector over them ({@code t0.f0..f6}, {@code t1.f0..f6}, {@code t2.f0..f5}), every key filled.
 */
public final class VectorTables {
    /** Tables of the vector. */
    public static final int TABLES = 3;
    /** Float64 columns of each table. */
    public static final int COLUMNS = 7;
    /** Features of the vector. */
    public static final int FEATURES = 20;

    private VectorTables() {
    }

    /** Declares the tables on {@code b} and returns the vector's features, default -1. */
    public static Feature[] declare(Larder.Builder b) {
        Schema.Builder schema = Schema.builder().keyColumn("id", ColumnType.INT64);
        for (int c = 0; c < COLUMNS; c++) {
            schema.column("f" + c, ColumnType.FLOAT64);
        }
        List<Feature> features = new ArrayList<>();
        for (int t = 0; t < TABLES; t++) {
            b.push("t" + t, schema.build(), Duration.ZERO);
            for (int c = 0; c < (t < 2 ? COLUMNS : COLUMNS - 1); c++) {
                features.add(Feature.of("t" + t + ".f" + c, -1));
            }
        }
        return features.toArray(Feature[]::new);
    }

    /** Fills keys {@code 0..keys-1} of every table as version 1 (column c of key k holds k/1000 + c). */
    public static void fill(Larder larder, long keys) {
        long now = System.currentTimeMillis();
        for (int t = 0; t < TABLES; t++) {
            Pusher p = larder.table("t" + t).newPusher();
            for (long k = 0; k < keys; k++) {
                Row row = p.row().setLong(0, k);
                for (int c = 0; c < COLUMNS; c++) {
                    row.setDouble(1 + c, k * 0.001 + c);
                }
                p.upsert(1, now);
            }
            p.endVersion(1, now);
        }
        larder.flush();
    }
}
