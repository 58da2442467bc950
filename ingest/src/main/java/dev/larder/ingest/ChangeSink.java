package dev.larder.ingest;

import dev.larder.store.FeatureSchema;
import dev.larder.store.RowBuffer;
import dev.larder.store.ShardSpec;

/**
 * Where a {@link ChangeSource} delivers rows. Confined to the follower thread that called the source; publishing a row
 * copies it into the ingest ring and allocates nothing, so the staging row can be refilled at once.
 */
public interface ChangeSink {

    /** Schema of the target table; fill rows by its column indices. */
    FeatureSchema schema();

    /**
     * The key shards the target holds ({@link ShardSpec#ALL} for every key): a source may skip what holds other shards'
     * rows only (the partitions of {@link ShardSpec#partitionColumn()}); the sink drops other shards' rows in any case.
     */
    default ShardSpec shards() {
        return ShardSpec.ALL;
    }

    /**
     * The target's event-time column ({@code TableOptions.eventTime}), or -1 when it has none: a source that knows
     * when a delete happened (a Kafka tombstone's timestamp) sets it in the delete's row, so the delete is ordered
     * against the stored row's event time like an upsert.
     */
    default int eventTimeColumn() {
        return -1;
    }

    /** The sink's staging row, cleared (all columns null) on each call; fill it and pass it to upsert or delete. */
    RowBuffer row();

    /** Starts a version; versions must increase. */
    void begin(long version, long commitTimestampMillis);

    /** Inserts or replaces the row with {@code row}'s key, stamped with the open version. */
    void upsert(RowBuffer row);

    /** Deletes the row with the key held in {@code keyRow}'s key columns (other columns are ignored). */
    void delete(RowBuffer keyRow);

    /** Every change of the open version has been delivered; the version becomes the table's watermark once applied. */
    void end();

    /**
     * The version that wrote the target's row with {@code keyRow}'s key, counting every version ended so far, or -1 if
     * the target holds no such row or this sink cannot tell. A source uses it to refuse a version that adds a key the
     * target already holds without removing it first (two rows with one key in the source). May wait until the writer
     * has applied the versions already ended.
     */
    default long storedVersion(RowBuffer keyRow) {
        return -1;
    }

    /**
     * Another way in for the open version's upserts, for a second thread to deliver rows at the same time as this
     * sink's (decoding a bootstrap's files on several cores), or null when the target must receive the version's
     * changes in delivery order (a change feed's commits; a sink that cannot tell). Each lane is confined to the thread
     * that uses it; every such thread must have returned from its last call, and been joined, before {@link #end()},
     * which delivers what the lanes still hold.
     */
    default Lane lane() {
        return null;
    }

    /** Upserts of the open version from one thread beside others; see {@link ChangeSink#lane()}. */
    interface Lane {
        /** The lane's staging row, cleared on each call, as {@link ChangeSink#row()}. */
        RowBuffer row();

        /** As {@link ChangeSink#upsert}. */
        void upsert(RowBuffer row);
    }
}
