package dev.larder.store.internal;

import dev.larder.store.FeatureTable;
import java.util.Objects;
import java.util.function.Function;

/**
 * Access from the ingest module's writer thread to what the store keeps package-private (a table's writer), without
 * making it public API: the module exports this package to {@code dev.larder.ingest} only. Thread-safe: the accessor
 * is set once, while {@link FeatureTable}'s class initializes, before any table exists.
 */
public final class StoreInternals {
    private static Function<FeatureTable, TableWriter> writers;

    private StoreInternals() {
    }

    /** Called once by {@code FeatureTable}'s static initializer. */
    public static synchronized void setWriterAccess(Function<FeatureTable, TableWriter> access) {
        if (writers != null) {
            throw new IllegalStateException("writer access is already set");
        }
        writers = Objects.requireNonNull(access);
    }

    /** The table's single writer; see {@link TableWriter} for who may call it. */
    public static TableWriter writer(FeatureTable table) {
        return accessor().apply(table);
    }

    private static synchronized Function<FeatureTable, TableWriter> accessor() {
        return writers;
    }
}
