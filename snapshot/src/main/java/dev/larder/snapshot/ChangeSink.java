package dev.larder.snapshot;

import dev.larder.store.RowBuffer;

/**
 * Where normalised Delta changes go, in order, from the one thread reading the feed: straight into a table's writer
 * ({@link TableWriterSink}) or into the ingest pipeline. Rows are only valid during the call.
 */
public interface ChangeSink {
    /** Inserts or replaces the row with {@code row}'s key. */
    void upsert(RowBuffer row, long version, long commitTimestampMillis);

    /** Removes the row with {@code keyRow}'s key (other columns ignored). */
    void delete(RowBuffer keyRow, long version);

    /** Every change of {@code version} has been delivered: the table may now claim it as its watermark. */
    void endVersion(long version, long commitTimestampMillis);
}
