package dev.larder.snapshot;

import dev.larder.store.FeatureTable;
import dev.larder.store.Lineage;
import dev.larder.store.RowBuffer;
import dev.larder.store.TableWriter;

/**
 * A {@link ChangeSink} applying straight to a table's single writer; the calling thread becomes that writer (no other
 * thread may write the table meanwhile). Each completed version is published and made durable before the next.
 */
public final class TableWriterSink implements ChangeSink {
    private final FeatureTable table;
    private final TableWriter writer;
    private final Lineage source;
    private final boolean rejectDuplicates;

    /**
     * @param source           lineage identity of the Delta table (id and path); versions come from the feed
     * @param rejectDuplicates true while bootstrapping, where a key seen twice means the snapshot is not keyed uniquely
     */
    public TableWriterSink(FeatureTable table, Lineage source, boolean rejectDuplicates) {
        this.table = table;
        this.writer = table.writer();
        this.source = source;
        this.rejectDuplicates = rejectDuplicates;
    }

    @Override
    public void upsert(RowBuffer row, long version, long commitTimestampMillis) {
        TableWriter.Outcome o = writer.upsert(row, version, commitTimestampMillis);
        if (rejectDuplicates && o != TableWriter.Outcome.INSERTED) {
            throw new IllegalArgumentException("duplicate key " + KeyText.of(row) + " in the snapshot of version " + version
                    + " (the key columns do not identify rows uniquely)");
        }
    }

    @Override
    public void delete(RowBuffer keyRow, long version) {
        writer.delete(keyRow, version);
    }

    @Override
    public void endVersion(long version, long commitTimestampMillis) {
        writer.publish(source.withVersion(version, commitTimestampMillis));
        writer.sync();
    }

    public FeatureTable table() {
        return table;
    }
}
