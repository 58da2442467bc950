package dev.larder.ingest.testkit;

import dev.larder.ingest.ChangeSink;
import dev.larder.ingest.IngestOptions;
import dev.larder.ingest.LarderEngine;
import dev.larder.store.FeatureStore;
import dev.larder.store.FeatureTable;
import java.util.function.Consumer;

/**
 * Test kit: changes the tables of a store through the engine's one door (the ingest ring and its single writer), for
 * tests and benchmarks that need a table in a given state, whatever feeds it. Opens a {@link LarderEngine} over the
 * store (closed with this writer; the store stays the caller's). Confined to one thread; close it before the store.
 *
 * <pre>{@code
 * try (TestWriter w = TestWriter.open(store)) {
 *     w.version(table, 1, 1000, sink -> sink.upsert(sink.row().setLong(0, 7).setDouble(1, 1.5)));
 * }
 * }</pre>
 */
public final class TestWriter implements AutoCloseable {
    private final LarderEngine larder;

    private TestWriter(LarderEngine larder) {
        this.larder = larder;
    }

    /** A writer over {@code store}, without JMX registration. */
    public static TestWriter open(FeatureStore store) {
        return new TestWriter(LarderEngine.open(store, IngestOptions.DEFAULT.withJmx(false)));
    }

    /** Writes one version into {@code table} of {@code store} and closes the writer again. */
    public static void write(FeatureStore store, FeatureTable table, long version, long commitTimestampMillis,
                             Consumer<ChangeSink> changes) {
        try (TestWriter w = open(store)) {
            w.version(table, version, commitTimestampMillis, changes);
        }
    }

    /** The engine: one-shot operations ({@link LarderEngine#load}, {@link LarderEngine#applyChanges}) and pushes. */
    public LarderEngine larder() {
        return larder;
    }

    /**
     * Applies {@code version} (above the table's watermark) to {@code table}: {@code changes} upserts and deletes rows
     * filled in {@code sink.row()}; the version is published, with the identity the table records, and durable on
     * return. A change the writer cannot apply is thrown, and nothing of the version stays.
     */
    public void version(FeatureTable table, long version, long commitTimestampMillis, Consumer<ChangeSink> changes) {
        larder.applyChanges(table, sink -> {
            sink.begin(version, commitTimestampMillis);
            changes.accept(sink);
            sink.end();
            return version;
        });
    }

    @Override
    public void close() {
        larder.close();
    }
}
