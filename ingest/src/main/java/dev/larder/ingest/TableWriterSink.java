package dev.larder.ingest;

import dev.larder.store.FeatureSchema;
import dev.larder.store.FeatureTable;
import dev.larder.store.Lineage;
import dev.larder.store.ReadStatus;
import dev.larder.store.RowBuffer;
import dev.larder.store.TableReader;
import dev.larder.store.internal.StoreInternals;
import dev.larder.store.internal.TableWriter;

/**
 * A {@link ChangeSink} applying straight to a table's single writer, without the ingest ring; confined to one thread,
 * which becomes the table's writer with its first change (a table another thread writes fails the writer's
 * owner assertion instead of being written by two threads). Used by one-shot commands (load, apply-changes);
 * each completed version is published and made durable before the next begins. A bootstrap into an empty table runs as
 * the writer's bulk load, so keys repeated in the snapshot are caught when the version ends.
 */
public final class TableWriterSink implements ChangeSink {
    private final FeatureTable table;
    private final TableWriter writer;
    /** Answers {@link #storedVersion}; created on first use (only commits that add keys ask). */
    private TableReader keyReader;
    private final Lineage source;
    private final boolean rejectDuplicates;
    private final RowBuffer row;
    private final RowBuffer duplicate;
    private long version = -1;
    private long commitTimestampMillis;

    /**
     * @param source           lineage identity of the Delta table (id and path); versions come from the feed
     * @param rejectDuplicates true while bootstrapping, where a key seen twice means the snapshot is not keyed uniquely
     */
    public TableWriterSink(FeatureTable table, Lineage source, boolean rejectDuplicates) {
        this.table = table;
        this.writer = StoreInternals.writer(table);
        this.source = source;
        this.rejectDuplicates = rejectDuplicates;
        this.row = table.newRow();
        this.duplicate = table.newRow();
    }

    @Override
    public FeatureSchema schema() {
        return row.schema();
    }

    @Override
    public RowBuffer row() {
        return row.clear();
    }

    @Override
    public void begin(long newVersion, long newCommitTimestampMillis) {
        version = newVersion;
        commitTimestampMillis = newCommitTimestampMillis;
        if (rejectDuplicates) {
            writer.beginBulkLoad();
        }
    }

    @Override
    public void upsert(RowBuffer r) {
        TableWriter.Outcome o = writer.upsert(r, version, commitTimestampMillis);
        if (rejectDuplicates && o != TableWriter.Outcome.INSERTED) {
            throw duplicateKey(r);
        }
    }

    private IllegalArgumentException duplicateKey(RowBuffer r) {
        return new IllegalArgumentException("duplicate key " + r.keyText() + " in the snapshot of version " + version
                + " (the key columns do not identify rows uniquely)");
    }

    /** The calling thread is the writer, so everything delivered so far is applied: the table answers directly. */
    @Override
    public long storedVersion(RowBuffer keyRow) {
        if (keyReader == null) {
            keyReader = table.newReader();
        }
        return keyReader.get(keyRow) == ReadStatus.NOT_FOUND ? -1 : keyReader.version();
    }

    @Override
    public void delete(RowBuffer keyRow) {
        writer.delete(keyRow, version);
    }

    @Override
    public void end() {
        if (rejectDuplicates && writer.finishBulkLoad(duplicate) > 0) {
            throw duplicateKey(duplicate);
        }
        writer.publish(source.withVersion(version, commitTimestampMillis));
        writer.sync();
    }
}
